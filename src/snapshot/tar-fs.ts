/**
 * A `SnapshotFs` over tar streams: what the engine hands back from
 * getArchive / export, and the layer tars of `docker save`.
 *
 * Indexing reads the stream once: every entry's metadata goes into an
 * in-memory index, and contents are kept in memory up to a size cap; larger
 * files are spooled to one temporary file and read from there on demand (the
 * interface is synchronous, so "lazily" means "from local disk, not from the
 * engine again"). A file's sha256 is computed when first asked for: the
 * tracker needs it only for files no package accounts for, and hashing every
 * file of an image cost a third of reading it.
 *
 * Layer tars use whiteouts: `dir/.wh.name` deletes `dir/name` from the layers
 * below, `dir/.wh..wh..opq` hides everything the layers below had in `dir`.
 * `fromLayers` applies a stack of them; a single layer's own deletions are
 * reported by `deleted` and `opaqueDirs`.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { readAt } from '../common/hash.js';
import type { FileEntry, FileKind, SnapshotFs } from './fs.js';
import { normalizePath, resolveWith } from './paths.js';

export interface TarFsOptions {
  /** Directory of the snapshot the archive's entries are relative to (getArchive of /usr/lib: "/usr"). Default "/". */
  at?: string;
  /** Files up to this size stay in memory; larger ones are spooled to a temporary file. Default 1 MiB. */
  maxInlineBytes?: number;
  /** Read whiteouts as deletions (layer tars). Default false: `.wh.` files are ordinary files. */
  layer?: boolean;
  /**
   * Hash every regular file while it streams in. For a snapshot whose every
   * file will be hashed anyway (the target image), this overlaps hashing with
   * the engine still producing the archive. Default false: hashed when asked.
   */
  hashAll?: boolean;
}

const OPAQUE = '.wh..wh..opq';
const WHITEOUT = '.wh.';

interface Stored {
  entry: FileEntry;
  sha256?: string;
  data?: Buffer;
  spool?: { offset: number; size: number };
  /** A parent directory the archive implied but did not list. */
  implicit?: boolean;
}

/** Temporary file holding the contents of large files, shared by snapshots built from one another. */
class Spool {
  private fd: number | undefined;
  private dir: string | undefined;
  private length = 0;

  append(chunks: Buffer[]): { offset: number; size: number } {
    if (this.fd === undefined) {
      this.dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-tarfs-'));
      this.fd = openSync(path.join(this.dir, 'spool'), 'w+', 0o600);
    }
    const offset = this.length;
    for (const c of chunks) {
      writeSync(this.fd, c, 0, c.length, this.length);
      this.length += c.length;
    }
    return { offset, size: this.length - offset };
  }

  /** Feeds a spooled file's bytes to `hash` in pieces (a large file never sits in memory whole). */
  hashInto(at: { offset: number; size: number }, hash: Hash): void {
    if (this.fd === undefined) throw new Error('tar-fs: spool is closed');
    const buf = Buffer.allocUnsafe(Math.min(at.size, 1 << 20));
    let done = 0;
    while (done < at.size) {
      const n = readSync(this.fd, buf, 0, Math.min(buf.length, at.size - done), at.offset + done);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      done += n;
    }
  }

  read(at: { offset: number; size: number }): Buffer {
    if (this.fd === undefined) throw new Error('tar-fs: spool is closed');
    const buf = Buffer.alloc(at.size);
    readAt(this.fd, buf, at.offset);
    return buf;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.fd = undefined;
    this.dir = undefined;
  }
}

export class TarSnapshotFs implements SnapshotFs {
  private readonly files = new Map<string, Stored>();
  private childIndex: Map<string, string[]> | undefined;
  private sortedPaths: string[] | undefined;
  /** Paths this layer deletes from the layers below (`.wh.` entries), when read as a layer. */
  readonly deleted: string[] = [];
  /** Directories whose lower-layer contents this layer hides (`.wh..wh..opq`), when read as a layer. */
  readonly opaqueDirs: string[] = [];

  private constructor(private readonly spool: Spool) {}

  /** Indexes one tar stream. */
  static async fromStream(stream: Readable, options: TarFsOptions = {}): Promise<TarSnapshotFs> {
    const fs = new TarSnapshotFs(new Spool());
    try {
      await fs.index(stream, options);
    } catch (e) {
      fs.close();
      throw e;
    }
    return fs;
  }

  /** Indexes a tar held in memory. */
  static async fromBuffer(data: Buffer, options: TarFsOptions = {}): Promise<TarSnapshotFs> {
    const { Readable } = await import('node:stream');
    return TarSnapshotFs.fromStream(Readable.from([data]), options);
  }

  /**
   * The file system a stack of layer tars makes, base first: each layer's
   * whiteouts delete from the layers below, then its entries are laid over them.
   */
  static async fromLayers(
    layers: Iterable<Readable> | AsyncIterable<Readable>,
    options: Omit<TarFsOptions, 'layer' | 'at'> = {},
  ): Promise<TarSnapshotFs> {
    const merged = new TarSnapshotFs(new Spool());
    try {
      for await (const stream of layers) {
        const layer = new TarSnapshotFs(merged.spool);
        await layer.index(stream, { ...options, layer: true });
        merged.applyLayer(layer);
      }
    } catch (e) {
      merged.close();
      throw e;
    }
    return merged;
  }

  private applyLayer(layer: TarSnapshotFs): void {
    const removeTree = (root: string, keepRoot: boolean) => {
      const prefix = root === '/' ? '/' : `${root}/`;
      for (const p of [...this.files.keys()]) {
        if ((!keepRoot && p === root) || p.startsWith(prefix)) this.files.delete(p);
      }
    };
    for (const dir of layer.opaqueDirs) removeTree(dir, true);
    for (const p of layer.deleted) removeTree(p, false);
    // A directory a layer only implies keeps the metadata the layers below gave it.
    for (const [p, stored] of layer.files) if (!(stored.implicit && this.files.has(p))) this.files.set(p, stored);
    this.deleted.push(...layer.deleted);
    this.opaqueDirs.push(...layer.opaqueDirs);
    this.invalidate();
  }

  private async index(stream: Readable, options: TarFsOptions): Promise<void> {
    const at = normalize(options.at ?? '/');
    const cap = options.maxInlineBytes ?? 1024 * 1024;
    const extract = tar.extract();
    await new Promise<void>((resolve, reject) => {
      extract.on('entry', (header, body, next) => {
        const full = normalize(path.posix.join(at, header.name));
        const base = path.posix.basename(full);
        const dir = path.posix.dirname(full);
        if (options.layer && base === OPAQUE) {
          this.opaqueDirs.push(dir);
          body.on('end', next);
          body.resume();
          return;
        }
        if (options.layer && base.startsWith(WHITEOUT)) {
          this.deleted.push(normalize(path.posix.join(dir, base.slice(WHITEOUT.length))));
          body.on('end', next);
          body.resume();
          return;
        }
        const kind = kindOf(header.type);
        if (!kind) {
          // pax/gnu metadata entries are folded into the next header by tar-stream; anything else is skipped.
          body.on('end', next);
          body.resume();
          return;
        }
        const entry: FileEntry = {
          path: full,
          kind,
          mode: (header.mode ?? 0) & 0o7777,
          uid: header.uid ?? 0,
          gid: header.gid ?? 0,
          size: kind === 'file' ? (header.size ?? 0) : 0,
          mtime: header.mtime ? Math.floor(header.mtime.getTime() / 1000) : 0,
        };
        if (kind === 'symlink' && header.linkname !== undefined && header.linkname !== null)
          entry.linkTarget = header.linkname;
        if (kind === 'hardlink' && header.linkname) entry.linkTarget = normalize(path.posix.join(at, header.linkname));
        if (kind !== 'file') {
          this.files.set(full, { entry });
          body.on('end', next);
          body.resume();
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        let spooled: { offset: number; size: number } | undefined;
        const hash = options.hashAll ? createHash('sha256') : undefined;
        body.on('data', (chunk: unknown) => {
          const c = chunk as Buffer;
          hash?.update(c);
          size += c.length;
          chunks.push(c);
          // Spill as soon as the cap is crossed so a huge file never sits in memory whole.
          if (size > cap) {
            const part = this.spool.append(chunks.splice(0));
            spooled = spooled ? { offset: spooled.offset, size: spooled.size + part.size } : part;
          }
        });
        body.on('end', () => {
          if (spooled && chunks.length) {
            const part = this.spool.append(chunks.splice(0));
            spooled = { offset: spooled.offset, size: spooled.size + part.size };
          }
          entry.size = size;
          this.files.set(full, {
            entry,
            ...(spooled ? { spool: spooled } : { data: Buffer.concat(chunks) }),
            ...(hash ? { sha256: hash.digest('hex') } : {}),
          });
          next();
        });
        body.on('error', reject);
      });
      extract.on('finish', resolve);
      extract.on('error', reject);
      stream.on('error', reject);
      stream.pipe(extract);
    });
    this.addImplicitParents();
    this.invalidate();
  }

  /** Directories an archive implies but does not list (getArchive of a file lists no parents) exist as root-owned 0755, as untar makes them. */
  private addImplicitParents(): void {
    for (const p of [...this.files.keys()]) {
      for (let d = path.posix.dirname(p); !this.files.has(d); d = path.posix.dirname(d)) {
        this.files.set(d, {
          entry: { path: d, kind: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0 },
          implicit: true,
        });
        if (d === '/') break;
      }
    }
    if (!this.files.has('/')) {
      this.files.set('/', {
        entry: { path: '/', kind: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0 },
        implicit: true,
      });
    }
  }

  private invalidate(): void {
    this.childIndex = undefined;
    this.sortedPaths = undefined;
  }

  /** A parent directory the archive implied without listing it. */
  isImplicit(p: string): boolean {
    return this.files.get(normalize(p))?.implicit === true;
  }

  stat(p: string): FileEntry | undefined {
    const s = this.files.get(normalize(p));
    return s ? { ...s.entry } : undefined;
  }

  readFile(p: string): Buffer | undefined {
    let s = this.files.get(normalize(p));
    if (s?.entry.kind === 'hardlink' && s.entry.linkTarget) s = this.files.get(s.entry.linkTarget);
    if (!s || s.entry.kind !== 'file') return undefined;
    if (s.data) return s.data;
    if (s.spool) return this.spool.read(s.spool);
    return Buffer.alloc(0);
  }

  readRange(p: string, offset: number, length: number): Buffer | undefined {
    let s = this.files.get(normalize(p));
    if (s?.entry.kind === 'hardlink' && s.entry.linkTarget) s = this.files.get(s.entry.linkTarget);
    if (!s || s.entry.kind !== 'file') return undefined;
    if (s.data) return s.data.subarray(offset, offset + length);
    if (!s.spool) return Buffer.alloc(0);
    const start = Math.min(offset, s.spool.size);
    return this.spool.read({ offset: s.spool.offset + start, size: Math.min(length, s.spool.size - start) });
  }

  /** sha256 (hex) of a regular file's contents (a hardlink: of its target's). */
  sha256(p: string): string | undefined {
    let s = this.files.get(normalize(p));
    if (s?.entry.kind === 'hardlink' && s.entry.linkTarget) s = this.files.get(s.entry.linkTarget);
    if (s?.entry.kind !== 'file') return undefined;
    if (s.sha256 === undefined) {
      const hash = createHash('sha256');
      if (s.data) hash.update(s.data);
      else if (s.spool) this.spool.hashInto(s.spool, hash);
      s.sha256 = hash.digest('hex');
    }
    return s.sha256;
  }

  list(dir: string): FileEntry[] {
    if (!this.childIndex) {
      const index = new Map<string, string[]>();
      for (const p of this.paths()) {
        if (p === '/') continue;
        const parent = path.posix.dirname(p);
        let kids = index.get(parent);
        if (!kids) index.set(parent, (kids = []));
        kids.push(p);
      }
      for (const kids of index.values()) kids.sort(byName);
      this.childIndex = index;
    }
    return (this.childIndex.get(normalize(dir)) ?? []).map((p) => ({ ...this.files.get(p)!.entry }));
  }

  *entries(): Iterable<FileEntry> {
    for (const p of this.paths()) yield { ...this.files.get(p)!.entry };
  }

  private paths(): string[] {
    this.sortedPaths ??= [...this.files.keys()].sort(comparePaths);
    return this.sortedPaths;
  }

  resolve(p: string): string | undefined {
    return resolveWith((q) => this.files.get(q)?.entry, normalize(p));
  }

  /** Releases the spool file. The index stays usable for metadata; large files can no longer be read or hashed. */
  close(): void {
    this.spool.close();
  }
}

function kindOf(type: string | null | undefined): FileKind | undefined {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'dir';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    case 'character-device':
      return 'char';
    case 'block-device':
      return 'block';
    case 'fifo':
      return 'fifo';
    default:
      return undefined;
  }
}

/** "/a/b" for "a/b/", "./a//b", "/a/./b"; ".." never climbs above the root. */
export const normalize = normalizePath;

function byName(a: string, b: string): number {
  const x = path.posix.basename(a);
  const y = path.posix.basename(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Path order where a directory's contents follow it directly ("/a", "/a/b", "/a-b"). */
function comparePaths(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  }
  return x.length - y.length;
}
