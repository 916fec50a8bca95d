import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TarParser, type TarHeader } from '../../src/snapshot/tar-stream.js';
import { makeTar } from '../image/helpers.js';

interface Got {
  header: TarHeader;
  data: string;
}

/** Parses `tar` fed in chunks of `size` bytes. */
function parse(data: Buffer, size: number): Got[] {
  const out: Got[] = [];
  const p = new TarParser((header) => {
    const parts: Buffer[] = [];
    return {
      data: (c) => parts.push(Buffer.from(c)),
      end: () => out.push({ header, data: Buffer.concat(parts).toString('latin1') }),
    };
  }, 'test');
  for (let i = 0; i < data.length; i += size) p.push(data.subarray(i, i + size));
  p.end();
  return out;
}

const long = `very/${'deep/'.repeat(30)}name-${'x'.repeat(120)}.txt`;

describe('TarParser', () => {
  it('reads ustar, pax long names and link targets the same whatever the chunking', async () => {
    const tar = await makeTar([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/hostname', data: 'box\n', mode: 0o600, uid: 1000, gid: 1000 },
      { name: 'etc/empty', data: '' },
      { name: long, data: 'long' },
      { name: 'etc/link', type: 'symlink', linkname: `../${long}` },
      { name: 'etc/hard', type: 'link', linkname: 'etc/hostname' },
      { name: 'bin/big', data: Buffer.alloc(70_000, 7) },
    ]);
    const reference = parse(tar, tar.length);
    expect(reference.map((g) => [g.header.name, g.header.type])).toEqual([
      ['etc/', 'dir'],
      ['etc/hostname', 'file'],
      ['etc/empty', 'file'],
      [long, 'file'],
      ['etc/link', 'symlink'],
      ['etc/hard', 'hardlink'],
      ['bin/big', 'file'],
    ]);
    expect(reference[1]).toMatchObject({
      header: { mode: 0o600, uid: 1000, gid: 1000, size: 4, mtime: 1_700_000_000 },
      data: 'box\n',
    });
    expect(reference[4]!.header.linkname).toBe(`../${long}`);
    expect(reference[6]!.data.length).toBe(70_000);
    for (const size of [1, 7, 511, 512, 513, 4096, 65_536]) expect(parse(tar, size)).toEqual(reference);
  });

  it('reads GNU long names and links (what GNU tar writes with --format=gnu)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-tar-'));
    try {
      const deep = path.join(dir, 'root', ...long.split('/').slice(0, -1));
      mkdirSync(deep, { recursive: true });
      writeFileSync(path.join(dir, 'root', long), 'gnu');
      symlinkSync(long, path.join(dir, 'root', 'l'));
      const tar = execFileSync('tar', ['--format=gnu', '--sort=name', '-C', path.join(dir, 'root'), '-cf', '-', '.'], {
        maxBuffer: 1 << 24,
      });
      const got = parse(tar, 1000);
      const file = got.find((g) => g.header.type === 'file')!;
      expect(file.header.name).toBe(`./${long}`);
      expect(file.data).toBe('gnu');
      expect(got.find((g) => g.header.type === 'symlink')!.header.linkname).toBe(long);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what is not a tar, and a truncated one', async () => {
    expect(() => parse(Buffer.from('{"not":"a tar"}'.padEnd(1024, ' ')), 100)).toThrow(/not a tar archive/);
    const tar = await makeTar([{ name: 'a', data: 'x'.repeat(2000) }]);
    expect(() => parse(tar.subarray(0, 1200), 100)).toThrow(/truncated/);
  });
});
