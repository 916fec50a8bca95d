import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LayerCache } from '../../src/snapshot/layer-cache.js';
import { LayerIndex } from '../../src/snapshot/layer-index.js';
import { LayeredFs } from '../../src/snapshot/layered-fs.js';
import { makeTar, sha256 } from './helpers.js';

async function layer(items: Parameters<typeof makeTar>[0], maxInlineBytes?: number): Promise<LayerIndex> {
  return LayerIndex.fromBuffer(await makeTar(items), 'test', maxInlineBytes !== undefined ? { maxInlineBytes } : {});
}

describe('LayerIndex and LayeredFs', () => {
  it('stacks layers: whiteouts delete, opaque directories hide what lies below, later layers win', async () => {
    const base = await layer([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/a', data: 'a0' },
      { name: 'etc/b', data: 'b0' },
      { name: 'opt/', type: 'directory' },
      { name: 'opt/app/', type: 'directory' },
      { name: 'opt/app/old', data: 'old' },
      { name: 'opt/app/sub/', type: 'directory' },
      { name: 'opt/app/sub/deep', data: 'deep' },
      { name: 'usr/', type: 'directory' },
      { name: 'usr/bin/', type: 'directory' },
      { name: 'usr/bin/tool', data: 'tool' },
      { name: 'bin', type: 'symlink', linkname: 'usr/bin' },
    ]);
    const top = await layer([
      { name: 'etc/', type: 'directory', mode: 0o700 },
      { name: 'etc/a', data: 'a1' },
      { name: 'etc/.wh.b' },
      { name: 'opt/app/', type: 'directory' },
      { name: 'opt/app/.wh..wh..opq' },
      { name: 'opt/app/new', data: 'new' },
      // A parent the layer implies without listing (usr/ and usr/share/): keeps the lower metadata.
      { name: 'usr/share/doc/x', data: 'doc' },
    ]);
    const fs = new LayeredFs([base, top]);
    expect(fs.readFile('/etc/a')?.toString()).toBe('a1');
    expect(fs.stat('/etc/b')).toBeUndefined();
    expect(fs.stat('/etc')?.mode).toBe(0o700);
    expect(fs.list('/opt/app').map((e) => e.path)).toEqual(['/opt/app/new']);
    expect(fs.stat('/opt/app/sub/deep')).toBeUndefined();
    expect(fs.resolve('/bin/tool')).toBe('/usr/bin/tool');
    expect(fs.layerOf('/etc/a')).toBe(1);
    expect(fs.layerOf('/usr/bin/tool')).toBe(0);
    expect(fs.sha256('/etc/a')).toBe(sha256('a1'));
    const changes = fs.changes[1]!;
    expect(
      changes
        .filter((c) => c.kind === 'deleted')
        .map((c) => c.path)
        .sort(),
    ).toEqual(['/etc/b', '/opt/app/old', '/opt/app/sub', '/opt/app/sub/deep']);
    expect(changes.find((c) => c.path === '/etc/a')?.kind).toBe('modified');
    expect(changes.find((c) => c.path === '/opt/app/new')?.kind).toBe('added');
    expect(changes.find((c) => c.path === '/usr/share/doc/x')?.kind).toBe('added');
    // The implied /usr does not count as a change, and keeps the base's entry.
    expect(changes.find((c) => c.path === '/usr')).toBeUndefined();
    expect(fs.layerOf('/usr')).toBe(0);
    // A view of the layers below a layer: the image as that layer's step found it.
    const before = new LayeredFs([base, top], 1);
    expect(before.readFile('/etc/b')?.toString()).toBe('b0');
    expect([...fs.entries()].map((e) => e.path)).toContain('/usr/share/doc/x');
  });

  it("lists a directory's children in name order, the same by a scan of the sorted paths as from the index", async () => {
    const base = await layer([
      { name: 'a/', type: 'directory' },
      { name: 'a/b', data: '1' },
      { name: 'a/b-c', data: '2' },
      { name: 'a-b/', type: 'directory' },
      { name: 'a-b/x', data: '3' },
      { name: 'a.b', data: '4' },
      { name: 'a/d/', type: 'directory' },
      { name: 'a/d/e', data: '5' },
      { name: 'a/c', type: 'symlink', linkname: 'b' },
      { name: 'z', data: '6' },
    ]);
    const top = await layer([{ name: 'a/.wh.b-c' }, { name: 'a/aa', data: '7' }]);
    const dirs = ['/', '/a', '/a/', '/a-b', '/a/d', '/a/b', '/nowhere', '/a/d/e'];
    const expected: Record<string, string[]> = {
      '/': ['/a', '/a-b', '/a.b', '/z'],
      '/a': ['/a/aa', '/a/b', '/a/c', '/a/d'],
      '/a/': ['/a/aa', '/a/b', '/a/c', '/a/d'],
      '/a-b': ['/a-b/x'],
      '/a/d': ['/a/d/e'],
      '/a/b': [],
      '/nowhere': [],
      '/a/d/e': [],
    };
    const scanned = new LayeredFs([base, top]);
    for (const d of dirs)
      expect(
        scanned.list(d).map((e) => e.path),
        d,
      ).toEqual(expected[d]);
    const indexed = new LayeredFs([base, top]);
    for (let i = 0; i < 10; i++) indexed.list('/z');
    for (const d of dirs)
      expect(
        indexed.list(d).map((e) => e.path),
        d,
      ).toEqual(expected[d]);
  });

  it('hides what lay under a directory that a later layer made a file or a link', async () => {
    const base = await layer([
      { name: 'opt/', type: 'directory' },
      { name: 'opt/d/', type: 'directory' },
      { name: 'opt/d/x', data: 'x' },
      { name: 'opt/d/sub/', type: 'directory' },
      { name: 'opt/d/sub/y', data: 'y' },
      { name: 'opt/e/', type: 'directory' },
      { name: 'opt/e/z', data: 'z' },
      { name: 'opt/f', data: 'f' },
    ]);
    const top = await layer([
      { name: 'opt/d', data: 'now a file' },
      { name: 'opt/e', type: 'symlink', linkname: 'd' },
      // A file that was a file, and a directory that was a file: nothing below to hide.
      { name: 'opt/f/', type: 'directory' },
      { name: 'opt/f/g', data: 'g' },
    ]);
    const fs = new LayeredFs([base, top]);
    expect([...fs.entries()].map((e) => `${e.path} ${e.kind}`)).toEqual([
      '/ dir',
      '/opt dir',
      '/opt/d file',
      '/opt/e symlink',
      '/opt/f dir',
      '/opt/f/g file',
    ]);
    expect(fs.list('/opt').map((e) => e.path)).toEqual(['/opt/d', '/opt/e', '/opt/f']);
    expect(
      fs.changes[1]!.filter((c) => c.kind === 'deleted')
        .map((c) => c.path)
        .sort(),
    ).toEqual(['/opt/d/sub', '/opt/d/sub/y', '/opt/d/x', '/opt/e/z']);
    expect(fs.changes[1]!.find((c) => c.path === '/opt/d')?.kind).toBe('modified');
  });

  it('keeps large files in the spool and hardlinks reading their target', async () => {
    const big = Buffer.alloc(300_000, 3);
    const l = await layer(
      [
        { name: 'data/big', data: big },
        { name: 'data/link', type: 'link', linkname: 'data/big' },
      ],
      1024,
    );
    try {
      const fs = new LayeredFs([l]);
      expect(fs.readFile('/data/big')?.equals(big)).toBe(true);
      expect(fs.readFile('/data/link')?.equals(big)).toBe(true);
      expect(fs.sha256('/data/link')).toBe(sha256(big));
    } finally {
      l.close();
    }
  });

  it('restores from the cache: metadata and the contents read; anything else is a counted miss', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-cache-'));
    try {
      const l = await layer([
        { name: 'a', data: 'read me' },
        { name: 'b', data: 'not read' },
        { name: 'c', data: 'hashed' },
        { name: 'e', data: '' },
      ]);
      const fs = new LayeredFs([l]);
      expect(fs.readFile('/a')?.toString()).toBe('read me');
      const digest = fs.sha256('/c');
      const cache = new LayerCache(dir);
      const diffId = `sha256:${'1'.repeat(64)}`;
      const config = Buffer.from('{"rootfs":{"diff_ids":[]}}');
      const imageId = `sha256:${sha256(config)}`;
      cache.store(imageId, config, [{ diffId, layer: l.toCache() }]);
      expect(cache.config(imageId)?.equals(config)).toBe(true);
      // A config whose digest is not the id it is filed under is not trusted.
      expect(cache.config(`sha256:${'2'.repeat(64)}`)).toBeUndefined();
      const restored = LayerIndex.fromCache(cache.layer(diffId)!);
      const again = new LayeredFs([restored]);
      expect([...again.entries()].map((e) => e.path)).toEqual([...fs.entries()].map((e) => e.path));
      expect(again.readFile('/a')?.toString()).toBe('read me');
      expect(again.sha256('/c')).toBe(digest);
      expect(again.readFile('/e')?.length).toBe(0);
      expect(restored.misses).toBe(0);
      expect(again.readFile('/b')).toBeUndefined();
      expect(restored.misses).toBe(1);
      expect(cache.layer(`sha256:${'3'.repeat(64)}`)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
