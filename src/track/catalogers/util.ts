/** Reading helpers shared by catalogers: size caps, text decoding, os-release. */
import type { FileEntry, SnapshotFs } from '../../snapshot/fs.js';
import type { Problem } from './types.js';

export const MiB = 1024 * 1024;

export type Read<T> = { ok: true; value: T } | { ok: false; problem: Problem };

/**
 * A metadata file as text: absent, larger than `maxBytes`, or holding NUL bytes
 * (binary, so not the text format we expect) are reported, never thrown.
 */
export function readText(fs: SnapshotFs, path: string, maxBytes: number): Read<string> {
  const st = fs.stat(path);
  if (!st || st.kind !== 'file') return { ok: false, problem: { path, reason: 'not a regular file' } };
  if (st.size > maxBytes) {
    return { ok: false, problem: { path, reason: `larger than ${maxBytes} bytes (${st.size}); not read` } };
  }
  const buf = fs.readFile(path);
  if (!buf) return { ok: false, problem: { path, reason: 'could not be read' } };
  if (buf.length > maxBytes) {
    return { ok: false, problem: { path, reason: `larger than ${maxBytes} bytes (${buf.length}); not read` } };
  }
  if (buf.includes(0)) return { ok: false, problem: { path, reason: 'binary content (NUL bytes) in a text format' } };
  return { ok: true, value: buf.toString('utf8') };
}

/** `compute` for the file at `path`, remembered with its layer where the snapshot can (`SnapshotFs.remember`). */
export function remembered<T>(fs: SnapshotFs, path: string, kind: string, compute: () => T): T {
  return fs.remember ? fs.remember(path, kind, compute) : compute();
}

/**
 * `parse` of the text at `path` (read as readText does), remembered with the
 * layer holding the file where the snapshot can (`SnapshotFs.remember`).
 * `parse` must depend on the text alone; its result is shared, so callers copy
 * what they change.
 */
export function readParsed<T>(
  fs: SnapshotFs,
  path: string,
  maxBytes: number,
  kind: string,
  parse: (text: string) => T,
): Read<T> {
  return remembered(fs, path, `${kind}:${maxBytes}`, () => {
    const r = readText(fs, path, maxBytes);
    return r.ok ? { ok: true, value: parse(r.value) } : r;
  });
}

/** Like readText, but resolves symlinks inside the snapshot first (doc dirs are often links). */
export function readTextResolved(fs: SnapshotFs, path: string, maxBytes: number): Read<string> & { path?: string } {
  const real = fs.resolve(path);
  if (real === undefined) return { ok: false, problem: { path, reason: 'absent' } };
  return { ...readText(fs, real, maxBytes), path: real };
}

export interface OsRelease {
  id?: string;
  versionId?: string;
  versionCodename?: string;
  idLike: string[];
  /** ID-VERSION_ID (or ID-VERSION_CODENAME), the purl "distro" qualifier. */
  distro?: string;
}

const osReleaseCache = new WeakMap<SnapshotFs, OsRelease>();

/** /etc/os-release, else /usr/lib/os-release (resolving links), parsed per os-release(5). */
export function osRelease(fs: SnapshotFs): OsRelease {
  const cached = osReleaseCache.get(fs);
  if (cached) return cached;
  const vars: Record<string, string> = {};
  for (const p of ['/etc/os-release', '/usr/lib/os-release']) {
    const r = readTextResolved(fs, p, MiB);
    if (!r.ok) continue;
    for (const line of r.value.split('\n')) {
      const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
      if (!m) continue;
      let v = m[2]!.trim();
      if (/^(["']).*\1$/.test(v)) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
      vars[m[1]!] = v;
    }
    break;
  }
  const id = vars.ID?.toLowerCase();
  const info: OsRelease = {
    id,
    versionId: vars.VERSION_ID,
    versionCodename: vars.VERSION_CODENAME,
    idLike: (vars.ID_LIKE ?? '').split(/\s+/).filter(Boolean),
  };
  const ver = info.versionId ?? info.versionCodename;
  if (id && ver) info.distro = `${id}-${ver}`;
  osReleaseCache.set(fs, info);
  return info;
}

/** Dedupe while keeping order. */
export function unique<T>(xs: Iterable<T>): T[] {
  return [...new Set(xs)];
}

export function problem(path: string, reason: string): Problem {
  return { path, reason };
}

export function isExecutableFile(e: FileEntry): boolean {
  return e.kind === 'file' && (e.mode & 0o111) !== 0;
}
