/**
 * The file system a stack of image layers makes, over layers already indexed
 * one by one: each path is looked up in the topmost layer that has it, after
 * whiteouts (`.wh.name`, `.wh..wh..opq`) have hidden what lies below, and a
 * file or link put where a directory was has hidden that directory's contents.
 *
 * Stacking also yields what each layer changed relative to the layers below
 * it (added, modified, deleted paths): exactly what the tracker needs from a
 * step, so an image's layers can be traced like the steps of a build.
 */
import path from 'node:path';
import type { Change, FileEntry, SnapshotFs } from './fs.js';
import { normalize } from './layer-index.js';
import { resolveWith } from './paths.js';

/** What stacking needs from one indexed layer (`LayerIndex`). */
export interface LayerView {
  readonly deleted: readonly string[];
  readonly opaqueDirs: readonly string[];
  entries(): Iterable<FileEntry>;
  /** A parent directory the layer implies without listing it: keeps what the layers below say about it. */
  isImplicit(path: string): boolean;
  stat(path: string): FileEntry | undefined;
  readFile(path: string): Buffer | undefined;
  readRange?(path: string, offset: number, length: number): Buffer | undefined;
  sha256(path: string): string | undefined;
  remember?<T>(path: string, kind: string, compute: () => T): T;
}

export type LayerChange = Change;

/** Is `p` or one of its ancestors in `set` (`strict`: ancestors only)? */
function underAny(p: string, set: ReadonlySet<string>, strict: boolean): boolean {
  if (set.size === 0) return false;
  if (!strict && set.has(p)) return true;
  for (let d = path.posix.dirname(p); ; d = path.posix.dirname(d)) {
    if (set.has(d)) return true;
    if (d === '/') return false;
  }
}

export class LayeredFs implements SnapshotFs {
  /** path -> index of the layer that provides it. */
  private readonly top = new Map<string, number>();
  private childIndex: Map<string, string[]> | undefined;
  /** Directories listed so far without the index. */
  private listed = 0;
  private sorted: string[] | undefined;
  /** `sorted` with "/" as "\0": the keys it is sorted by. */
  private sortedKeys: string[] | undefined;
  /** What each stacked layer changed, in order (deletions first, then what it wrote). */
  readonly changes: LayerChange[][] = [];

  /** The file system of `layers[0..count)`; `count` defaults to all of them. */
  constructor(
    private readonly layers: readonly LayerView[],
    count = layers.length,
  ) {
    for (let i = 0; i < count; i++) this.stack(i);
  }

  private stack(i: number): void {
    const layer = this.layers[i]!;
    const changes: LayerChange[] = [];
    const deleted = new Set(layer.deleted);
    const opaque = new Set(layer.opaqueDirs);
    if (deleted.size || opaque.size) {
      for (const p of this.top.keys()) {
        // A whiteout hides the path and everything under it; an opaque directory everything under it.
        if (underAny(p, deleted, false) || underAny(p, opaque, true)) {
          this.top.delete(p);
          changes.push({ path: p, kind: 'deleted' });
        }
      }
    }
    // What is not a directory now but was one below hides everything that was under it (a tar
    // replaces such a directory whole; overlay keeps no whiteout for each path below it).
    const replacedDirs = new Set<string>();
    for (const e of layer.entries()) {
      if (this.top.has(e.path) && layer.isImplicit(e.path)) continue;
      const below = this.top.get(e.path);
      if (e.kind !== 'dir' && below !== undefined && this.layers[below]!.stat(e.path)?.kind === 'dir')
        replacedDirs.add(e.path);
      changes.push({ path: e.path, kind: below !== undefined ? 'modified' : 'added' });
      this.top.set(e.path, i);
    }
    if (replacedDirs.size) {
      for (const p of this.top.keys()) {
        if (underAny(p, replacedDirs, true) && this.top.get(p)! < i) {
          this.top.delete(p);
          changes.push({ path: p, kind: 'deleted' });
        }
      }
    }
    this.changes.push(changes);
    this.childIndex = undefined;
    this.sorted = undefined;
  }

  /** Index of the layer that provides `p` in this stack, if any. */
  layerOf(p: string): number | undefined {
    return this.top.get(normalize(p));
  }

  stat(p: string): FileEntry | undefined {
    const n = normalize(p);
    const i = this.top.get(n);
    return i === undefined ? undefined : this.layers[i]!.stat(n);
  }

  /** Contents of a regular file; a hardlink reads its target as this stack has it. */
  readFile(p: string): Buffer | undefined {
    const e = this.stat(p);
    if (!e) return undefined;
    if (e.kind === 'hardlink' && e.linkTarget) {
      const t = this.stat(e.linkTarget);
      return t?.kind === 'file' ? this.layers[this.top.get(t.path)!]!.readFile(t.path) : undefined;
    }
    return e.kind === 'file' ? this.layers[this.top.get(e.path)!]!.readFile(e.path) : undefined;
  }

  /** Part of a regular file (a hardlink: of its target), read alone where its layer can. */
  readRange(p: string, offset: number, length: number): Buffer | undefined {
    const e = this.stat(p);
    const file = e?.kind === 'hardlink' && e.linkTarget ? this.stat(e.linkTarget) : e;
    if (file?.kind !== 'file') return undefined;
    const layer = this.layers[this.top.get(file.path)!]!;
    return layer.readRange
      ? layer.readRange(file.path, offset, length)
      : layer.readFile(file.path)?.subarray(offset, offset + length);
  }

  /** sha256 (hex) of a regular file (a hardlink: of its target), computed when its layer was indexed. */
  sha256(p: string): string | undefined {
    const e = this.stat(p);
    if (!e) return undefined;
    const file = e.kind === 'hardlink' && e.linkTarget ? this.stat(e.linkTarget) : e;
    return file?.kind === 'file' ? this.layers[this.top.get(file.path)!]!.sha256(file.path) : undefined;
  }

  /** Kept with the layer that provides the file (a hardlink: its target). */
  remember<T>(p: string, kind: string, compute: () => T): T {
    const e = this.stat(p);
    const file = e?.kind === 'hardlink' && e.linkTarget ? this.stat(e.linkTarget) : e;
    if (file?.kind !== 'file') return compute();
    const layer = this.layers[this.top.get(file.path)!]!;
    return layer.remember ? layer.remember(file.path, kind, compute) : compute();
  }

  list(dir: string): FileEntry[] {
    const d = normalize(dir);
    // A few directories are listed by scanning the sorted paths (a catalog lists one or two); many
    // (a subtree copied out, node_modules), from an index of every directory's children.
    if (!this.childIndex && ++this.listed <= SCANNED_LISTS) return this.scanChildren(d).map((p) => this.stat(p)!);
    if (!this.childIndex) {
      const index = new Map<string, string[]>();
      for (const p of this.paths()) {
        if (p === '/') continue;
        const parent = path.posix.dirname(p);
        let kids = index.get(parent);
        if (!kids) index.set(parent, (kids = []));
        kids.push(p);
      }
      for (const kids of index.values()) kids.sort((a, b) => cmp(path.posix.basename(a), path.posix.basename(b)));
      this.childIndex = index;
    }
    return (this.childIndex.get(d) ?? []).map((p) => this.stat(p)!);
  }

  /** `dir`'s direct children: its descendants follow it in the sorted paths, its children in name order. */
  private scanChildren(dir: string): string[] {
    const paths = this.paths();
    const keys = this.sortedKeys!;
    const prefix = dir === '/' ? '\u0000' : dir.replaceAll('/', '\u0000') + '\u0000';
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < keys.length && keys[i]!.startsWith(prefix); i++) {
      if (keys[i]!.indexOf('\u0000', prefix.length) === -1 && paths[i] !== '/') out.push(paths[i]!);
    }
    return out;
  }

  *entries(): Iterable<FileEntry> {
    for (const p of this.paths()) yield this.stat(p)!;
  }

  private paths(): string[] {
    if (!this.sorted) {
      // A directory's contents follow it directly ("/a", "/a/b", "/a-b"): the order of the paths
      // with "/" as the lowest character, compared once each instead of split at every comparison.
      const keyed = [...this.top.keys()].map((p) => [p.replaceAll('/', '\u0000'), p] as const);
      keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      this.sorted = keyed.map((k) => k[1]);
      this.sortedKeys = keyed.map((k) => k[0]);
    }
    return this.sorted;
  }

  resolve(p: string): string | undefined {
    return resolveWith((q) => this.stat(q), normalize(p));
  }
}

/** Directories listed by a scan of the sorted paths before the children of every directory are indexed. */
const SCANNED_LISTS = 8;

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
