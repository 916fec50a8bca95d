/**
 * An image as a tar stream: what `docker save` writes (docker-archive: a
 * manifest.json naming the config and the layer tars) or an OCI image layout
 * (index.json -> manifest -> config and layer blobs, possibly gzip-compressed).
 * Docker 25+ writes both at once; manifest.json wins when present.
 *
 * The stream is read once: every layer tar is indexed as it goes by, small
 * JSON documents are kept, and the manifest, which `docker save` writes last,
 * puts the layers in order at the end.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { UserError } from '../common/diagnostics.js';
import type { ImageConfig } from '../engine/types.js';
import { LayerIndex } from '../snapshot/layer-index.js';
import { TarParser, type EntrySink, type TarHeader } from '../snapshot/tar-stream.js';

/** The image config document, as far as scannable reads it. */
export interface ImageConfigDocument {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  config?: ImageConfig;
  rootfs?: { type?: string; diff_ids?: string[] };
  history?: Array<{ created?: string; created_by?: string; author?: string; comment?: string; empty_layer?: boolean }>;
}

export interface ImageLayer {
  /** Position in the image, base first. */
  index: number;
  /** sha256 of the uncompressed layer tar, as the config lists it. */
  diffId: string;
  /** The layer's own entries; `deleted` and `opaqueDirs` hold its whiteouts. */
  fs: LayerIndex;
}

export interface ImageArchive {
  /** "sha256:" + the config document's digest: the image id. */
  id: string;
  config: ImageConfigDocument;
  /** The config document as stored (what the id is the digest of). */
  configBytes: Buffer;
  repoTags: string[];
  layers: ImageLayer[];
  format: 'docker-archive' | 'oci-layout';
  /** Releases the layers' temporary files. */
  close(): void;
}

/** JSON documents larger than this are not manifests or configs. */
const MAX_JSON = 64 * 1024 * 1024;
/** Bytes looked at to tell a blob's kind (JSON, gzip, zstd, tar). */
const SNIFF = 512;

function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

function isZstd(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528;
}

function looksLikeJson(head: Buffer): boolean {
  const s = head.subarray(0, 64).toString('latin1').trimStart();
  return s.startsWith('{') || s.startsWith('[');
}

function cleanName(name: string): string {
  return path.posix
    .normalize(name)
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '');
}

interface Collected {
  json: Map<string, Buffer>;
  layers: Map<string, LayerIndex>;
  links: Map<string, string>;
  /** Blobs in a form we cannot read (zstd on Node 20), with why. */
  unreadable: Map<string, string>;
}

/** docker save's per-layer v1 metadata and the layout marker say nothing the manifest does not. */
const IGNORED = new Set(['json', 'VERSION', 'oci-layout', 'repositories']);

/** Besides `<id>/layer.tar`: a layer is `blobs/sha256/<hex>` in an OCI layout, `<hex>.tar` in podman save's archive. */
function mayBeLayerBlob(name: string): boolean {
  return name.startsWith('blobs/') || name.endsWith('.tar');
}

class ArchiveReader {
  readonly c: Collected = { json: new Map(), layers: new Map(), links: new Map(), unreadable: new Map() };
  /** Gzip layers inflate on zlib's thread pool; wait for them at the end. */
  private readonly inflating: Promise<void>[] = [];
  private failure: Error | undefined;
  readonly parser: TarParser;

  constructor(private readonly label: string) {
    this.parser = new TarParser((h) => this.entry(h), label);
  }

  private entry(h: TarHeader): EntrySink | undefined {
    const name = cleanName(h.name);
    if (h.type === 'symlink' || h.type === 'hardlink') {
      // docker save writes a layer it already wrote (two equal layers) as a link to the first copy.
      const target = h.type === 'symlink' ? path.posix.join(path.posix.dirname(name), h.linkname) : h.linkname;
      this.c.links.set(name, cleanName(target));
      return undefined;
    }
    if (h.type !== 'file' || IGNORED.has(path.posix.basename(name))) return undefined;
    if (path.posix.basename(name) === 'layer.tar') return this.layerSink(name);
    if (h.size > MAX_JSON && !mayBeLayerBlob(name)) return undefined;
    return this.sniffSink(name, h.size);
  }

  private layerSink(name: string): EntrySink {
    const layer = new LayerIndex(`${this.label}: layer ${name}`);
    this.c.layers.set(name, layer);
    return { data: (c) => layer.push(c), end: () => layer.end() };
  }

  /** Decides from the first bytes whether a blob is a JSON document or a (compressed) layer. */
  private sniffSink(name: string, size: number): EntrySink {
    const head: Buffer[] = [];
    let headLength = 0;
    let target: EntrySink | undefined;
    const decide = (): EntrySink => {
      const first = Buffer.concat(head);
      if (looksLikeJson(first)) {
        if (size > MAX_JSON)
          throw new UserError(`${this.label}: ${name} is larger than ${MAX_JSON} bytes; not an image document`);
        const parts: Buffer[] = [];
        return { data: (c) => parts.push(c), end: () => this.c.json.set(name, Buffer.concat(parts)) };
      }
      if (isZstd(first)) {
        this.c.unreadable.set(name, 'zstd-compressed, which this Node.js cannot read');
        return { data: () => undefined, end: () => undefined };
      }
      if (isGzip(first)) return this.gzipSink(name);
      if (!mayBeLayerBlob(name)) return { data: () => undefined, end: () => undefined };
      return this.layerSink(name);
    };
    return {
      data: (c) => {
        if (target) return target.data(c);
        head.push(c);
        headLength += c.length;
        if (headLength >= Math.min(SNIFF, size)) {
          target = decide();
          for (const h of head) target.data(h);
        }
      },
      end: () => {
        if (!target) {
          target = decide();
          for (const h of head) target.data(h);
        }
        target.end();
      },
    };
  }

  private gzipSink(name: string): EntrySink {
    const layer = new LayerIndex(`${this.label}: layer ${name}`);
    this.c.layers.set(name, layer);
    const gz: Gunzip = createGunzip();
    gz.on('data', (c: Buffer) => {
      try {
        layer.push(c);
      } catch (e) {
        this.failure ??= e as Error;
        gz.destroy();
      }
    });
    this.inflating.push(
      new Promise<void>((resolve) => {
        gz.on('end', () => {
          try {
            layer.end();
          } catch (e) {
            this.failure ??= e as Error;
          }
          resolve();
        });
        gz.on('error', (e) => {
          this.failure ??= new UserError(`${this.label}: layer ${name}: ${e.message}`);
          resolve();
        });
        gz.on('close', () => resolve());
      }),
    );
    return { data: (c) => void gz.write(c), end: () => gz.end() };
  }

  async finish(): Promise<void> {
    this.parser.end();
    await Promise.all(this.inflating);
    if (this.failure) throw this.failure;
  }
}

function parseJson<T>(c: Collected, name: string, what: string, label: string): T {
  const data = c.json.get(name);
  if (!data) throw new UserError(`${label}: ${what} ${name} is missing`);
  try {
    return JSON.parse(data.toString('utf8')) as T;
  } catch {
    throw new UserError(`${label}: ${what} ${name} is not valid JSON`);
  }
}

function blobPath(digest: string, label: string): string {
  const m = /^([a-z0-9]+):([a-f0-9]+)$/.exec(digest);
  if (!m) throw new UserError(`${label}: malformed digest ${JSON.stringify(digest)}`);
  return `blobs/${m[1]}/${m[2]}`;
}

interface Resolved {
  configName: string;
  layerNames: string[];
  repoTags: string[];
  format: ImageArchive['format'];
}

function resolveDockerManifest(c: Collected, label: string): Resolved {
  const manifest = parseJson<Array<{ Config?: string; RepoTags?: string[] | null; Layers?: string[] }>>(
    c,
    'manifest.json',
    'manifest',
    label,
  );
  if (!Array.isArray(manifest) || manifest.length === 0) throw new UserError(`${label}: manifest.json lists no image`);
  if (manifest.length > 1) {
    const names = manifest.map((m) => (m.RepoTags ?? [])[0] ?? m.Config ?? '?').join(', ');
    throw new UserError(
      `${label} holds ${manifest.length} images (${names}); save one image per archive (docker save IMAGE -o file.tar)`,
    );
  }
  const m = manifest[0]!;
  if (!m.Config || !Array.isArray(m.Layers)) throw new UserError(`${label}: manifest.json has no Config or Layers`);
  return {
    configName: cleanName(m.Config),
    layerNames: m.Layers.map(cleanName),
    repoTags: m.RepoTags ?? [],
    format: 'docker-archive',
  };
}

interface OciDescriptor {
  mediaType?: string;
  digest: string;
  annotations?: Record<string, string>;
}

function resolveOciIndex(c: Collected, label: string): Resolved {
  let index = parseJson<{ manifests?: OciDescriptor[] }>(c, 'index.json', 'OCI index', label);
  const tags: string[] = [];
  // An index may point at a nested index (several platforms); follow it down to one manifest.
  for (let depth = 0; depth < 4; depth++) {
    const manifests = (index.manifests ?? []).filter(
      (d) => d.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest',
    );
    if (manifests.length === 0) throw new UserError(`${label}: index.json lists no image manifest`);
    if (manifests.length > 1)
      throw new UserError(`${label} holds ${manifests.length} manifests; save one image for one platform per archive`);
    const d = manifests[0]!;
    const name = d.annotations?.['io.containerd.image.name'] ?? d.annotations?.['org.opencontainers.image.ref.name'];
    if (name && depth === 0 && name.includes(':')) tags.push(name);
    const doc = parseJson<{ manifests?: OciDescriptor[]; config?: OciDescriptor; layers?: OciDescriptor[] }>(
      c,
      blobPath(d.digest, label),
      'manifest',
      label,
    );
    if (doc.manifests) {
      index = doc;
      continue;
    }
    if (!doc.config || !doc.layers) throw new UserError(`${label}: manifest ${d.digest} has no config or layers`);
    return {
      configName: blobPath(doc.config.digest, label),
      layerNames: doc.layers.map((l) => blobPath(l.digest, label)),
      repoTags: tags,
      format: 'oci-layout',
    };
  }
  throw new UserError(`${label}: index.json nests too deeply`);
}

function followLinks(c: Collected, name: string): string {
  let n = name;
  for (let i = 0; i < 8 && c.links.has(n); i++) n = c.links.get(n)!;
  return n;
}

/** Reads a stream to the end, gunzipping it first when it starts with the gzip magic (`docker save | gzip`). */
async function feed(input: Readable, into: TarParser): Promise<void> {
  let gz: Gunzip | undefined;
  let decided = false;
  const done = new Promise<void>((resolve, reject) => {
    input.on('error', reject);
    const push = (c: Buffer) => {
      try {
        into.push(c);
      } catch (e) {
        input.destroy();
        gz?.destroy();
        reject(e as Error);
      }
    };
    input.on('data', (chunk: Buffer) => {
      if (!decided) {
        decided = true;
        if (isGzip(chunk)) {
          gz = createGunzip();
          gz.on('data', push);
          gz.on('error', (e) => reject(new UserError(`not a valid gzip stream: ${e.message}`)));
          gz.on('end', resolve);
        }
      }
      if (gz) gz.write(chunk);
      else push(chunk);
    });
    input.on('end', () => {
      if (gz) gz.end();
      else resolve();
    });
  });
  await done;
}

/**
 * Reads an image from a docker-archive or OCI-layout tar stream (plain or
 * gzip). `label` names the input in errors ("image debian:bookworm", "./img.tar").
 */
export async function readImageArchive(input: Readable, label: string): Promise<ImageArchive> {
  const reader = new ArchiveReader(label);
  const c = reader.c;
  const closeAll = () => {
    for (const l of c.layers.values()) l.close();
  };
  try {
    await feed(input, reader.parser);
    await reader.finish();
    let r: Resolved;
    if (c.json.has('manifest.json')) r = resolveDockerManifest(c, label);
    else if (c.json.has('index.json')) r = resolveOciIndex(c, label);
    else
      throw new UserError(
        `${label} is not an image archive: it has neither manifest.json (docker save) nor index.json (OCI layout)`,
      );
    const configBytes = c.json.get(r.configName);
    if (!configBytes) throw new UserError(`${label}: the image config ${r.configName} is missing`);
    const config = parseJson<ImageConfigDocument>(c, r.configName, 'image config', label);
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== r.layerNames.length) {
      throw new UserError(
        `${label}: the image config lists ${diffIds.length} layers, the manifest ${r.layerNames.length}`,
      );
    }
    const layers: ImageLayer[] = r.layerNames.map((n, index) => {
      const target = followLinks(c, n);
      const fs = c.layers.get(target);
      if (!fs) {
        const why = c.unreadable.get(target);
        throw new UserError(`${label}: layer ${n} ${why ? `is ${why}` : 'is missing from the archive'}`);
      }
      return { index, diffId: diffIds[index]!, fs };
    });
    const used = new Set(layers.map((l) => l.fs));
    for (const l of c.layers.values()) if (!used.has(l)) l.close();
    return {
      id: `sha256:${createHash('sha256').update(configBytes).digest('hex')}`,
      config,
      configBytes,
      repoTags: r.repoTags,
      layers,
      format: r.format,
      close: () => {
        for (const l of used) l.close();
      },
    };
  } catch (e) {
    closeAll();
    throw e;
  }
}

/** What a tarball says about its image without reading its layers. */
export interface ArchivePeek {
  id: string;
  configBytes: Buffer;
  repoTags: string[];
}

/** Entries worth reading when only the image's identity is wanted: manifests, indexes and configs. */
const PEEK_MAX = 4 * 1024 * 1024;

/**
 * The image id, config and tags of an uncompressed docker-archive or OCI
 * layout on disk, read from its small documents only: layer data is skipped
 * by seeking, so this costs milliseconds whatever the image's size. Undefined
 * when the file cannot be read that way (compressed, or not an image archive);
 * `readImageArchive` then says why.
 */
export function peekArchiveFile(file: string): ArchivePeek | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const c: Collected = { json: new Map(), layers: new Map(), links: new Map(), unreadable: new Map() };
    const parser = new TarParser((h) => {
      const name = cleanName(h.name);
      if (h.type === 'symlink' || h.type === 'hardlink') {
        c.links.set(
          name,
          cleanName(h.type === 'symlink' ? path.posix.join(path.posix.dirname(name), h.linkname) : h.linkname),
        );
        return undefined;
      }
      if (h.type !== 'file' || h.size > PEEK_MAX || !(name.endsWith('.json') || name.startsWith('blobs/')))
        return undefined;
      const parts: Buffer[] = [];
      return {
        data: (chunk) => parts.push(Buffer.from(chunk)),
        end: () => {
          const data = Buffer.concat(parts);
          if (looksLikeJson(data)) c.json.set(name, data);
        },
      };
    }, file);
    const buf = Buffer.allocUnsafe(64 * 1024);
    let pos = 0;
    while (pos < size) {
      const skip = Math.min(parser.skippable, size - pos);
      if (skip > 0) {
        parser.skip(skip);
        pos += skip;
        continue;
      }
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      if (pos === 0 && isGzip(buf.subarray(0, n))) return undefined;
      parser.push(buf.subarray(0, n));
      pos += n;
    }
    parser.end();
    const label = file;
    const r = c.json.has('manifest.json')
      ? resolveDockerManifest(c, label)
      : c.json.has('index.json')
        ? resolveOciIndex(c, label)
        : undefined;
    const configBytes = r ? c.json.get(r.configName) : undefined;
    if (!r || !configBytes) return undefined;
    return {
      id: `sha256:${createHash('sha256').update(configBytes).digest('hex')}`,
      configBytes,
      repoTags: r.repoTags,
    };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
