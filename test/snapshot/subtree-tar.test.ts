/**
 * subtreeArchive: the engine's archive of one path, from a snapshot already
 * read. Named from the path's base name down, parent symlinks followed and
 * the last one kept, sockets left out, hard links to the first name; and
 * undefined wherever only the engine can answer.
 */
import { type Readable } from 'node:stream';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { subtreeArchive } from '../../src/snapshot/subtree-tar.js';
import { MemoryFs } from '../../src/snapshot/memory-fs.js';

interface Member {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkname?: string;
  data?: string;
}

async function members(stream: Readable): Promise<Member[]> {
  const out: Member[] = [];
  const extract = tar.extract();
  await new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (c: unknown) => chunks.push(c as Buffer));
      body.on('end', () => {
        out.push({
          name: h.name,
          type: h.type ?? 'file',
          mode: h.mode ?? 0,
          uid: h.uid ?? 0,
          gid: h.gid ?? 0,
          mtime: h.mtime ? h.mtime.getTime() / 1000 : 0,
          ...(h.linkname ? { linkname: h.linkname } : {}),
          ...(h.type === 'file' ? { data: Buffer.concat(chunks).toString('utf8') } : {}),
        });
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
    stream.pipe(extract);
  });
  return out;
}

const fs = new MemoryFs({
  '/usr/lib/os-release': { content: 'ID=debian\n', mode: 0o644, mtime: 1700000000 },
  '/lib': { symlink: 'usr/lib' },
  '/opt/t/a': { content: 'a\n', mode: 0o4755, uid: 12, gid: 34, mtime: 1600000000 },
  '/opt/t/b': { kind: 'hardlink', linkTarget: '/opt/t/a' },
  '/opt/t/c': { symlink: 'a' },
  '/opt/t/fifo': { kind: 'fifo', mode: 0o600 },
  '/opt/t/sock': { kind: 'socket' },
  '/opt/t/sub/s': 's\n',
  '/opt/t/outside': { kind: 'hardlink', linkTarget: '/usr/lib/os-release' },
  '/dev-tree/null': { kind: 'char' },
});

describe('subtreeArchive', () => {
  it('archives a directory from its base name down, as the engine does', async () => {
    const got = await members(subtreeArchive(fs, '/opt/t')!);
    expect(got.map((m) => [m.name, m.type])).toEqual([
      ['t', 'directory'],
      ['t/a', 'file'],
      ['t/b', 'link'],
      ['t/c', 'symlink'],
      ['t/fifo', 'fifo'],
      ['t/outside', 'file'],
      ['t/sub', 'directory'],
      ['t/sub/s', 'file'],
    ]);
    expect(got.find((m) => m.name === 't/a')).toMatchObject({
      mode: 0o4755,
      uid: 12,
      gid: 34,
      mtime: 1600000000,
      data: 'a\n',
    });
    expect(got.find((m) => m.name === 't/b')).toMatchObject({ linkname: 't/a' });
    expect(got.find((m) => m.name === 't/c')).toMatchObject({ linkname: 'a' });
    // A link to a file outside the archive carries the bytes itself.
    expect(got.find((m) => m.name === 't/outside')).toMatchObject({ data: 'ID=debian\n' });
  });

  it('follows symlinks in the parent path and keeps the last one as a link', async () => {
    expect((await members(subtreeArchive(fs, '/lib/os-release')!)).map((m) => [m.name, m.data])).toEqual([
      ['os-release', 'ID=debian\n'],
    ]);
    expect(await members(subtreeArchive(fs, '/opt/t/c')!)).toMatchObject([
      { name: 'c', type: 'symlink', linkname: 'a' },
    ]);
  });

  it('gives the first name met the bytes when the link comes first', async () => {
    const linked = new MemoryFs({ '/d/a-link': { kind: 'hardlink', linkTarget: '/d/z' }, '/d/z': 'z\n' });
    const got = await members(subtreeArchive(linked, '/d')!);
    expect(got.map((m) => [m.name, m.type, m.linkname ?? m.data])).toEqual([
      ['d', 'directory', undefined],
      ['d/a-link', 'file', 'z\n'],
      ['d/z', 'link', 'd/a-link'],
    ]);
  });

  it('leaves to the engine what it cannot say: missing paths, device nodes, the root', () => {
    expect(subtreeArchive(fs, '/nope')).toBeUndefined();
    expect(subtreeArchive(fs, '/nope/deeper')).toBeUndefined();
    expect(subtreeArchive(fs, '/dev-tree')).toBeUndefined();
    expect(subtreeArchive(fs, '/')).toBeUndefined();
  });
});
