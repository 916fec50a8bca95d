import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirFs } from '../../src/snapshot/dir-fs.js';
import type { SnapshotFs } from '../../src/snapshot/fs.js';
import { MemoryFs } from '../../src/snapshot/memory-fs.js';
import { canonicalPath, normalizePath } from '../../src/snapshot/paths.js';

// The same merged-/usr layout, built on disk and in memory, must behave the same.
let tmp: string;
let dirFs: DirFs;
const memFs = new MemoryFs({
  '/usr/lib/x86_64-linux-gnu/libc.so.6': 'ELF',
  '/usr/bin/bash': { content: '#!', mode: 0o755 },
  '/lib': { symlink: 'usr/lib' },
  '/bin': { symlink: '/usr/bin' },
  '/etc/os-release': { symlink: '../usr/lib/os-release' },
  '/usr/lib/os-release': 'ID=debian\n',
  '/loop/a': { symlink: 'b' },
  '/loop/b': { symlink: 'a' },
  '/escape': { symlink: '../../../../etc/passwd' },
  '/dangling': { symlink: '/nowhere/x' },
  '/usr/lib/up': { symlink: '../../bin/..' },
});

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'scannable-dirfs-'));
  const r = (p: string) => path.join(tmp, p);
  mkdirSync(r('usr/lib/x86_64-linux-gnu'), { recursive: true });
  mkdirSync(r('usr/bin'), { recursive: true });
  mkdirSync(r('etc'));
  mkdirSync(r('loop'));
  writeFileSync(r('usr/lib/x86_64-linux-gnu/libc.so.6'), 'ELF');
  writeFileSync(r('usr/bin/bash'), '#!', { mode: 0o755 });
  writeFileSync(r('usr/lib/os-release'), 'ID=debian\n');
  symlinkSync('usr/lib', r('lib'));
  symlinkSync('/usr/bin', r('bin'));
  symlinkSync('../usr/lib/os-release', r('etc/os-release'));
  symlinkSync('b', r('loop/a'));
  symlinkSync('a', r('loop/b'));
  symlinkSync('../../../../etc/passwd', r('escape'));
  symlinkSync('/nowhere/x', r('dangling'));
  symlinkSync('../../bin/..', r('usr/lib/up'));
  dirFs = new DirFs(tmp);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each([
  ['DirFs', () => dirFs],
  ['MemoryFs', () => memFs],
] as [string, () => SnapshotFs][])('%s', (_name, get) => {
  it('resolves relative and absolute directory links inside the snapshot', () => {
    const fs = get();
    expect(fs.resolve('/lib/x86_64-linux-gnu/libc.so.6')).toBe('/usr/lib/x86_64-linux-gnu/libc.so.6');
    expect(fs.resolve('/bin/bash')).toBe('/usr/bin/bash');
    expect(fs.resolve('/etc/os-release')).toBe('/usr/lib/os-release');
    expect(fs.resolve('/usr/lib/up')).toBe('/usr');
  });
  it('reports loops, dangling links and paths leaving the root as unresolvable', () => {
    const fs = get();
    expect(fs.resolve('/loop/a')).toBeUndefined();
    expect(fs.resolve('/dangling')).toBeUndefined();
    // "../../../../etc/passwd" clamps at the snapshot root: /etc/passwd of the image, absent here.
    expect(fs.resolve('/escape')).toBeUndefined();
    expect(fs.readFile('/escape')).toBeUndefined();
  });
  it('does not follow links implicitly', () => {
    const fs = get();
    expect(fs.stat('/lib/x86_64-linux-gnu/libc.so.6')).toBeUndefined();
    expect(fs.readFile('/etc/os-release')).toBeUndefined();
    expect(fs.stat('/etc/os-release')).toMatchObject({ kind: 'symlink', linkTarget: '../usr/lib/os-release' });
    expect(fs.readFile('/usr/lib/os-release')?.toString()).toBe('ID=debian\n');
    expect(fs.readFile('/../../usr/lib/os-release')?.toString()).toBe('ID=debian\n');
  });
  it('lists children by name and every entry by path', () => {
    const fs = get();
    expect(fs.list('/usr').map((e) => e.path)).toEqual(['/usr/bin', '/usr/lib']);
    expect(fs.list('/missing')).toEqual([]);
    const all = [...fs.entries()].map((e) => e.path);
    expect(all).toEqual([...all].sort());
    expect(all).toContain('/usr/bin/bash');
    expect(fs.stat('/usr/bin/bash')?.mode).toBe(0o755);
  });
  it('canonicalises a listed path without resolving its last component', () => {
    const fs = get();
    expect(canonicalPath(fs, '/lib/x86_64-linux-gnu/libc.so.6')).toBe('/usr/lib/x86_64-linux-gnu/libc.so.6');
    expect(canonicalPath(fs, '/etc/os-release')).toBe('/etc/os-release');
    expect(canonicalPath(fs, '/nope/x')).toBe('/nope/x');
    expect(canonicalPath(fs, '/bin/bash')).toBe('/usr/bin/bash');
    expect(canonicalPath(fs, '/usr/lib/up/x')).toBe('/usr/x');
    expect(canonicalPath(fs, '/lib/../bin//bash')).toBe('/usr/bin/bash');
    expect(canonicalPath(fs, '/top')).toBe('/top');
  });
});

describe('DirFs host isolation', () => {
  it('never reads through a link that points at the host', () => {
    // "/bin" is an absolute link; on the host it would lead to the host's /usr/bin.
    expect(dirFs.readFile('/bin/bash')).toBeUndefined();
    expect(dirFs.list('/bin')).toEqual([]);
  });
});

describe('normalizePath', () => {
  it.each([
    ['/a/b', '/a/b'],
    ['a/b/', '/a/b'],
    ['/a//b/./c/..', '/a/b'],
    ['/../..', '/'],
    ['', '/'],
  ])('%s -> %s', (i, o) => expect(normalizePath(i)).toBe(o));
});
