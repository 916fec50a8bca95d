/** One overlay2 layer directory read as a layer: whiteouts, hard links, sockets, metadata as `docker export` gives it. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync, chmodSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/common/diagnostics.js';
import { LayerDirView, opaqueDirsOf } from '../../src/snapshot/layer-dir.js';

const root = process.getuid?.() === 0;
const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

function layer(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'scannable-layer-dir-'));
  tmp.push(d);
  mkdirSync(path.join(d, 'etc'));
  writeFileSync(path.join(d, 'etc', 'a.conf'), 'alpha\n');
  chmodSync(path.join(d, 'etc', 'a.conf'), 0o4750);
  utimesSync(path.join(d, 'etc', 'a.conf'), 1700000000.75, 1700000000.75);
  linkSync(path.join(d, 'etc', 'a.conf'), path.join(d, 'etc', 'b.conf'));
  symlinkSync('a.conf', path.join(d, 'etc', 'link'));
  mkdirSync(path.join(d, 'usr', 'bin'), { recursive: true });
  writeFileSync(path.join(d, 'usr', 'bin', 'tool'), Buffer.alloc(3 << 20, 7));
  return d;
}

describe('LayerDirView', () => {
  it('lists entries in walk order with export-like metadata', () => {
    const d = layer();
    const v = LayerDirView.read(d);
    const entries = [...v.entries()];
    expect(entries.map((e) => e.path)).toEqual([
      '/',
      '/etc',
      '/etc/a.conf',
      '/etc/b.conf',
      '/etc/link',
      '/usr',
      '/usr/bin',
      '/usr/bin/tool',
    ]);
    expect(v.stat('/etc/a.conf')).toMatchObject({ kind: 'file', mode: 0o4750, size: 6, mtime: 1700000000 });
    // The second name of a hard-linked file is a link to the first, as in a tar.
    expect(v.stat('/etc/b.conf')).toMatchObject({ kind: 'hardlink', size: 0, linkTarget: '/etc/a.conf' });
    expect(v.stat('/etc/link')).toMatchObject({ kind: 'symlink', size: 0, linkTarget: 'a.conf' });
    expect(v.readFile('/etc/b.conf')?.toString()).toBe('alpha\n');
    expect(v.sha256('/usr/bin/tool')).toBe(
      createHash('sha256')
        .update(Buffer.alloc(3 << 20, 7))
        .digest('hex'),
    );
    expect(v.sha256('/etc/b.conf')).toBe(createHash('sha256').update('alpha\n').digest('hex'));
    expect(v.readFile('/etc')).toBeUndefined();
    expect(v.stat('/nope')).toBeUndefined();
    // The layer directory's own metadata does not replace the image root's.
    expect(v.isImplicit('/')).toBe(true);
    expect(v.isImplicit('/etc')).toBe(false);
  });

  it('takes the deletions it is told about and leaves sockets out', async () => {
    const d = layer();
    const sock = path.join(d, 'etc', 'control.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const v = LayerDirView.read(d, ['/var/lib/gone']);
      expect(v.deleted).toEqual(['/var/lib/gone']);
      expect(v.stat('/etc/control.sock')).toBeUndefined();
    } finally {
      server.close();
    }
  });

  it('hashes ahead of time and shares the hashes with a view that learnt its deletions later', async () => {
    const d = layer();
    const early = LayerDirView.read(d);
    await early.hashAll();
    // Rewritten behind its back: a later view answers from the hash taken earlier, so it was really taken.
    writeFileSync(path.join(d, 'etc', 'a.conf'), 'changed\n');
    const late = early.withDeleted(['/var/lib/gone']);
    expect(late.deleted).toEqual(['/var/lib/gone']);
    expect(early.deleted).toEqual([]);
    expect(late.sha256('/etc/a.conf')).toBe(createHash('sha256').update('alpha\n').digest('hex'));
    expect(late.sha256('/usr/bin/tool')).toBe(early.sha256('/usr/bin/tool'));
  });

  it('takes hashes known from an earlier build only for files of the recorded size and mtime', async () => {
    const d = layer();
    const v = LayerDirView.read(d);
    const tool = v.stat('/usr/bin/tool')!;
    const a = v.stat('/etc/a.conf')!;
    // A record saying something else for both; only the one that still matches is taken.
    v.seedHashes(
      new Map([
        ['/usr/bin/tool', { size: tool.size, mtime: tool.mtime, sha256: 'f'.repeat(64) }],
        ['/etc/a.conf', { size: a.size + 1, mtime: a.mtime, sha256: 'e'.repeat(64) }],
        ['/nope', { size: 1, mtime: 1, sha256: 'd'.repeat(64) }],
      ]),
    );
    await v.hashAll();
    expect(v.sha256('/usr/bin/tool')).toBe('f'.repeat(64));
    expect(v.sha256('/etc/a.conf')).toBe(createHash('sha256').update('alpha\n').digest('hex'));
  });

  it('makes a record that a later build reads instead of the directory: entries, hashes, and what was derived with the same code', async () => {
    const d = layer();
    const v = LayerDirView.read(d);
    await v.hashAll();
    let parses = 0;
    const parse = () => (parses++, { lines: v.readFile('/etc/a.conf')!.toString().split('\n').length });
    expect(v.remember('/etc/a.conf', 'lines', parse)).toEqual({ lines: 2 });
    expect(v.knowledge).toEqual({ hashes: 2, derived: 1 });
    const rec = v.toRecord('stamp', 'code-1', (p) => p !== '/usr/bin/tool');
    expect(rec.hashes.map(([p]) => p)).not.toContain('/usr/bin/tool');
    // The directory changes behind the record's back: what the record says is what is answered.
    writeFileSync(path.join(d, 'etc', 'a.conf'), 'changed\nand longer\nthan before\n');
    writeFileSync(path.join(d, 'etc', 'new.conf'), 'new\n');
    const again = LayerDirView.fromRecord(rec, 'code-1');
    expect([...again.entries()]).toEqual([...v.entries()]);
    expect(again.stat('/etc/new.conf')).toBeUndefined();
    expect(again.sha256('/etc/a.conf')).toBe(createHash('sha256').update('alpha\n').digest('hex'));
    expect(again.remember('/etc/a.conf', 'lines', parse)).toEqual({ lines: 2 });
    expect(parses).toBe(1);
    // Other code parses again.
    const other = LayerDirView.fromRecord(rec, 'code-2');
    expect(other.remember('/etc/a.conf', 'lines', parse)).toEqual({ lines: 4 });
    expect(parses).toBe(2);
    expect(other.knowledge.derived).toBe(1);
  });

  it('says clearly when a file vanished from the layer after it was indexed', () => {
    const d = layer();
    const v = LayerDirView.read(d);
    rmSync(path.join(d, 'usr', 'bin', 'tool'));
    expect(() => v.sha256('/usr/bin/tool')).toThrow(
      /reading \/usr\/bin\/tool from the engine's layer .*ENOENT.*was an image removed while the build ran\? Build again/,
    );
    expect(() => v.readFile('/usr/bin/tool')).toThrow(UserError);
  });

  it.skipIf(!root)('reads a whiteout (character device 0:0) as a deletion', () => {
    const d = layer();
    execFileSync('mknod', [path.join(d, 'etc', 'old.conf'), 'c', '0', '0']);
    execFileSync('mknod', [path.join(d, 'etc', 'tty'), 'c', '5', '0']);
    const v = LayerDirView.read(d, ['/usr/share/doc/x']);
    expect(v.deleted).toEqual(['/etc/old.conf', '/usr/share/doc/x']);
    expect(v.stat('/etc/old.conf')).toBeUndefined();
    expect(v.stat('/etc/tty')).toMatchObject({ kind: 'char' });
  });

  // scripts/engine.sh installs getfattr (Debian's attr) with the engine; setting trusted.* attributes takes root.
  it.skipIf(!root)(
    'reads opaque directories with getfattr, names with any bytes, never through a symlink',
    async () => {
      const d = layer();
      const outside = mkdtempSync(path.join(os.tmpdir(), 'scannable-layer-dir-outside-'));
      tmp.push(outside);
      const odd = ['usr/share/doc', 'a b', 'caf\u00e9', 'back\\slash', 'new\nline'];
      for (const rel of odd) mkdirSync(path.join(d, rel), { recursive: true });
      mkdirSync(path.join(d, 'not-opaque'));
      const opaque = (dir: string) => execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', dir]);
      for (const rel of odd) opaque(path.join(d, rel));
      // A link to an opaque directory elsewhere on this machine is not one in the layer.
      opaque(outside);
      symlinkSync(outside, path.join(d, 'link-out'));
      expect(await opaqueDirsOf(d)).toEqual(odd.map((rel) => '/' + rel).sort());
      const view = LayerDirView.read(d).withOpaqueDirs(['/a b']);
      expect(view.opaqueDirs).toEqual(['/a b']);
      expect(view.withDeleted(['/etc/gone']).opaqueDirs).toEqual(['/a b']);
      expect(await opaqueDirsOf(path.join(d, 'missing'))).toBeUndefined();
    },
  );
});
