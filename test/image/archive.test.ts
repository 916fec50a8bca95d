import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { peekArchiveFile, readImageArchive } from '../../src/image/archive.js';
import { LayeredFs } from '../../src/snapshot/layered-fs.js';
import { dockerArchive, makeTar, ociLayout, type FakeImage } from './helpers.js';

const image: FakeImage = {
  layers: [
    [
      { name: 'etc/', type: 'directory' },
      { name: 'etc/os-release', data: 'ID=test\n' },
    ],
    [
      { name: 'etc/.wh.os-release' },
      { name: 'app/', type: 'directory' },
      { name: 'app/run', data: '#!/bin/sh\n', mode: 0o755 },
    ],
    [
      { name: 'etc/', type: 'directory' },
      { name: 'etc/os-release', data: 'ID=test\n' },
    ],
  ],
  history: [
    { created_by: 'ADD base / # buildkit' },
    { created_by: 'CMD ["sh"] # buildkit', empty_layer: true },
    { created_by: 'RUN /bin/sh -c x # buildkit' },
    { created_by: 'COPY a /etc # buildkit' },
  ],
  tags: ['example:1'],
};

const stream = (b: Buffer, chunk = 4096): Readable =>
  Readable.from(
    (function* () {
      for (let i = 0; i < b.length; i += chunk) yield b.subarray(i, i + chunk);
    })(),
  );

describe('readImageArchive', () => {
  it('reads a podman save archive, whose layers are top-level <hex>.tar files', async () => {
    const { tar, id, diffIds } = await dockerArchive(image, { podman: true });
    const a = await readImageArchive(stream(tar), 'podman.tar');
    try {
      expect(a.id).toBe(id);
      expect(a.layers.map((l) => l.diffId)).toEqual(diffIds);
      const fs = new LayeredFs(a.layers.map((l) => l.fs));
      expect(fs.readFile('/etc/os-release')?.toString()).toBe('ID=test\n');
      expect(fs.stat('/app/run')?.mode).toBe(0o755);
    } finally {
      a.close();
    }
  });
  it('reads a docker save archive, layers in manifest order, a repeated layer written as a link', async () => {
    const { tar, id, diffIds } = await dockerArchive(image, { duplicateAsLink: true });
    const a = await readImageArchive(stream(tar), 'test.tar');
    try {
      expect(a.id).toBe(id);
      expect(a.format).toBe('docker-archive');
      expect(a.repoTags).toEqual(['example:1']);
      expect(a.layers.map((l) => l.diffId)).toEqual(diffIds);
      expect(a.config.history).toHaveLength(4);
      expect(a.layers[2]!.fs).toBe(a.layers[0]!.fs);
      const fs = new LayeredFs(a.layers.map((l) => l.fs));
      expect(fs.readFile('/etc/os-release')?.toString()).toBe('ID=test\n');
      expect(fs.changes[1]!.find((c) => c.path === '/etc/os-release')?.kind).toBe('deleted');
      expect(fs.stat('/app/run')?.mode).toBe(0o755);
    } finally {
      a.close();
    }
  });

  it('reads an OCI layout with gzip layers, and a gzip-compressed archive', async () => {
    const { tar, id } = await ociLayout(image);
    for (const input of [tar, gzipSync(tar)]) {
      const a = await readImageArchive(stream(input, 999), 'oci.tar');
      try {
        expect(a.id).toBe(id);
        expect(a.format).toBe('oci-layout');
        expect(a.repoTags).toEqual(['example.com/app:1']);
        expect(new LayeredFs(a.layers.map((l) => l.fs)).readFile('/app/run')?.toString()).toBe('#!/bin/sh\n');
      } finally {
        a.close();
      }
    }
  });

  it('says what is wrong with an archive it cannot use', async () => {
    await expect(readImageArchive(stream(await makeTar([{ name: 'hello.txt', data: 'hi' }])), 'x.tar')).rejects.toThrow(
      /x\.tar is not an image archive/,
    );
    const two = await makeTar([
      {
        name: 'manifest.json',
        data: JSON.stringify([
          { Config: 'a.json', RepoTags: ['a:1'], Layers: [] },
          { Config: 'b.json', RepoTags: ['b:1'], Layers: [] },
        ]),
      },
    ]);
    await expect(readImageArchive(stream(two), 'two.tar')).rejects.toThrow(/holds 2 images \(a:1, b:1\)/);
    // Drop a layer tar: the manifest names it, the archive lacks it.
    const broken = await makeTar([
      { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', Layers: ['l/layer.tar'] }]) },
      { name: 'c.json', data: JSON.stringify({ rootfs: { diff_ids: ['sha256:' + 'a'.repeat(64)] } }) },
    ]);
    await expect(readImageArchive(stream(broken), 'broken.tar')).rejects.toThrow(/layer l\/layer\.tar is missing/);
  });
});

describe('peekArchiveFile', () => {
  it('reads the id, config and tags of an archive on disk without its layers, and gives up on a compressed one', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-peek-'));
    try {
      const docker = await dockerArchive(image);
      const oci = await ociLayout(image);
      const files = {
        docker: path.join(dir, 'd.tar'),
        oci: path.join(dir, 'o.tar'),
        gz: path.join(dir, 'd.tar.gz'),
        text: path.join(dir, 'x.txt'),
      };
      writeFileSync(files.docker, docker.tar);
      writeFileSync(files.oci, oci.tar);
      writeFileSync(files.gz, gzipSync(docker.tar));
      writeFileSync(files.text, 'not an archive\n'.repeat(100));
      const d = peekArchiveFile(files.docker)!;
      expect(d.id).toBe(docker.id);
      expect(d.repoTags).toEqual(['example:1']);
      expect(JSON.parse(d.configBytes.toString()).rootfs.diff_ids).toEqual(docker.diffIds);
      expect(peekArchiveFile(files.oci)?.id).toBe(oci.id);
      expect(peekArchiveFile(files.gz)).toBeUndefined();
      expect(peekArchiveFile(files.text)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
