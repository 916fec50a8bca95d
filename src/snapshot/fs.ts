/**
 * A read-only view of one snapshot's file system, as the tracker needs it.
 * Catalogers read package databases through it; implementations back it with
 * a directory on disk (tests), a tar stream from the engine (a container's or
 * image's files), or an in-memory map.
 *
 * Paths are absolute POSIX paths inside the image ("/var/lib/dpkg/status").
 * Nothing here follows symlinks implicitly: `resolve` does, explicitly, and
 * within the snapshot (an absolute link target means the image's root).
 */
export type FileKind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'socket';

export interface FileEntry {
  path: string;
  kind: FileKind;
  /** Permission bits and setuid/setgid/sticky (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Modification time, seconds since the epoch. */
  mtime: number;
  /** Symlink target, or the path a hardlink points at. */
  linkTarget?: string;
}

/** How a step changed a path, relative to the snapshot before it. */
export type ChangeKind = 'added' | 'modified' | 'deleted';

export interface Change {
  /** Absolute path in the snapshot. */
  path: string;
  kind: ChangeKind;
}

export interface SnapshotFs {
  /** Metadata of one path, without following a final symlink; undefined when absent. */
  stat(path: string): FileEntry | undefined;
  /** Contents of a regular file (a hardlink reads its target); undefined when absent or not a file. */
  readFile(path: string): Buffer | undefined;
  /**
   * Up to `length` bytes of a regular file from `offset` (fewer at its end),
   * without reading the rest: a cataloger that needs a few headers of a large
   * executable. Optional; undefined when absent or not a file.
   */
  readRange?(path: string, offset: number, length: number): Buffer | undefined;
  /**
   * The value `compute` derives from the regular file at `path` alone (its
   * bytes and size), kept with the image layer that holds the file: another
   * snapshot stacked on the same layer gets it without reading the file again
   * (a stage's base image, cataloged while a RUN runs, then again as part of
   * the final image). `kind` names the computation. Optional; without it, or
   * for what is not a regular file, callers compute every time. The value is
   * shared: callers copy what they go on to change.
   */
  remember?<T>(path: string, kind: string, compute: () => T): T;
  /** Direct children of a directory, sorted by name; empty when absent. */
  list(dir: string): FileEntry[];
  /** Every entry, sorted by path. */
  entries(): Iterable<FileEntry>;
  /**
   * The path with every symlink resolved inside the snapshot (merged /usr:
   * "/lib/x86_64-linux-gnu/libc.so.6" -> "/usr/lib/x86_64-linux-gnu/libc.so.6").
   * Undefined when a link loops or points outside anything that exists.
   */
  resolve(path: string): string | undefined;
}
