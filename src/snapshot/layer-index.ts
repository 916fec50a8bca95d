/**
 * One image layer, indexed from its tar as it streams by: every entry's
 * metadata, small files' contents in memory (as slices of the chunks they
 * arrived in), large files' contents in a temporary spool file, and the
 * layer's whiteouts. File digests are computed when first asked for: most
 * files of an image are identified by the package that owns them, and hashing
 * every byte of an image costs more than everything else together.
 *
 * A layer can also be restored from the layer cache (cache.ts): metadata and
 * digests in full, contents only of the files a previous run read. Asking for
 * any other file's contents is then a miss, counted, so the caller can tell
 * the result is incomplete and read the real layer instead.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readAt } from '../common/hash.js';
import { normalizePath } from './paths.js';
import type { FileEntry, FileKind } from './fs.js';
import { TarParser, type EntrySink, type TarHeader } from './tar-stream.js';

/** Paths callers pass are nearly always normal already ("/usr/bin/x"): skip the work then. */
export const normalize = normalizePath;

const OPAQUE = '.wh..wh..opq';
const WHITEOUT = '.wh.';

interface Stored {
  entry: FileEntry;
  data?: Buffer;
  spool?: { offset: number; size: number };
  sha256?: string;
  /** A parent directory the layer implies but does not list. */
  implicit?: boolean;
}

/** A temporary file for one layer's large file contents (created on first use). */
class Spool {
  private fd: number | undefined;
  private dir: string | undefined;
  private length = 0;

  append(chunk: Buffer): number {
    if (this.fd === undefined) {
      this.dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-image-'));
      this.fd = openSync(path.join(this.dir, 'spool'), 'w+', 0o600);
    }
    const at = this.length;
    let done = 0;
    while (done < chunk.length) done += writeSync(this.fd, chunk, done, chunk.length - done, at + done);
    this.length += chunk.length;
    return at;
  }

  read(at: { offset: number; size: number }): Buffer {
    if (this.fd === undefined) throw new Error('image spool is closed');
    const buf = Buffer.allocUnsafe(at.size);
    if (readAt(this.fd, buf, at.offset) < at.size) throw new Error('image spool: short read');
    return buf;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.fd = undefined;
    this.dir = undefined;
  }
}

const KINDS: Partial<Record<TarHeader['type'], FileKind>> = {
  file: 'file',
  hardlink: 'hardlink',
  symlink: 'symlink',
  char: 'char',
  block: 'block',
  dir: 'dir',
  fifo: 'fifo',
};

/** What the layer cache keeps of a layer. */
export interface CachedLayer {
  /** [path, kind, mode, uid, gid, size, mtime, linkTarget, implicit] */
  entries: Array<[string, FileKind, number, number, number, number, number, string | null, boolean]>;
  deleted: string[];
  opaqueDirs: string[];
  /** Contents of the files a run read. */
  contents: Array<[string, Buffer]>;
  /** Digests a run computed. */
  digests: Array<[string, string]>;
}

export interface LayerIndexOptions {
  /** Files up to this size stay in memory; larger ones go to the spool. Default 1 MiB. */
  maxInlineBytes?: number;
}

export class LayerIndex {
  private readonly files = new Map<string, Stored>();
  /** Paths this layer deletes from the layers below (`.wh.<name>`). */
  readonly deleted: string[] = [];
  /** Directories whose contents in the layers below this layer hides (`.wh..wh..opq`). */
  readonly opaqueDirs: string[] = [];
  private readonly parser: TarParser;
  private readonly cap: number;
  private readonly spool = new Spool();
  private finished = false;
  /** Files whose contents were asked for (what the layer cache keeps). */
  private readonly read = new Set<string>();
  /** Restored from the cache: contents of files not kept there are unavailable. */
  private cached = false;
  /** Contents asked for that a cached layer does not hold. */
  misses = 0;

  constructor(label: string, options: LayerIndexOptions = {}) {
    this.cap = options.maxInlineBytes ?? 1024 * 1024;
    this.parser = new TarParser((h) => this.entry(h), label);
  }

  /** Feeds the next chunk of the layer tar. */
  push(chunk: Buffer): void {
    this.parser.push(chunk);
  }

  /** After the last chunk. */
  end(): void {
    this.parser.end();
    this.addImplicitParents();
    this.finished = true;
  }

  /** Indexes a whole layer tar held in memory (tests, small layers). */
  static fromBuffer(data: Buffer, label = 'layer', options: LayerIndexOptions = {}): LayerIndex {
    const l = new LayerIndex(label, options);
    l.push(data);
    l.end();
    return l;
  }

  /** A layer as the cache kept it. */
  static fromCache(c: CachedLayer, label = 'cached layer'): LayerIndex {
    const l = new LayerIndex(label);
    for (const [p, kind, mode, uid, gid, size, mtime, linkTarget, implicit] of c.entries) {
      const entry: FileEntry = {
        path: p,
        kind,
        mode,
        uid,
        gid,
        size,
        mtime,
        ...(linkTarget !== null ? { linkTarget } : {}),
      };
      l.files.set(p, { entry, ...(implicit ? { implicit: true } : {}) });
    }
    l.deleted.push(...c.deleted);
    l.opaqueDirs.push(...c.opaqueDirs);
    for (const s of l.files.values()) if (s.entry.kind === 'file' && s.entry.size === 0) s.data = Buffer.alloc(0);
    for (const [p, data] of c.contents) {
      const s = l.files.get(p);
      if (s) s.data = data;
      l.read.add(p);
    }
    for (const [p, digest] of c.digests) {
      const s = l.files.get(p);
      if (s) s.sha256 = digest;
    }
    l.cached = true;
    l.finished = true;
    return l;
  }

  /** What the cache keeps: all metadata and digests, and the contents of the files read (plus `alsoKeep`). */
  toCache(alsoKeep: Iterable<string> = []): CachedLayer {
    const keep = new Set([...this.read, ...alsoKeep]);
    const entries: CachedLayer['entries'] = [];
    const contents: CachedLayer['contents'] = [];
    const digests: CachedLayer['digests'] = [];
    for (const [p, s] of this.files) {
      const e = s.entry;
      entries.push([p, e.kind, e.mode, e.uid, e.gid, e.size, e.mtime, e.linkTarget ?? null, s.implicit === true]);
      if (s.sha256 !== undefined) digests.push([p, s.sha256]);
      if (keep.has(p) && e.kind === 'file') {
        const data = s.data ?? (s.spool ? this.spool.read(s.spool) : undefined);
        if (data) contents.push([p, data]);
      }
    }
    return { entries, deleted: [...this.deleted], opaqueDirs: [...this.opaqueDirs], contents, digests };
  }

  /** Paths whose contents this layer was asked for. */
  readPaths(): string[] {
    return [...this.read];
  }

  private entry(h: TarHeader): EntrySink | undefined {
    const full = normalize(h.name);
    const base = path.posix.basename(full);
    const dir = path.posix.dirname(full);
    if (base === OPAQUE) {
      this.opaqueDirs.push(dir);
      return undefined;
    }
    if (base.startsWith(WHITEOUT)) {
      this.deleted.push(normalize(path.posix.join(dir, base.slice(WHITEOUT.length))));
      return undefined;
    }
    const kind = KINDS[h.type];
    if (!kind) return undefined;
    const entry: FileEntry = {
      path: full,
      kind,
      mode: h.mode,
      uid: h.uid,
      gid: h.gid,
      size: kind === 'file' ? h.size : 0,
      mtime: h.mtime,
    };
    if (kind === 'symlink') entry.linkTarget = h.linkname;
    if (kind === 'hardlink') entry.linkTarget = normalize(h.linkname);
    const stored: Stored = { entry };
    this.files.set(full, stored);
    if (kind !== 'file' || h.size === 0) {
      if (kind === 'file') stored.data = Buffer.alloc(0);
      return undefined;
    }
    if (h.size > this.cap) {
      let offset: number | undefined;
      return {
        data: (c) => {
          const at = this.spool.append(c);
          offset ??= at;
        },
        end: () => {
          stored.spool = { offset: offset!, size: h.size };
        },
      };
    }
    const parts: Buffer[] = [];
    return {
      data: (c) => parts.push(c),
      // A file that arrived in one chunk stays a slice of it: no copy.
      end: () => {
        stored.data = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      },
    };
  }

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
  }

  /** Whether the layer only implies `p` (a parent directory it does not list). */
  isImplicit(p: string): boolean {
    return this.files.get(normalize(p))?.implicit === true;
  }

  has(p: string): boolean {
    return this.files.has(normalize(p));
  }

  stat(p: string): FileEntry | undefined {
    const s = this.files.get(normalize(p));
    return s ? { ...s.entry } : undefined;
  }

  private content(s: Stored): Buffer | undefined {
    this.read.add(s.entry.path);
    if (s.data) return s.data;
    if (s.spool) return this.spool.read(s.spool);
    if (this.cached) this.misses++;
    return undefined;
  }

  /** A regular file's contents (a hardlink reads its target, which a layer tar always holds). */
  readFile(p: string): Buffer | undefined {
    let s = this.files.get(normalize(p));
    if (s?.entry.kind === 'hardlink' && s.entry.linkTarget) s = this.files.get(s.entry.linkTarget);
    return s?.entry.kind === 'file' ? this.content(s) : undefined;
  }

  /** sha256 (hex) of a regular file's contents, computed once. */
  sha256(p: string): string | undefined {
    let s = this.files.get(normalize(p));
    if (s?.entry.kind === 'hardlink' && s.entry.linkTarget) s = this.files.get(s.entry.linkTarget);
    if (s?.entry.kind !== 'file') return undefined;
    if (s.sha256 === undefined) {
      const data = this.content(s);
      if (!data) return undefined;
      s.sha256 = createHash('sha256').update(data).digest('hex');
    }
    return s.sha256;
  }

  /** Every entry, in archive order (implied parents last). */
  *entries(): Iterable<FileEntry> {
    if (!this.finished) throw new Error('internal: layer read before its end');
    for (const s of this.files.values()) yield { ...s.entry };
  }

  /** Removes the spool file; metadata stays readable. */
  close(): void {
    this.spool.close();
  }
}
