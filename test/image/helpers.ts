/** In-memory tars, layers and image archives for the image tests. */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';

export interface TarItem {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  data?: Buffer | string;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

export async function makeTar(items: TarItem[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const it of items) {
    const type = it.type ?? 'file';
    const data = it.data === undefined ? undefined : Buffer.isBuffer(it.data) ? it.data : Buffer.from(it.data);
    const header = {
      name: it.name,
      type,
      mode: it.mode ?? (type === 'directory' ? 0o755 : 0o644),
      uid: it.uid ?? 0,
      gid: it.gid ?? 0,
      mtime: new Date(1_700_000_000_000),
      ...(it.linkname !== undefined ? { linkname: it.linkname } : {}),
      ...(type === 'file' ? { size: data?.length ?? 0 } : {}),
    };
    if (type === 'file') pack.entry(header, data ?? Buffer.alloc(0));
    else pack.entry(header);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as Readable) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

export interface FakeImage {
  layers: TarItem[][];
  history: Array<{ created_by?: string; empty_layer?: boolean }>;
  config?: Record<string, unknown>;
  tags?: string[];
}

/**
 * A docker-archive (what `docker save` writes) of a made-up image; returns the tar and the image id.
 * `podman`: as `podman save` writes it, each layer a top-level `<hex>.tar` that the manifest names,
 * linked from the legacy `<dir>/layer.tar`.
 */
export async function dockerArchive(
  img: FakeImage,
  opts: { duplicateAsLink?: boolean; podman?: boolean } = {},
): Promise<{ tar: Buffer; id: string; diffIds: string[] }> {
  const layerTars = await Promise.all(img.layers.map(makeTar));
  const diffIds = layerTars.map((t) => `sha256:${sha256(t)}`);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: img.config ?? {},
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: img.history,
      created: '2024-01-02T03:04:05Z',
    }),
  );
  const id = sha256(config);
  const items: TarItem[] = [];
  const names: string[] = [];
  layerTars.forEach((t, i) => {
    const dir = `layer${i}`;
    if (opts.podman) {
      const top = `${sha256(t)}.tar`;
      names.push(top);
      if (!items.some((x) => x.name === top)) items.push({ name: top, data: t });
      items.push({ name: `${dir}/layer.tar`, type: 'symlink', linkname: `../${top}` });
      return;
    }
    names.push(`${dir}/layer.tar`);
    items.push(
      { name: `${dir}/`, type: 'directory' },
      { name: `${dir}/VERSION`, data: '1.0' },
      { name: `${dir}/json`, data: '{}' },
    );
    const first = layerTars.findIndex((x) => x.equals(t));
    if (opts.duplicateAsLink && first < i)
      items.push({ name: `${dir}/layer.tar`, type: 'symlink', linkname: `../layer${first}/layer.tar` });
    else items.push({ name: `${dir}/layer.tar`, data: t });
  });
  items.push({ name: `${id}.json`, data: config });
  items.push({
    name: 'manifest.json',
    data: JSON.stringify([{ Config: `${id}.json`, RepoTags: img.tags ?? null, Layers: names }]),
  });
  return { tar: await makeTar(items), id: `sha256:${id}`, diffIds };
}

/** An OCI image layout with gzip-compressed layers. */
export async function ociLayout(img: FakeImage): Promise<{ tar: Buffer; id: string }> {
  const layerTars = await Promise.all(img.layers.map(makeTar));
  const diffIds = layerTars.map((t) => `sha256:${sha256(t)}`);
  const blobs = new Map<string, Buffer>();
  const put = (b: Buffer): string => {
    const d = `sha256:${sha256(b)}`;
    blobs.set(d, b);
    return d;
  };
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: img.config ?? {},
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: img.history,
    }),
  );
  const configDigest = put(config);
  const layers = layerTars.map((t) => {
    const gz = gzipSync(t);
    return { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: put(gz), size: gz.length };
  });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers,
    }),
  );
  const manifestDigest = put(manifest);
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: manifestDigest,
        size: manifest.length,
        annotations: { 'io.containerd.image.name': 'example.com/app:1' },
      },
    ],
  };
  const items: TarItem[] = [
    { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
    { name: 'index.json', data: JSON.stringify(index) },
  ];
  for (const [d, b] of blobs) items.push({ name: `blobs/sha256/${d.slice(7)}`, data: b });
  return { tar: await makeTar(items), id: configDigest };
}
