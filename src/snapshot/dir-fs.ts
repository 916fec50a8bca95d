/**
 * A SnapshotFs over a directory on disk that holds an image's root (an
 * exported container, an unpacked layer, or "/" itself for tests on the host).
 *
 * Never escapes the root: paths are normalised lexically (".." clamps at the
 * root) and no symlink is followed on the host side, not even in a parent
 * directory, since an absolute link inside the image ("/lib -> /usr/lib")
 * would point into the host. As with a tar, a path reached only through a
 * symlinked directory does not exist until `resolve` is used.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { readRangeOf } from '../common/hash.js';
import path from 'node:path';
import type { FileEntry, FileKind, SnapshotFs } from './fs.js';
import { normalizePath, resolveWith } from './paths.js';

export function kindOfStats(st: Stats): FileKind {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return 'socket';
}

/** A file's mtime as a tar (and so `docker export` and a committed layer) records it: whole seconds. */
export function tarMtime(mtimeMs: number): number {
  return Math.floor(mtimeMs / 1000);
}

/** What a tar (and so `docker export`) records about a file: permission bits, owner, size of regular files, mtime in whole seconds. */
export function entryOfStats(imagePath: string, kind: FileKind, st: Stats): FileEntry {
  return {
    path: imagePath,
    kind,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    size: kind === 'file' ? st.size : 0,
    mtime: tarMtime(st.mtimeMs),
  };
}

export class DirFs implements SnapshotFs {
  readonly root: string;
  /** Directory paths inside the image known to be real directories (true) or not (false). */
  private readonly dirCache = new Map<string, boolean>();
  private entryCache: FileEntry[] | undefined;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** Host path for an image path, or undefined when a parent is not a real directory. */
  private hostPath(p: string): string | undefined {
    const n = normalizePath(p);
    if (n === '/') return this.root;
    const segs = n.slice(1).split('/');
    let cur = '';
    for (let i = 0; i < segs.length - 1; i++) {
      cur += '/' + segs[i];
      let isDir = this.dirCache.get(cur);
      if (isDir === undefined) {
        try {
          isDir = lstatSync(this.root + cur).isDirectory();
        } catch {
          isDir = false;
        }
        this.dirCache.set(cur, isDir);
      }
      if (!isDir) return undefined;
    }
    return this.root + n;
  }

  private entryAt(imagePath: string, host: string, st: Stats): FileEntry {
    const kind = kindOfStats(st);
    const e = entryOfStats(imagePath, kind, st);
    if (kind === 'symlink') {
      try {
        e.linkTarget = readlinkSync(host, 'utf8');
      } catch {
        e.linkTarget = '';
      }
    }
    return e;
  }

  stat(p: string): FileEntry | undefined {
    const host = this.hostPath(p);
    if (host === undefined) return undefined;
    try {
      return this.entryAt(normalizePath(p), host, lstatSync(host));
    } catch {
      return undefined;
    }
  }

  readFile(p: string): Buffer | undefined {
    const host = this.hostPath(p);
    if (host === undefined) return undefined;
    try {
      if (!lstatSync(host).isFile()) return undefined;
      return readFileSync(host);
    } catch {
      return undefined;
    }
  }

  readRange(p: string, offset: number, length: number): Buffer | undefined {
    const host = this.hostPath(p);
    if (host === undefined) return undefined;
    try {
      if (!lstatSync(host).isFile()) return undefined;
      return readRangeOf(host, offset, length);
    } catch {
      return undefined;
    }
  }

  list(dir: string): FileEntry[] {
    const n = normalizePath(dir);
    const host = this.hostPath(n);
    if (host === undefined) return [];
    let names: string[];
    try {
      if (!lstatSync(host).isDirectory()) return [];
      names = readdirSync(host);
    } catch {
      return [];
    }
    names.sort();
    const out: FileEntry[] = [];
    for (const name of names) {
      const child = n === '/' ? '/' + name : n + '/' + name;
      const h = host === this.root ? this.root + '/' + name : host + '/' + name;
      try {
        out.push(this.entryAt(child, h, lstatSync(h)));
      } catch {
        // Vanished between readdir and lstat: not part of the snapshot.
      }
    }
    return out;
  }

  entries(): Iterable<FileEntry> {
    if (!this.entryCache) {
      const all: FileEntry[] = [];
      const walk = (dir: string): void => {
        for (const e of this.list(dir)) {
          all.push(e);
          if (e.kind === 'dir') walk(e.path);
        }
      };
      walk('/');
      all.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      this.entryCache = all;
    }
    return this.entryCache;
  }

  resolve(p: string): string | undefined {
    return resolveWith((q) => this.stat(q), p);
  }
}
