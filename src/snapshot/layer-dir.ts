/**
 * One image layer read straight from the engine's storage on this machine:
 * the `diff` directory overlay2 keeps for every layer. A build's own layers are
 * read this way instead of exporting the whole image again: the bytes are
 * already on local disk, so reading a step's result costs what the step wrote,
 * not the size of the image.
 *
 * overlay2 stores a deletion as a character device 0:0 (a whiteout). An opaque
 * directory (one that hides everything below it) is an extended attribute Node
 * cannot read, so the caller passes the deletions the engine reported for the
 * step (`changes()` lists every hidden path as deleted); both are honoured.
 *
 * Entries look exactly as in `docker export`: mtimes in whole seconds, no
 * sockets (tar has no way to store one), and a file met again through another
 * hard link is a `hardlink` to the first path in walk order.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { readRangeOf, sha256OfFile } from '../common/hash.js';
import { sha256OfFiles } from '../common/hash-pool.js';
import { entryOfStats, kindOfStats } from './dir-fs.js';
import type { FileEntry } from './fs.js';
import { UserError } from '../common/diagnostics.js';
import { ENGINE_EXIT_CODE } from '../common/diagnostics.js';
import type { LayerView } from './layered-fs.js';

/** A file's sha256 as hashed in an earlier build, with what says it is still that file. */
export interface KnownHash {
  size: number;
  mtime: number;
  sha256: string;
}

/**
 * A base layer's directory as one build read it, kept by the layer's diff id
 * (`StepCache.getLayerRecord`): the next build on the same base reads no
 * directory, hashes no file and parses no package database of that layer again.
 */
export interface LayerRecord {
  dir: string;
  /** The directory's inode and mtime (`dirStamp`): a layer stored anew (its image removed and loaded again) is read again. */
  stamp: string;
  files: FileEntry[];
  whiteouts: string[];
  opaqueDirs: string[];
  hashes: Array<[string, string]>;
  /** The code that derived `derived` (`codeFingerprint`): another version parses again. */
  code: string;
  /** What was derived from the layer's files (`remember`). */
  derived: Map<string, unknown>;
}

/** What tells a layer directory from one stored again at the same path. */
export function dirStamp(dir: string): string {
  const st = lstatSync(dir);
  return `${st.ino}:${st.mtimeMs}`;
}

/** How much a layer must have left to hash for a second hashing thread to be worth starting. */
const SECOND_THREAD_BYTES = 64 << 20;

export class LayerDirView implements LayerView {
  readonly deleted: string[];

  private constructor(
    readonly dir: string,
    private readonly files: Map<string, FileEntry>,
    private readonly whiteouts: ReadonlySet<string>,
    /** Shared by views of the same directory: a file is hashed once. */
    private readonly hashes: Map<string, string>,
    /** Values derived from one file (`remember`), shared the same way. */
    private readonly derived: Map<string, unknown>,
    reported: Iterable<string>,
    /** Directories that hide everything below them in lower layers, when known (`withOpaqueDirs`). */
    readonly opaqueDirs: readonly string[] = [],
  ) {
    this.deleted = [...new Set([...whiteouts, ...reported])].sort();
  }

  /** Indexes the layer directory `dir`; `deleted` are the paths the engine reported deleted by this layer. */
  static read(dir: string, deleted: Iterable<string> = []): LayerDirView {
    const files = new Map<string, FileEntry>();
    const whiteouts = new Set<string>();
    walk(dir, files, whiteouts);
    return new LayerDirView(dir, files, whiteouts, new Map(), new Map(), deleted);
  }

  /**
   * The layer as a record describes it (see LayerRecord; the caller checks its
   * directory and stamp). What was derived by other code is dropped.
   */
  static fromRecord(rec: LayerRecord, code: string): LayerDirView {
    const files = new Map(rec.files.map((e) => [e.path, e]));
    const derived = rec.code === code ? rec.derived : new Map<string, unknown>();
    return new LayerDirView(rec.dir, files, new Set(rec.whiteouts), new Map(rec.hashes), derived, [], rec.opaqueDirs);
  }

  /** This layer as a record for the next build: the hashes of the files `only` accepts, and everything derived. */
  toRecord(stamp: string, code: string, only: (path: string) => boolean = () => true): LayerRecord {
    return {
      dir: this.dir,
      stamp,
      files: [...this.files.values()],
      whiteouts: [...this.whiteouts],
      opaqueDirs: [...this.opaqueDirs],
      hashes: [...this.hashes].filter(([p]) => only(p)),
      code,
      derived: this.derived,
    };
  }

  /** How much is known of the layer beyond its listing: a record is kept again when this grew. */
  get knowledge(): { hashes: number; derived: number } {
    return { hashes: this.hashes.size, derived: this.derived.size };
  }

  /** The same layer with the deletions the engine reported for it (known only once its changes() answers). */
  withDeleted(deleted: Iterable<string>): LayerDirView {
    return new LayerDirView(this.dir, this.files, this.whiteouts, this.hashes, this.derived, deleted, this.opaqueDirs);
  }

  /** The same layer with its opaque directories, as `opaqueDirsOf` read them. */
  withOpaqueDirs(opaque: readonly string[]): LayerDirView {
    return new LayerDirView(this.dir, this.files, this.whiteouts, this.hashes, this.derived, this.deleted, opaque);
  }

  /** Hashes every regular file (`only`: those it accepts) on the hashing threads (it runs while later steps do, which then need the event loop). */
  async hashAll(only?: (path: string) => boolean): Promise<void> {
    const entries = [...this.files.values()].filter(
      (e) => e.kind === 'file' && !this.hashes.has(e.path) && (!only || only(e.path)),
    );
    const todo = entries.map((e) => e.path);
    // A second thread only for much to hash: starting one costs more CPU than a few megabytes' hashing.
    const bytes = entries.reduce((n, e) => n + e.size, 0);
    const sums = await sha256OfFiles(
      todo.map((p) => this.hostPath(p)),
      bytes > SECOND_THREAD_BYTES ? 2 : 1,
    );
    // One that could not be read is hashed again when asked for, which names it in the error.
    todo.forEach((p, i) => {
      const sum = sums[i];
      if (sum !== undefined) this.hashes.set(p, sum);
    });
  }

  /**
   * Hashes known from elsewhere (taken while the step that wrote the files
   * ran): taken for files whose size and mtime are as recorded; the rest are
   * hashed.
   */
  seedHashes(known: ReadonlyMap<string, KnownHash>): void {
    for (const [p, k] of known) {
      const e = this.files.get(p);
      if (e?.kind === 'file' && e.size === k.size && e.mtime === k.mtime && !this.hashes.has(p))
        this.hashes.set(p, k.sha256);
    }
  }

  *entries(): Iterable<FileEntry> {
    yield* this.files.values();
  }

  /** The layer directory's own metadata is not the image root's: `docker export` lists no root entry either. */
  isImplicit(p: string): boolean {
    return p === '/';
  }

  stat(p: string): FileEntry | undefined {
    const e = this.files.get(p);
    return e ? { ...e } : undefined;
  }

  readFile(p: string): Buffer | undefined {
    const e = this.files.get(p);
    if (e?.kind === 'hardlink' && e.linkTarget) return this.readFile(e.linkTarget);
    return e?.kind === 'file' ? this.io(p, () => readFileSync(this.hostPath(p))) : undefined;
  }

  readRange(p: string, offset: number, length: number): Buffer | undefined {
    const e = this.files.get(p);
    if (e?.kind === 'hardlink' && e.linkTarget) return this.readRange(e.linkTarget, offset, length);
    return e?.kind === 'file' ? this.io(p, () => readRangeOf(this.hostPath(p), offset, length)) : undefined;
  }

  sha256(p: string): string | undefined {
    const e = this.files.get(p);
    if (e?.kind === 'hardlink' && e.linkTarget) return this.sha256(e.linkTarget);
    if (e?.kind !== 'file') return undefined;
    let sum = this.hashes.get(p);
    if (sum === undefined) {
      sum = this.io(p, () => sha256OfFile(this.hostPath(p)));
      this.hashes.set(p, sum);
    }
    return sum;
  }

  /** The layer's files never change once committed: what is derived from one is kept as long as the view. */
  remember<T>(p: string, kind: string, compute: () => T): T {
    const e = this.files.get(p);
    if (e?.kind === 'hardlink' && e.linkTarget) return this.remember(e.linkTarget, kind, compute);
    if (e?.kind !== 'file') return compute();
    const key = `${kind}\0${p}`;
    if (this.derived.has(key)) return this.derived.get(key) as T;
    const value = compute();
    this.derived.set(key, value);
    return value;
  }

  /** A file that vanished from the engine's storage mid-build (an image removed meanwhile) is one clear error. */
  private io<T>(p: string, read: () => T): T {
    try {
      return read();
    } catch (e) {
      throw new UserError(
        `reading ${p} from the engine's layer ${this.dir}: ${(e as Error).message}; was an image removed while the build ran? Build again`,
        ENGINE_EXIT_CODE,
      );
    }
  }

  private hostPath(p: string): string {
    return p === '/' ? this.dir : this.dir + p;
  }
}

/** Every entry of the layer directory, and its whiteouts (deletions). */
function walk(dir: string, files: Map<string, FileEntry>, whiteouts: Set<string>): void {
  const links = new Map<number, string>();
  const visit = (rel: string, st: Stats) => {
    const kind = kindOfStats(st);
    // A tar cannot hold a socket: docker export leaves them out.
    if (kind === 'socket') return;
    const p = rel === '' ? '/' : rel;
    if (kind === 'char' && st.rdev === 0) {
      whiteouts.add(p);
      return;
    }
    const entry = entryOfStats(p, kind, st);
    if (kind === 'symlink') entry.linkTarget = readlinkSync(dir + rel, 'utf8');
    if (kind === 'file' && st.nlink > 1) {
      const first = links.get(st.ino);
      if (first !== undefined) {
        entry.kind = 'hardlink';
        entry.size = 0;
        entry.linkTarget = first;
      } else links.set(st.ino, p);
    }
    files.set(p, entry);
    if (kind !== 'dir') return;
    // Byte order of names, as docker's archive walk goes.
    const names = readdirSync(dir + rel, { encoding: 'utf8' }).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) visit(`${rel}/${name}`, lstatSync(`${dir}${rel}/${name}`));
  };
  visit('', lstatSync(dir));
}

/**
 * The opaque directories of a layer directory: overlay marks them with the
 * extended attribute trusted.overlay.opaque, which Node cannot read, so
 * getfattr (Debian's `attr` package) lists them. Undefined when getfattr is
 * missing or fails; the caller then asks the engine what the step deleted.
 */
export async function opaqueDirsOf(dir: string): Promise<string[] | undefined> {
  const { execFile } = await import('node:child_process');
  const out = await new Promise<Buffer | undefined>((resolve) => {
    // -d -m: only files carrying the attribute are printed, so any failure is a real one; -h: a
    // symlink's own attributes, never those of what it points at on this machine.
    execFile(
      'getfattr',
      ['-R', '-h', '-d', '-m', '^trusted\\.overlay\\.opaque$', '--absolute-names', dir],
      { encoding: 'buffer', maxBuffer: 64 << 20 },
      (err, stdout) => resolve(err ? undefined : stdout),
    );
  });
  if (!out) return undefined;
  const dirs: string[] = [];
  let file: string | undefined;
  for (const line of out.toString('latin1').split('\n')) {
    if (line.startsWith('# file: ')) file = unescapeName(line.slice('# file: '.length));
    else if (file !== undefined && /^trusted\.overlay\.opaque="y"$/.test(line)) {
      if (file === dir || file.startsWith(dir + '/')) dirs.push(file === dir ? '/' : file.slice(dir.length));
      file = undefined;
    }
  }
  return dirs.sort();
}

/** getfattr writes a name's special bytes (control characters, backslash, non-ASCII) as \ooo octal. */
function unescapeName(text: string): string {
  const bytes = Buffer.from(
    text.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))),
    'latin1',
  );
  return bytes.toString('utf8');
}
