/**
 * POSIX path helpers for paths inside a snapshot, and the one symlink-resolution
 * algorithm every SnapshotFs implementation shares (so a directory, a tar and an
 * in-memory map agree on what "/lib/x/libc.so.6" means in a merged-/usr image).
 */
import type { FileEntry, SnapshotFs } from './fs.js';

const ABNORMAL = /\/\/|\/\.\.?(\/|$)|.\/$/;

/**
 * Absolute, lexically normalised form: one leading "/", no "." or empty
 * segments, ".." applied (and clamped at the root, as the kernel does).
 */
export function normalizePath(p: string): string {
  // Most paths are already normal; this is called for every listed file.
  if (p.charCodeAt(0) === 47 && !ABNORMAL.test(p)) return p;
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return '/' + out.join('/');
}

export function dirnameOf(p: string): string {
  const n = normalizePath(p);
  const i = n.lastIndexOf('/');
  return i <= 0 ? '/' : n.slice(0, i);
}

export function basenameOf(p: string): string {
  const n = normalizePath(p);
  return n.slice(n.lastIndexOf('/') + 1);
}

export function joinPath(dir: string, name: string): string {
  return normalizePath(dir + '/' + name);
}

/** Linux's own limit on symlinks followed while resolving one path (MAXSYMLINKS). */
export const MAX_SYMLINKS = 40;

/**
 * Resolve every symlink in `path` inside the snapshot. Absolute targets restart
 * at the snapshot root, relative ones at the link's directory; ".." never climbs
 * above the root. Undefined when a component is missing, a non-final component
 * is not a directory, or more than MAX_SYMLINKS links are followed (loops).
 */
export function resolveWith(lstat: (p: string) => FileEntry | undefined, path: string): string | undefined {
  const resolved: string[] = [];
  // Components still to walk, stored reversed so pop() takes the next one.
  // Not normalised lexically first: ".." after a symlink climbs from the link's target.
  const pending = path.split('/').filter(Boolean).reverse();
  let links = 0;
  while (pending.length > 0) {
    const seg = pending.pop()!;
    if (seg === '.' || seg === '') continue;
    if (seg === '..') {
      resolved.pop();
      continue;
    }
    const candidate = '/' + (resolved.length ? resolved.join('/') + '/' : '') + seg;
    const entry = lstat(candidate);
    if (!entry) return undefined;
    if (entry.kind === 'symlink') {
      if (++links > MAX_SYMLINKS) return undefined;
      const target = entry.linkTarget ?? '';
      if (target === '') return undefined;
      if (target.startsWith('/')) resolved.length = 0;
      const parts = target.split('/');
      for (let i = parts.length - 1; i >= 0; i--) pending.push(parts[i]!);
      continue;
    }
    if (pending.length > 0 && entry.kind !== 'dir') return undefined;
    resolved.push(seg);
  }
  return '/' + resolved.join('/');
}

/**
 * Where `path` lives once the image's symlinked directories are resolved, with
 * the final component itself left alone (a symlink listed by dpkg stays that
 * symlink). Falls back to the normalised path when the directory is absent.
 * `cache` maps directories to their resolved form across many calls.
 */
export function canonicalPath(fs: SnapshotFs, path: string, cache?: Map<string, string | null>): string {
  const n = normalizePath(path);
  if (n === '/') return n;
  // n is normal: its directory and name are slices of it (called for every file a package lists).
  const slash = n.lastIndexOf('/');
  const dir = slash === 0 ? '/' : n.slice(0, slash);
  let real: string | null | undefined = cache?.get(dir);
  if (real === undefined) {
    real = fs.resolve(dir) ?? null;
    cache?.set(dir, real);
  }
  if (real === null || real === dir) return n;
  return (real === '/' ? '' : real) + n.slice(slash);
}
