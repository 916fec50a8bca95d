/**
 * What the engine's archive API (`GET /containers/{id}/archive?path=P`) hands
 * out for one path, made instead from a snapshot this build has already read.
 * COPY --from a stage needs its sources as files; asking the engine means a
 * container, a mount and a tar stream while the engine is busy committing
 * and diffing the previous step (most of a second), whereas the stage's
 * layers are already indexed here.
 *
 * The archive is the engine's: the parent path is resolved inside the
 * snapshot (symlinks followed), the last element is not; the entries are
 * named from P's base name down, in lexical order; sockets are left out (tar
 * cannot hold one); a file met again through another hard link is a link to
 * the first name. Undefined when the snapshot cannot say everything the
 * engine would (device nodes carry numbers a snapshot entry does not keep, a
 * file it cannot read) or when P is absent: the caller then asks the engine,
 * which also words the error for a missing path.
 */
import path from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { FileEntry, SnapshotFs } from './fs.js';
import { normalizePath } from './paths.js';

/** More than this is left to the engine, which streams it; this path holds the bytes in memory once. */
const MAX_BYTES = 256 << 20;

export function subtreeArchive(fs: SnapshotFs, p: string): Readable | undefined {
  const wanted = normalizePath(p);
  if (wanted === '/') return undefined;
  const parent = fs.resolve(path.posix.dirname(wanted));
  if (parent === undefined) return undefined;
  const base = path.posix.basename(wanted);
  const top = fs.stat(parent === '/' ? `/${base}` : `${parent}/${base}`);
  if (!top) return undefined;

  const members: Array<{ name: string; entry: FileEntry }> = [];
  let bytes = 0;
  const visit = (e: FileEntry, name: string): boolean => {
    if (e.kind === 'socket') return true;
    if (e.kind === 'char' || e.kind === 'block') return false;
    // A hard link's size is its target's, which may be counted twice: an overestimate is harmless.
    if (e.kind === 'file' || e.kind === 'hardlink')
      bytes += e.kind === 'file' ? e.size : (fs.stat(e.linkTarget ?? '')?.size ?? 0);
    if (bytes > MAX_BYTES) return false;
    members.push({ name, entry: e });
    if (e.kind === 'dir')
      for (const child of fs.list(e.path))
        if (!visit(child, `${name}/${path.posix.basename(child.path)}`)) return false;
    return true;
  };
  if (!visit(top, base)) return undefined;

  // A hard-link group is keyed by the file its links name; its first member in walk order carries the bytes.
  const contents = new Map<string, Buffer>();
  for (const { entry } of members) {
    if (entry.kind !== 'file' && entry.kind !== 'hardlink') continue;
    const data = fs.readFile(entry.path);
    if (!data) return undefined;
    contents.set(entry.path, data);
  }

  const pack = tar.pack();
  const firstName = new Map<string, string>();
  for (const { name, entry: e } of members) {
    const common = { name, mode: e.mode, uid: e.uid, gid: e.gid, mtime: new Date(e.mtime * 1000) };
    if (e.kind === 'dir') pack.entry({ ...common, type: 'directory' });
    else if (e.kind === 'symlink') pack.entry({ ...common, type: 'symlink', linkname: e.linkTarget ?? '' });
    else if (e.kind === 'fifo') pack.entry({ ...common, type: 'fifo' });
    else {
      const group = e.kind === 'hardlink' && e.linkTarget ? normalizePath(e.linkTarget) : e.path;
      const first = firstName.get(group);
      if (first !== undefined) pack.entry({ ...common, type: 'link', linkname: first });
      else {
        firstName.set(group, name);
        pack.entry({ ...common, type: 'file' }, contents.get(e.path)!);
      }
    }
  }
  pack.finalize();
  return pack as unknown as Readable;
}
