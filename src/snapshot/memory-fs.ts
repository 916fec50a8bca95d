/**
 * An in-memory SnapshotFs, for tests and for small synthetic snapshots.
 * Built from a plain object: a string or Buffer is a regular file, `{ symlink }`
 * a link, `{ dir: true }` an (empty) directory; parent directories are implied.
 */
import type { FileEntry, FileKind, SnapshotFs } from './fs.js';
import { dirnameOf, normalizePath, resolveWith } from './paths.js';

export type MemoryNode =
  | string
  | Buffer
  | { content: string | Buffer; mode?: number; uid?: number; gid?: number; mtime?: number }
  | { symlink: string }
  | { dir: true; mode?: number }
  | { kind: Exclude<FileKind, 'file' | 'dir' | 'symlink'>; linkTarget?: string; mode?: number };

export class MemoryFs implements SnapshotFs {
  private readonly nodes = new Map<string, FileEntry>();
  private readonly data = new Map<string, Buffer>();
  private readonly children = new Map<string, Set<string>>();

  constructor(tree: Record<string, MemoryNode> = {}) {
    this.ensureDir('/');
    for (const [p, node] of Object.entries(tree)) this.put(p, node);
  }

  /** Add or replace one path (parents become directories). */
  put(p: string, node: MemoryNode): this {
    const n = normalizePath(p);
    if (n === '/') return this;
    this.ensureDir(dirnameOf(n));
    const base = { path: n, uid: 0, gid: 0, mtime: 0 };
    let entry: FileEntry;
    if (typeof node === 'string' || Buffer.isBuffer(node)) {
      const buf = Buffer.isBuffer(node) ? node : Buffer.from(node, 'utf8');
      this.data.set(n, buf);
      entry = { ...base, kind: 'file', mode: 0o644, size: buf.length };
    } else if ('content' in node) {
      const buf = Buffer.isBuffer(node.content) ? node.content : Buffer.from(node.content, 'utf8');
      this.data.set(n, buf);
      entry = {
        ...base,
        kind: 'file',
        mode: node.mode ?? 0o644,
        uid: node.uid ?? 0,
        gid: node.gid ?? 0,
        mtime: node.mtime ?? 0,
        size: buf.length,
      };
    } else if ('symlink' in node) {
      entry = { ...base, kind: 'symlink', mode: 0o777, size: 0, linkTarget: node.symlink };
    } else if ('dir' in node) {
      entry = { ...base, kind: 'dir', mode: node.mode ?? 0o755, size: 0 };
    } else {
      entry = { ...base, kind: node.kind, mode: node.mode ?? 0o644, size: 0 };
      if (node.linkTarget !== undefined) entry.linkTarget = node.linkTarget;
    }
    this.nodes.set(n, entry);
    this.link(n);
    return this;
  }

  private ensureDir(d: string): void {
    const existing = this.nodes.get(d);
    if (existing?.kind === 'dir') return;
    if (d !== '/') this.ensureDir(dirnameOf(d));
    this.nodes.set(d, { path: d, kind: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0 });
    this.data.delete(d);
    if (d !== '/') this.link(d);
  }

  private link(n: string): void {
    const parent = dirnameOf(n);
    let set = this.children.get(parent);
    if (!set) this.children.set(parent, (set = new Set()));
    set.add(n);
  }

  stat(p: string): FileEntry | undefined {
    return this.nodes.get(normalizePath(p));
  }

  readFile(p: string): Buffer | undefined {
    const n = normalizePath(p);
    const e = this.nodes.get(n);
    // A tar hardlink reads its target, as the interface promises.
    if (e?.kind === 'hardlink' && e.linkTarget) return this.readFile(e.linkTarget);
    if (e?.kind !== 'file') return undefined;
    return this.data.get(n);
  }

  readRange(p: string, offset: number, length: number): Buffer | undefined {
    return this.readFile(p)?.subarray(offset, offset + length);
  }

  list(dir: string): FileEntry[] {
    const n = normalizePath(dir);
    if (this.nodes.get(n)?.kind !== 'dir') return [];
    const kids = [...(this.children.get(n) ?? [])].map((c) => this.nodes.get(c)!).filter(Boolean);
    return kids.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  entries(): Iterable<FileEntry> {
    return [...this.nodes.values()]
      .filter((e) => e.path !== '/')
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  resolve(p: string): string | undefined {
    return resolveWith((q) => this.stat(q), p);
  }
}
