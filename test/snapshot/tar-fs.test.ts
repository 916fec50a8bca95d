import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import tar from 'tar-stream';
import { DockerEngine, readAll } from '../../src/engine/docker/client.js';
import { TarSnapshotFs, normalize } from '../../src/snapshot/tar-fs.js';
import { buildLabel, cleanup, describeEngine, testBuildId } from '../engine/helpers.js';

type Entry = Partial<tar.Header> & Pick<tar.Header, 'name'> & { data?: Buffer };

async function makeTar(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const { data, ...header } of entries) {
    const h = { mtime: new Date(1_000_000_000_000), ...header };
    if (data) pack.entry(h, data);
    else pack.entry(h);
  }
  pack.finalize();
  return readAll(pack as unknown as Readable);
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('TarSnapshotFs', () => {
  it('indexes files, dirs, links and special files with their metadata', async () => {
    const big = Buffer.alloc(300_000, 7);
    const fs = await TarSnapshotFs.fromBuffer(
      await makeTar([
        { name: 'etc/', type: 'directory', mode: 0o755 },
        { name: 'etc/passwd', mode: 0o644, uid: 0, gid: 0, data: Buffer.from('root:x:0:0::/root:/bin/sh\n') },
        { name: 'usr/', type: 'directory', mode: 0o755 },
        { name: 'usr/lib/', type: 'directory', mode: 0o755 },
        { name: 'usr/lib/libc.so.6', mode: 0o755, data: Buffer.from('ELF') },
        { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
        { name: 'usr/bin/sh', mode: 0o4755, uid: 1000, gid: 50, data: Buffer.from('sh') },
        { name: 'usr/bin/ash', type: 'link', linkname: 'usr/bin/sh' },
        { name: 'usr/bin/abs', type: 'symlink', linkname: '/lib/libc.so.6' },
        { name: 'loop1', type: 'symlink', linkname: 'loop2' },
        { name: 'loop2', type: 'symlink', linkname: 'loop1' },
        { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
        { name: 'run/fifo', type: 'fifo', mode: 0o644 },
        { name: `deep/${'d'.repeat(120)}/file.bin`, data: big },
      ]),
      { maxInlineBytes: 64 * 1024 },
    );
    expect(fs.stat('/etc/passwd')).toMatchObject({ kind: 'file', mode: 0o644, uid: 0, size: 26, mtime: 1_000_000_000 });
    expect(fs.stat('/usr/bin/sh')).toMatchObject({ mode: 0o4755, uid: 1000, gid: 50 });
    expect(fs.stat('/lib')).toMatchObject({ kind: 'symlink', linkTarget: 'usr/lib' });
    expect(fs.stat('/usr/bin/ash')).toMatchObject({ kind: 'hardlink', linkTarget: '/usr/bin/sh' });
    expect(fs.readFile('/usr/bin/ash')?.toString()).toBe('sh');
    expect(fs.sha256('/usr/bin/ash')).toBe(sha('sh'));
    expect(fs.stat('/dev/null')?.kind).toBe('char');
    expect(fs.stat('/run/fifo')?.kind).toBe('fifo');
    expect(fs.readFile('/dev/null')).toBeUndefined();
    // Symlinks are never followed implicitly; resolve does, inside the snapshot.
    expect(fs.readFile('/lib/libc.so.6')).toBeUndefined();
    expect(fs.resolve('/lib/libc.so.6')).toBe('/usr/lib/libc.so.6');
    expect(fs.resolve('/usr/bin/abs')).toBe('/usr/lib/libc.so.6');
    expect(fs.resolve('/loop1')).toBeUndefined();
    expect(fs.resolve('/lib/absent')).toBeUndefined();
    // A file over the cap is spooled to disk and read back intact; a long (pax) name survives.
    const bigPath = `/deep/${'d'.repeat(120)}/file.bin`;
    expect(fs.stat(bigPath)?.size).toBe(big.length);
    expect(fs.readFile(bigPath)?.equals(big)).toBe(true);
    expect(fs.sha256(bigPath)).toBe(sha(big));
    // Parents the archive implies (run/, dev/, deep/...) exist; children are sorted by name.
    expect(fs.stat('/run')).toMatchObject({ kind: 'dir', mode: 0o755 });
    expect(fs.list('/usr/bin').map((e) => e.path)).toEqual(['/usr/bin/abs', '/usr/bin/ash', '/usr/bin/sh']);
    expect(fs.list('/').map((e) => e.path)).toEqual([
      '/deep',
      '/dev',
      '/etc',
      '/lib',
      '/loop1',
      '/loop2',
      '/run',
      '/usr',
    ]);
    const all = [...fs.entries()].map((e) => e.path);
    expect(all[0]).toBe('/');
    expect(all.indexOf('/usr/lib')).toBeLessThan(all.indexOf('/usr/lib/libc.so.6'));
    fs.close();
  });

  it('hashes every file while it streams in when asked, as it would when asked later (spooled files too)', async () => {
    const big = Buffer.alloc(300_000, 9);
    const tarBuf = await makeTar([
      { name: 'a.txt', data: Buffer.from('alpha') },
      { name: 'big.bin', data: big },
      { name: 'empty', data: Buffer.alloc(0) },
      { name: 'hard', type: 'link', linkname: 'a.txt' },
    ]);
    const eager = await TarSnapshotFs.fromBuffer(tarBuf, { maxInlineBytes: 64 * 1024, hashAll: true });
    const lazy = await TarSnapshotFs.fromBuffer(tarBuf, { maxInlineBytes: 64 * 1024 });
    try {
      // Closing the spool first: an eager hash needs no file contents any more, a lazy one would.
      eager.close();
      expect(eager.sha256('/big.bin')).toBe(sha(big));
      for (const p of ['/a.txt', '/empty', '/hard']) expect(eager.sha256(p), p).toBe(lazy.sha256(p));
      expect(eager.sha256('/hard')).toBe(sha('alpha'));
    } finally {
      lazy.close();
    }
  });

  it('places an archive of a subdirectory where it came from', async () => {
    const fs = await TarSnapshotFs.fromBuffer(await makeTar([{ name: 'lib/x.so', data: Buffer.from('x') }]), {
      at: '/usr',
    });
    expect(fs.readFile('/usr/lib/x.so')?.toString()).toBe('x');
  });

  it('reads whiteouts in a layer and applies them over the layers below', async () => {
    const lower = await makeTar([
      { name: 'etc/', type: 'directory', mode: 0o700, uid: 5 },
      { name: 'etc/group', data: Buffer.from('g') },
      { name: 'etc/passwd', data: Buffer.from('p') },
      { name: 'opt/app/', type: 'directory' },
      { name: 'opt/app/old.txt', data: Buffer.from('old') },
      { name: 'opt/app/sub/deep.txt', data: Buffer.from('deep') },
    ]);
    const upper = await makeTar([
      { name: 'etc/.wh.group', data: Buffer.alloc(0) },
      { name: 'etc/new', data: Buffer.from('n') },
      { name: 'opt/app/.wh..wh..opq', data: Buffer.alloc(0) },
      { name: 'opt/app/new.txt', data: Buffer.from('new') },
    ]);
    const single = await TarSnapshotFs.fromBuffer(upper, { layer: true });
    expect(single.deleted).toEqual(['/etc/group']);
    expect(single.opaqueDirs).toEqual(['/opt/app']);
    expect(single.stat('/etc/.wh.group')).toBeUndefined();
    const merged = await TarSnapshotFs.fromLayers([Readable.from([lower]), Readable.from([upper])]);
    expect(merged.stat('/etc/group')).toBeUndefined();
    expect(merged.readFile('/etc/passwd')?.toString()).toBe('p');
    expect(merged.readFile('/etc/new')?.toString()).toBe('n');
    // The upper layer only implied /etc: it keeps the lower layer's metadata.
    expect(merged.stat('/etc')).toMatchObject({ mode: 0o700, uid: 5 });
    expect(merged.list('/opt/app').map((e) => e.path)).toEqual(['/opt/app/new.txt']);
    expect(merged.stat('/opt/app/sub/deep.txt')).toBeUndefined();
    // Without layer semantics a whiteout is just a file.
    const plain = await TarSnapshotFs.fromBuffer(upper);
    expect(plain.stat('/etc/.wh.group')?.kind).toBe('file');
  });

  it('normalizes paths without climbing above the root', () => {
    expect(normalize('./a//b/')).toBe('/a/b');
    expect(normalize('../../x')).toBe('/x');
    expect(normalize('/')).toBe('/');
  });
});

describeEngine('TarSnapshotFs on engine archives', () => {
  const engine = new DockerEngine();
  const buildId = testBuildId('tarfs');
  afterAll(() => cleanup(engine, buildId));

  it('rebuilds an image from the layer tars of docker save, deletions included', async () => {
    const base = await engine.resolveImage('busybox:latest');
    const c = await engine.createContainer({
      image: base,
      buildId,
      entrypoint: [],
      cmd: ['sh', '-c', 'rm /etc/group; mkdir -p /srv; echo hi > /srv/hi'],
    });
    await engine.run(c.id);
    const image = await engine.commit(c.id, { config: { Cmd: ['sh'] }, labels: buildLabel(buildId) });
    await engine.removeContainer(c.id);

    const saved = await readAll(await engine.saveImage(image));
    const files = new Map<string, Buffer>();
    const extract = tar.extract();
    extract.on('entry', (h, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (d: unknown) => chunks.push(d as Buffer));
      body.on('end', () => {
        files.set(h.name, Buffer.concat(chunks));
        next();
      });
    });
    await new Promise((resolve, reject) => {
      extract.on('finish', () => resolve(undefined));
      extract.on('error', reject);
      extract.end(saved);
    });
    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as { Layers: string[] }[];
    const layers = manifest[0]!.Layers.map((l) => Readable.from([files.get(l)!]));
    expect(layers).toHaveLength(2);
    const top = await TarSnapshotFs.fromBuffer(files.get(manifest[0]!.Layers[1]!)!, { layer: true });
    expect(top.deleted).toEqual(['/etc/group']);
    const fs = await TarSnapshotFs.fromLayers(layers);
    expect(fs.stat('/etc/group')).toBeUndefined();
    expect(fs.readFile('/etc/passwd')?.toString()).toMatch(/^root:/);
    expect(fs.readFile('/srv/hi')?.toString()).toBe('hi\n');
    expect(fs.resolve('/bin/sh')).toBe('/bin/busybox');

    // The same tree as the engine's own export of a container from that image.
    const exported = await TarSnapshotFs.fromStream(await engine.readImage(image, undefined, buildId));
    const paths = (x: TarSnapshotFs) =>
      [...x.entries()]
        .map((e) => e.path)
        .filter((p) => !/^\/(etc\/(hosts|hostname|resolv\.conf|mtab)|\.dockerenv|dev|proc|sys)(\/|$)/.test(p));
    expect(paths(fs)).toEqual(paths(exported));
    fs.close();
    exported.close();
  });
});
