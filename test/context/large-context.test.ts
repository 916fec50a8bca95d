/**
 * Large build contexts without an engine: a 2 GB sparse file and 100,000
 * small files. The context walk never reads file contents; a COPY of a large
 * file streams it from disk (hashed in pieces, checked again while streamed),
 * never holding it in memory; planning a COPY of 100,000 files is linear.
 * The same contexts go through a real build in test/e2e/large-context.test.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildContext, STREAM_FILE_BYTES } from '../../src/context/context.js';
import { planCopy } from '../../src/context/copy.js';
import { TarSnapshotFs } from '../../src/snapshot/tar-fs.js';
import { makeManyFiles } from '../helpers/large.js';

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

describe('large build contexts, no engine', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-large-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a 2 GB sparse file: the walk and a COPY of another file never read it', async () => {
    const ctxDir = path.join(dir, 'sparse');
    mkdirSync(ctxDir);
    writeFileSync(path.join(ctxDir, 'big.img'), '');
    truncateSync(path.join(ctxDir, 'big.img'), 2 * 1024 ** 3);
    writeFileSync(path.join(ctxDir, 'small.txt'), 'small\n');
    const t0 = process.hrtime.bigint();
    const ctx = BuildContext.open(ctxDir);
    const plan = await planCopy(ctx, { sources: ['small.txt'], dest: '/x/' });
    const took = ms(t0);
    expect(ctx.get('big.img')).toMatchObject({ kind: 'file', size: 2 * 1024 ** 3 });
    expect(plan.manifest.map((m) => m.dest)).toEqual(['/x', '/x/small.txt']);
    process.stdout.write(`[large] walk + plan beside a 2 GB sparse file: ${took.toFixed(0)} ms\n`);
    expect(took).toBeLessThan(5000);
  });

  describe('a file above the streaming threshold', () => {
    let ctxDir = '';
    let data: Buffer;
    beforeAll(() => {
      ctxDir = path.join(dir, 'stream');
      mkdirSync(ctxDir);
      data = randomBytes(STREAM_FILE_BYTES * 3 + 17);
      writeFileSync(path.join(ctxDir, 'large.bin'), data);
      writeFileSync(path.join(ctxDir, 'small.txt'), 'small\n');
    });

    it('is hashed from disk and streamed into the tar, exactly', async () => {
      const plan = await planCopy(BuildContext.open(ctxDir), { sources: ['large.bin', 'small.txt'], dest: '/x/' });
      expect(Buffer.isBuffer(plan.tar)).toBe(false);
      const sha = createHash('sha256').update(data).digest('hex');
      expect(plan.manifest.find((m) => m.dest === '/x/large.bin')).toMatchObject({
        kind: 'file',
        size: data.length,
        sha256: sha,
      });
      const fs = await TarSnapshotFs.fromStream(plan.tar as Readable);
      try {
        expect(fs.sha256('/x/large.bin')).toBe(sha);
        expect(fs.readFile('/x/small.txt')?.toString()).toBe('small\n');
      } finally {
        fs.close();
      }
    });

    it('fails the copy, naming the file, when it changes between planning and copying', async () => {
      const planned = await planCopy(BuildContext.open(ctxDir), { sources: ['large.bin'], dest: '/x/' });
      const flipped = Buffer.from(data);
      flipped[12345] = flipped[12345]! ^ 0xff;
      writeFileSync(path.join(ctxDir, 'large.bin'), flipped);
      await expect(TarSnapshotFs.fromStream(planned.tar as Readable)).rejects.toThrow(
        /COPY large\.bin: the file changed while it was being copied/,
      );

      writeFileSync(path.join(ctxDir, 'large.bin'), data);
      const again = await planCopy(BuildContext.open(ctxDir), { sources: ['large.bin'], dest: '/x/' });
      truncateSync(path.join(ctxDir, 'large.bin'), STREAM_FILE_BYTES * 2);
      await expect(TarSnapshotFs.fromStream(again.tar as Readable)).rejects.toThrow(
        /COPY large\.bin: the file shrank while it was being copied/,
      );
      writeFileSync(path.join(ctxDir, 'large.bin'), data);
      appendFileSync(path.join(ctxDir, 'large.bin'), 'more');
      const grown = await planCopy(BuildContext.open(ctxDir), { sources: ['large.bin'], dest: '/x/' });
      expect(grown.manifest.find((m) => m.dest === '/x/large.bin')?.size).toBe(data.length + 4);
    });
  });

  it('100,000 small files: walked and planned in linear time, each with its sha256', async () => {
    const small = path.join(dir, 'small');
    const large = path.join(dir, 'many');
    makeManyFiles(small, 20_000);
    makeManyFiles(large, 100_000);
    const time = async (d: string) => {
      const t0 = process.hrtime.bigint();
      const plan = await planCopy(BuildContext.open(d), { sources: ['.'], dest: '/app/' });
      return { ms: ms(t0), plan };
    };
    const a = await time(small);
    const b = await time(large);
    const files = b.plan.manifest.filter((m) => m.kind === 'file');
    expect(files).toHaveLength(100_000);
    for (const i of [0, 4242, 99_999]) {
      const m = files.find(
        (f) => f.dest === `/app/d${String(Math.floor(i / 1000)).padStart(3, '0')}/f${String(i).padStart(6, '0')}.txt`,
      )!;
      expect(m.sha256).toBe(createHash('sha256').update(`file ${i}\n`).digest('hex'));
    }
    process.stdout.write(
      `[large] walk + plan of COPY . : 20,000 files ${a.ms.toFixed(0)} ms, 100,000 files ${b.ms.toFixed(0)} ms\n`,
    );
    // Linear is 5x; the quadratic queue this replaced made it 25x.
    expect(b.ms / a.ms).toBeLessThan(12);
  }, 300_000);
});
