/**
 * COPY and ADD (local sources) as a tar to put into a container at "/", plus
 * a manifest of every path written: where it lands in the image, where it came
 * from (a context path, or a member of a context archive), its metadata and
 * the sha256 of its content. Provenance starts here.
 *
 * Semantics follow docker's classic builder, checked against it in
 * test/context/copy.test.ts:
 * - sources resolve inside the context: a leading "/" and ".." never leave it
 *   ("../x" is "x"; BuildKit's rule, where the classic builder refuses), and
 *   symlinks on the way, the last one included, are followed inside it (a
 *   symlink source keeps its own name; `classic` names it after its target);
 * - wildcards (Go's filepath.Match, '*' not crossing '/') match every context
 *   path; a directory source copies its contents, symlinks inside stay symlinks;
 * - more than one source (after wildcards) needs a destination ending in "/";
 *   a relative destination is relative to WORKDIR; a file goes into an
 *   existing directory of that name;
 * - copied entries keep their mode and mtime and are owned by 0:0 (COPY
 *   --from: keep their owners), or by --chown; --chmod sets the mode of everything copied (`classic`: files
 *   lose setuid/setgid, as the classic builder's chown clears them);
 * - directories the copy creates are 0755; above a file they belong to the
 *   --chown user, above a directory source to root (the classic builder's
 *   quirk, reproduced so the trees agree);
 * - ADD extracts a local tar archive (plain, gzip, bzip2, xz, zstd: by content)
 *   into the destination, keeping its members' owners and modes.
 * - special files: FIFOs and device nodes are made as such; a socket becomes
 *   an empty file (BuildKit; `classic`: left out, as the legacy client does);
 * Not in the classic builder (BuildKit only): --chmod, --exclude, --parents.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';

type TarHeader = Partial<tar.Header> & Pick<tar.Header, 'name'>;
import { UserError } from '../common/diagnostics.js';
import type { FileEntry, FileKind } from '../snapshot/fs.js';
import { readAll } from '../snapshot/tar-util.js';
import { detectCompression, looksLikeTar, readArchive, type ArchiveMember } from './archive.js';
import { STREAM_FILE_BYTES, unrepresentableError, type BuildContext, type ContextEntry } from './context.js';
import { PatternMatcher } from './dockerignore.js';
import { containsWildcards, goMatch } from './go-match.js';
import { parseChmod, parseChown, type IdLookup } from './ids.js';

/** What the copy needs to know about the image it writes into. */
export interface DestView {
  stat(path: string): FileEntry | undefined;
  resolve(path: string): string | undefined;
}

export interface CopyOptions {
  /** Sources as written (after ARG/ENV expansion). */
  sources: string[];
  dest: string;
  /** The image's WORKDIR at this step (default "/"). */
  workdir?: string;
  chown?: string;
  chmod?: string;
  exclude?: string[];
  parents?: boolean;
  /** ADD: local tar archives are extracted. */
  add?: boolean;
  /** Names for --chown (from the image's /etc/passwd and /etc/group). */
  ids?: IdLookup;
  /**
   * The sources are another snapshot's files (COPY --from a stage or an
   * image): without --chown they keep their owners, as both of docker's
   * builders do; context files become root's.
   */
  keepOwners?: boolean;
  /** The snapshot the files go into; without one, the destination is taken to be empty. */
  image?: DestView;
  /** mtime (seconds) of directories the copy creates; default now. */
  mtime?: number;
  /**
   * Where docker's classic builder and BuildKit disagree, do as the classic
   * builder: a symlink source is named after its target, not itself, and
   * copied files lose setuid/setgid (it chowns every file, which clears them).
   * Default: BuildKit, what `docker build` runs today.
   */
  classic?: boolean;
}

export type ManifestSource =
  | { kind: 'context'; path: string }
  | { kind: 'archive'; archive: string; archiveSha256: string; member: string }
  /** A directory the copy had to create on the way to a destination. */
  | { kind: 'created' };

export interface ManifestEntry {
  /** Absolute path in the image, symlinked directories of the image resolved. */
  dest: string;
  kind: FileKind;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  sha256?: string;
  linkTarget?: string;
  source: ManifestSource;
}

export interface CopyPlan {
  /**
   * Put into the container at "/". A Buffer, or — when a file is larger than
   * STREAM_FILE_BYTES — a stream that reads the large files from the context
   * only when consumed (once), checking each against the sha256 in the manifest.
   */
  tar: Buffer | Readable;
  manifest: ManifestEntry[];
  warnings: string[];
}

interface Item {
  /** Context path after following symlinks ('' is the root). */
  resolved: string;
  /** Base name the destination uses: the source as written (a symlink's own name). */
  name: string;
  /** Path relative to the --parents pivot. */
  parentsPath: string;
}

interface Pending {
  header: TarHeader;
  data?: Buffer;
  /** A large context file, read when the tar is streamed. */
  file?: { rel: string; size: number; sha256: string };
  manifest: ManifestEntry;
}

/** Largest ADD archive unpacked (it is read into memory whole). */
const MAX_ARCHIVE_BYTES = 2 * 1024 * 1024 * 1024 - 1;

export async function planCopy(ctx: BuildContext, options: CopyOptions): Promise<CopyPlan> {
  return new CopyPlanner(ctx, options).plan();
}

class CopyPlanner {
  private readonly instr: string;
  private readonly owner: { uid: number; gid: number };
  private readonly chmod: number | undefined;
  private readonly exclude: PatternMatcher | undefined;
  private readonly now: number;
  private readonly out = new Map<string, Pending>();
  /** Kinds of what this copy already wrote, so later items see it. */
  private readonly written = new Map<string, FileKind>();
  private readonly hardlinks = new Map<string, string>();
  private readonly warnings: string[] = [];

  constructor(
    private readonly ctx: BuildContext,
    private readonly o: CopyOptions,
  ) {
    this.instr = o.add ? 'ADD' : 'COPY';
    this.owner = o.chown ? parseChown(o.chown, o.ids, this.instr) : { uid: 0, gid: 0 };
    this.chmod = o.chmod ? parseChmod(o.chmod, this.instr) : undefined;
    this.exclude = o.exclude?.length ? new PatternMatcher(o.exclude) : undefined;
    this.now = o.mtime ?? Math.floor(Date.now() / 1000);
  }

  async plan(): Promise<CopyPlan> {
    const o = this.o;
    if (o.sources.length === 0) throw new UserError(`${this.instr} needs at least one source and a destination`);
    const endsInSlash = o.dest.endsWith('/') || o.dest === '.' || o.dest.endsWith('/.');
    const destAbs = path.posix.isAbsolute(o.dest)
      ? path.posix.normalize(o.dest)
      : path.posix.join('/', o.workdir || '/', o.dest);
    const items = o.sources.flatMap((s) => this.expand(s));
    if (items.length === 0) throw new UserError(`${this.instr} failed: no source files were specified`);
    if ((items.length > 1 || o.parents) && !endsInSlash) {
      throw new UserError(
        `When using ${this.instr} with more than one source file, the destination must be a directory and end with a /`,
      );
    }
    for (const item of items) await this.copyItem(item, destAbs, endsInSlash);
    const pending = [...this.out.values()];
    let tarOut: Buffer | Readable;
    if (pending.some((p) => p.file)) tarOut = Readable.from(streamTar(this.ctx, pending, this.instr));
    else {
      // One entry at a time: tar-stream queues entries added while one is open
      // in an array it shifts, which is quadratic for 100,000 files.
      const pack = tar.pack();
      const all = readAll(pack as unknown as Readable);
      for (const p of pending) {
        await new Promise<void>((resolve, reject) =>
          pack.entry(p.header, p.data ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve())),
        );
      }
      pack.finalize();
      tarOut = await all;
    }
    return {
      tar: tarOut,
      manifest: pending.map((p) => p.manifest),
      warnings: [...this.ctx.warnings, ...this.warnings],
    };
  }

  /** One source as written -> the context paths it names. */
  private expand(source: string): Item[] {
    // --parents: "a/./b/c" keeps "b/c" below the destination.
    const pivotAt = source.indexOf('/./');
    const pivot = pivotAt >= 0 ? confine(source.slice(0, pivotAt)) : '';
    const clean = confine(source);
    const parentsPath = (p: string) =>
      pivot && (p === pivot || p.startsWith(`${pivot}/`)) ? p.slice(pivot.length + 1) : p;
    if (containsWildcards(clean)) {
      const items: Item[] = [];
      for (const e of this.ctx.entries()) {
        let hit: boolean;
        try {
          hit = goMatch(clean, e.path);
        } catch (err) {
          throw new UserError(`${this.instr} ${source}: ${(err as Error).message}`);
        }
        if (!hit) continue;
        const resolved = this.ctx.resolve(e.path);
        if (resolved === undefined) throw notFound(this.instr, e.path);
        items.push({ resolved, name: this.destName(e.path, resolved), parentsPath: parentsPath(e.path) });
      }
      return items;
    }
    const resolved = this.ctx.resolve(clean);
    if (resolved === undefined) throw notFound(this.instr, clean || '.');
    return [{ resolved, name: clean ? this.destName(clean, resolved) : '', parentsPath: parentsPath(clean) }];
  }

  private destName(written: string, resolved: string): string {
    return path.posix.basename(this.o.classic ? resolved : written);
  }

  private async copyItem(item: Item, destAbs: string, endsInSlash: boolean): Promise<void> {
    const entry = this.ctx.get(item.resolved)!;
    if (entry.unrepresentable) throw unrepresentableError(entry.path);
    const base = this.o.parents ? path.posix.join(destAbs, item.parentsPath) : destAbs;
    if (entry.kind === 'dir') {
      if (this.excluded(item.resolved, item.name)) return;
      const dirOwner = { uid: 0, gid: 0 };
      const target = this.ensureDir(base, dirOwner, this.owner);
      const prefix = item.resolved ? `${item.resolved}/` : '';
      for (const e of this.ctx.under(item.resolved)) {
        const inside = e.path.slice(prefix.length);
        if (this.exclude && this.exclude.matches(inside)) continue;
        this.ensureDir(path.posix.dirname(path.posix.join(target, inside)), this.owner, this.owner);
        this.emitContext(e, path.posix.join(target, inside));
      }
      return;
    }
    if (this.excluded(item.resolved, item.name)) return;
    if (this.o.add && entry.kind === 'file') {
      if (entry.size > MAX_ARCHIVE_BYTES) {
        // Too large to unpack here; fine to copy as is when it is no archive at all.
        const head = readHead(this.ctx.absolute(item.resolved), 1024);
        if (detectCompression(head) !== 'none' || looksLikeTar(head)) {
          throw new UserError(
            `${this.instr} ${item.resolved}: an archive of ${entry.size} bytes is larger than scannable unpacks (${MAX_ARCHIVE_BYTES} bytes)`,
          );
        }
      } else {
        const data = this.ctx.read(item.resolved);
        const archive = await readArchive(data, item.resolved);
        if (archive) {
          this.extract(archive.members, item.resolved, sha256(data), base);
          return;
        }
      }
    }
    let target = base;
    if (!this.o.parents && (endsInSlash || this.kindAt(base) === 'dir')) target = path.posix.join(base, item.name);
    const parent = this.ensureDir(path.posix.dirname(target), this.owner, this.owner);
    this.emitContext(entry, path.posix.join(parent, path.posix.basename(target)));
  }

  private excluded(resolved: string, name: string): boolean {
    return Boolean(this.exclude && (this.exclude.matches(resolved) || (name && this.exclude.matches(name))));
  }

  private emitContext(e: ContextEntry, dest: string): void {
    if (e.unrepresentable) throw unrepresentableError(e.path);
    let mode = this.chmod ?? e.mode;
    // chown(2) clears setuid, and setgid when group-executable, on non-directories.
    const owner = this.o.keepOwners && !this.o.chown ? { uid: e.uid, gid: e.gid } : this.owner;
    if (this.o.classic && e.kind === 'file' && owner === this.owner) mode &= mode & 0o010 ? ~0o6000 : ~0o4000;
    const header: TarHeader = {
      name: dest.slice(1),
      mode,
      uid: owner.uid,
      gid: owner.gid,
      mtime: new Date(e.mtime * 1000),
    };
    const manifest: ManifestEntry = {
      dest,
      kind: e.kind,
      mode,
      uid: owner.uid,
      gid: owner.gid,
      size: 0,
      source: { kind: 'context', path: e.path },
    };
    let data: Buffer | undefined;
    let file: Pending['file'];
    switch (e.kind) {
      case 'dir':
        if (this.kindAt(dest) === 'dir') return; // an existing directory keeps its metadata
        header.type = 'directory';
        break;
      case 'symlink':
        header.type = 'symlink';
        header.linkname = e.linkTarget ?? '';
        manifest.linkTarget = header.linkname;
        break;
      case 'file': {
        const first = e.nlink > 1 ? this.hardlinks.get(e.inode) : undefined;
        if (e.size > STREAM_FILE_BYTES) {
          // Hashed in pieces now, streamed from disk when the tar is read.
          manifest.size = e.size;
          manifest.sha256 = this.ctx.sha256(e.path);
          file = { rel: e.path, size: e.size, sha256: manifest.sha256 };
        } else {
          data = this.ctx.read(e.path);
          manifest.size = data.length;
          manifest.sha256 = sha256(data);
        }
        if (first) {
          // Keep hardlinks hardlinked, as docker's tar of the context does.
          header.type = 'link';
          header.linkname = first.slice(1);
          manifest.kind = 'hardlink';
          manifest.linkTarget = first;
          data = undefined;
          file = undefined;
        } else {
          header.type = 'file';
          header.size = manifest.size;
          if (e.nlink > 1) this.hardlinks.set(e.inode, dest);
        }
        break;
      }
      case 'fifo':
        header.type = 'fifo';
        break;
      case 'char':
      case 'block':
        header.type = e.kind === 'char' ? 'character-device' : 'block-device';
        header.devmajor = Math.floor(e.rdev / 256) & 0xfff;
        header.devminor = (e.rdev & 0xff) | ((e.rdev >> 12) & 0xfff00);
        break;
      case 'socket':
        if (this.o.classic) {
          // docker's legacy client cannot put a socket in a tar and leaves it out.
          this.warnings.push(`${e.path}: a socket; left out, as docker's legacy builder does`);
          return;
        }
        // BuildKit copies a socket as an empty file with the socket's permissions.
        this.warnings.push(`${e.path}: a socket; copied as an empty file, as BuildKit does`);
        header.type = 'file';
        header.size = 0;
        data = Buffer.alloc(0);
        manifest.kind = 'file';
        manifest.sha256 = sha256(data);
        break;
      default:
        this.warnings.push(`${e.path}: ${e.kind} left out`);
        return;
    }
    this.put(dest, { header, ...(data ? { data } : {}), ...(file ? { file } : {}), manifest });
  }

  private extract(members: ArchiveMember[], archive: string, archiveSha256: string, destAbs: string): void {
    const root = this.ensureDir(destAbs, this.owner, this.owner);
    for (const m of members) {
      const dest = path.posix.join(root, m.name);
      const parent = this.ensureDir(path.posix.dirname(dest), { uid: 0, gid: 0 }, { uid: 0, gid: 0 });
      const at = path.posix.join(parent, path.posix.basename(dest));
      const uid = this.o.chown ? this.owner.uid : m.uid;
      const gid = this.o.chown ? this.owner.gid : m.gid;
      const mode = this.chmod ?? m.mode;
      const header: TarHeader = { name: at.slice(1), type: m.type, mode, uid, gid, mtime: new Date(m.mtime * 1000) };
      const manifest: ManifestEntry = {
        dest: at,
        kind: memberKind(m.type),
        mode,
        uid,
        gid,
        size: m.data?.length ?? 0,
        source: { kind: 'archive', archive, archiveSha256, member: m.name },
      };
      if (m.type === 'file') {
        header.size = m.data!.length;
        manifest.sha256 = sha256(m.data!);
      } else if (m.type === 'symlink') {
        header.linkname = manifest.linkTarget = m.linkname ?? '';
      } else if (m.type === 'link') {
        const target = path.posix.join(root, m.linkname ?? '');
        header.linkname = target.slice(1);
        manifest.linkTarget = target;
      } else if (m.devmajor !== undefined) {
        header.devmajor = m.devmajor;
        header.devminor = m.devminor ?? 0;
      }
      this.put(at, { header, ...(m.type === 'file' ? { data: m.data! } : {}), manifest });
    }
  }

  private put(dest: string, p: Pending): void {
    if (this.out.has(dest)) this.out.delete(dest); // a later source overwrites an earlier one
    this.out.set(dest, p);
    this.written.set(dest, p.manifest.kind);
  }

  /**
   * Makes sure a directory exists at `dir` (resolving the image's symlinked
   * directories) and returns its real path. Missing components become 0755
   * directories: the last one owned by `leafOwner`, those above by `upperOwner`.
   */
  private ensureDir(
    dir: string,
    upperOwner: { uid: number; gid: number },
    leafOwner: { uid: number; gid: number },
  ): string {
    const parts = dir.split('/').filter(Boolean);
    let current = '/';
    for (let i = 0; i < parts.length; i++) {
      const next = path.posix.join(current, parts[i]!);
      const kind = this.kindAt(next, false);
      if (kind === 'dir') {
        current = next;
        continue;
      }
      if (kind === 'symlink') {
        const real = this.o.image?.resolve(next);
        if (real && this.kindAt(real) === 'dir') {
          current = real;
          continue;
        }
      }
      if (kind !== undefined) {
        throw new UserError(`${this.instr} failed: ${next} exists in the image and is not a directory`);
      }
      const owner = i === parts.length - 1 ? leafOwner : upperOwner;
      const mode = 0o755;
      this.put(next, {
        header: {
          name: next.slice(1),
          type: 'directory',
          mode,
          uid: owner.uid,
          gid: owner.gid,
          mtime: new Date(this.now * 1000),
        },
        manifest: {
          dest: next,
          kind: 'dir',
          mode,
          uid: owner.uid,
          gid: owner.gid,
          size: 0,
          source: { kind: 'created' },
        },
      });
      current = next;
    }
    return current;
  }

  /** What is at an absolute path: what this copy wrote, else the image's (following symlinks unless told not to). */
  private kindAt(p: string, follow = true): FileKind | undefined {
    const mine = this.written.get(p);
    if (mine) return mine;
    const image = this.o.image;
    if (p === '/') return 'dir';
    if (!image) return undefined;
    const st = image.stat(p);
    if (st?.kind === 'symlink' && follow) {
      const real = image.resolve(p);
      return real ? image.stat(real)?.kind : undefined;
    }
    return st?.kind;
  }
}

/** A source path confined to the context: no leading "/", ".." clamped at the root. */
function confine(source: string): string {
  const parts: string[] = [];
  for (const p of source.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return parts.join('/');
}

function readHead(file: string, bytes: number): Buffer {
  const buf = Buffer.alloc(bytes);
  const fd = openSync(file, 'r');
  try {
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * The tar of a copy with large files, produced as it is read: small entries
 * from memory, large files from the context in pieces. A file that is not
 * what it was when hashed (another size, other bytes) fails the copy rather
 * than put bytes in the image that the manifest does not describe.
 */
async function* streamTar(ctx: BuildContext, pending: Pending[], instr: string): AsyncGenerator<Buffer> {
  const pack = tar.pack();
  const write = async () => {
    for (const p of pending) {
      if (!p.file) {
        await new Promise<void>((resolve, reject) =>
          pack.entry(p.header, p.data ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve())),
        );
        continue;
      }
      const { rel, size, sha256: want } = p.file;
      const hash = createHash('sha256');
      const entry = pack.entry({ ...p.header, size });
      const done = new Promise<void>((resolve, reject) => {
        entry.on('finish', resolve);
        entry.on('error', reject);
      });
      done.catch(() => undefined); // awaited below; when the copy fails first, the pack's teardown rejects it unobserved
      const fh = await open(ctx.absolute(rel), 'r');
      try {
        const buf = Buffer.alloc(4 * 1024 * 1024);
        let sent = 0;
        while (sent < size) {
          const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - sent), null);
          if (bytesRead === 0)
            throw new UserError(
              `${instr} ${rel}: the file shrank while it was being copied (${sent} of ${size} bytes)`,
            );
          const chunk = Buffer.from(buf.subarray(0, bytesRead));
          hash.update(chunk);
          sent += bytesRead;
          if (!entry.write(chunk)) await new Promise<void>((r) => entry.once('drain', r));
        }
        if (hash.digest('hex') !== want)
          throw new UserError(
            `${instr} ${rel}: the file changed while it was being copied (its sha256 is no longer ${want})`,
          );
      } finally {
        await fh.close();
      }
      entry.end(() => undefined);
      await done;
    }
    pack.finalize();
  };
  const writing = write().catch((e: unknown) => {
    pack.destroy(e instanceof Error ? e : new Error(String(e)));
    throw e;
  });
  writing.catch(() => undefined);
  for await (const chunk of pack) yield chunk as Buffer;
  await writing;
}

function notFound(instr: string, p: string): UserError {
  return new UserError(
    `${instr} failed: file not found in build context or excluded by .dockerignore: stat ${p}: file does not exist`,
  );
}

function memberKind(type: ArchiveMember['type']): FileKind {
  return (
    {
      file: 'file',
      directory: 'dir',
      symlink: 'symlink',
      link: 'hardlink',
      fifo: 'fifo',
      'character-device': 'char',
      'block-device': 'block',
    } as const
  )[type];
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
