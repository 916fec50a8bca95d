/** Hashing what a RUN writes while it runs: only hashes still true once it ended are taken. */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WrittenFileHasher } from '../../src/execute/written-hashes.js';

const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

function dir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'scannable-written-'));
  tmp.push(d);
  return d;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the hasher has hashed `n` files (timers run late on a loaded machine). */
async function hashedAtLeast(h: WrittenFileHasher, n: number): Promise<void> {
  for (let i = 0; i < 200 && h.hashedCount < n; i++) await sleep(25);
  expect(h.hashedCount).toBeGreaterThanOrEqual(n);
}

describe('WrittenFileHasher', () => {
  it('hashes settled files, with the size and whole-second mtime a committed layer shows', async () => {
    const d = dir();
    mkdirSync(path.join(d, 'usr', 'bin'), { recursive: true });
    writeFileSync(path.join(d, 'usr', 'bin', 'tool'), 'tool v1\n');
    utimesSync(path.join(d, 'usr', 'bin', 'tool'), 1700000000.75, 1700000000.75);
    writeFileSync(path.join(d, 'top'), '');
    const h = new WrittenFileHasher(d, { settleMs: 20, intervalMs: 20 });
    await hashedAtLeast(h, 2);
    const known = await h.finish();
    expect(known.get('/usr/bin/tool')).toEqual({ size: 8, mtime: 1700000000, sha256: sha256('tool v1\n') });
    expect(known.get('/top')?.sha256).toBe(sha256(''));
    expect([...known.keys()].sort()).toEqual(['/top', '/usr/bin/tool']);
  });

  it('drops a hash once the file changed, even with its size and mtime put back', async () => {
    const d = dir();
    const f = path.join(d, 'state.bin');
    writeFileSync(f, 'aaaa');
    utimesSync(f, 1700000000, 1700000000);
    const h = new WrittenFileHasher(d, { settleMs: 20, intervalMs: 20 });
    await hashedAtLeast(h, 1);
    // Same size, same mtime, same inode: only the ctime tells.
    writeFileSync(f, 'bbbb');
    utimesSync(f, 1700000000, 1700000000);
    const known = await h.finish();
    const taken = known.get('/state.bin');
    // Either not taken, or hashed again after the change: never the old content's hash.
    if (taken) expect(taken.sha256).toBe(sha256('bbbb'));
    expect(taken?.sha256).not.toBe(sha256('aaaa'));
  });

  it('leaves out files deleted or replaced after they were hashed, and files too new to trust', async () => {
    const d = dir();
    writeFileSync(path.join(d, 'gone'), 'x');
    writeFileSync(path.join(d, 'replaced'), 'old');
    const h = new WrittenFileHasher(d, { settleMs: 20, intervalMs: 20 });
    await hashedAtLeast(h, 2);
    unlinkSync(path.join(d, 'gone'));
    writeFileSync(path.join(d, 'new'), 'new');
    renameSync(path.join(d, 'new'), path.join(d, 'replaced'));
    writeFileSync(path.join(d, 'fresh'), 'fresh');
    const known = await h.finish();
    expect(known.has('/gone')).toBe(false);
    expect(known.get('/replaced')?.sha256).not.toBe(sha256('old'));
    expect(known.has('/fresh')).toBe(false); // written just now: its ctime is younger than the settling time
    expect(statSync(path.join(d, 'replaced')).size).toBe(3);
  });

  it('hashes nothing once stopped', async () => {
    const d = dir();
    writeFileSync(path.join(d, 'a'), 'a');
    const h = new WrittenFileHasher(d, { settleMs: 0, intervalMs: 20 });
    h.stop();
    await sleep(150);
    expect(h.hashedCount).toBe(0);
  });
});
