/**
 * The build context as docker sends it: the files under the context
 * directory minus what .dockerignore excludes, walked in Go's lexical order,
 * symlinks not followed. Only what is in here can be a COPY/ADD source.
 *
 * The Dockerfile and .dockerignore are always available to the builder (it
 * reads them before anything else), but like docker they are visible to COPY
 * only when .dockerignore does not exclude them.
 *
 * Special files: FIFOs and device nodes are in the context as such (COPY
 * makes them in the image, as docker's builders do); a socket is in the
 * context too, and COPY makes it an empty file, as BuildKit does since fsutil
 * 0.0.0-2022 (tonistiigi/fsutil#123; docker's legacy client leaves sockets out,
 * which `classic` copies reproduce). A file the process cannot read fails the
 * build, naming the file.
 *
 * Names that are not valid UTF-8 (and symlinks whose target is not): docker
 * sends them byte for byte. scannable keeps them in the context under an
 * escaped name ("bad\xff.txt"), never descends into such a directory, and
 * refuses to copy them (`unrepresentable`): neither the SBOM (JSON) nor the
 * tar writer could name them exactly, and provenance must be exact.
 */
import {
  accessSync,
  constants,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import { UserError } from '../common/diagnostics.js';
import { sha256OfFile } from '../common/hash.js';
import type { FileKind } from '../snapshot/fs.js';
import { BadPatternError } from './go-match.js';
import { PatternMatcher, parseDockerignore, type MatchInfo } from './dockerignore.js';

export interface ContextEntry {
  /** Relative to the context root, '/'-separated ("src/main.c"). */
  path: string;
  kind: FileKind;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  linkTarget?: string;
  /** Identity of the inode, to keep hardlinks hardlinked. */
  inode: string;
  nlink: number;
  rdev: number;
  /** The name (or a symlink's target) is not valid UTF-8: `path` is escaped and the entry cannot be copied. */
  unrepresentable?: true;
}

/** Valid UTF-8 as is; otherwise every byte that is not part of a valid sequence as \xNN. */
export function escapeName(raw: Buffer): { text: string; valid: boolean } {
  const text = raw.toString('utf8');
  if (!text.includes('\ufffd') || Buffer.from(text, 'utf8').equals(raw)) return { text, valid: true };
  let out = '';
  for (let i = 0; i < raw.length;) {
    const b = raw[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    const seq = len ? raw.subarray(i, i + len) : undefined;
    const decoded = seq && seq.length === len ? seq.toString('utf8') : undefined;
    if (decoded !== undefined && !decoded.includes('\ufffd') && Buffer.from(decoded, 'utf8').equals(seq!)) {
      out += decoded;
      i += len;
    } else {
      out += `\\x${b.toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return { text: out, valid: false };
}

/** Files larger than this are hashed and copied from disk in pieces, never held in memory whole. */
export const STREAM_FILE_BYTES = 1024 * 1024;

export interface ContextOptions {
  /** The Dockerfile, relative to the context (default "Dockerfile"). */
  dockerfile?: string;
  /** Patterns to use instead of reading `.dockerignore`. */
  ignore?: string[];
  /** Match .dockerignore as docker 20.10's client does (see dockerignore.ts). */
  legacyIgnore?: boolean;
}

export class BuildContext {
  readonly root: string;
  readonly ignorePatterns: string[];
  /** The Dockerfile's path relative to the root. */
  readonly dockerfile: string;
  readonly warnings: string[] = [];
  private readonly byPath = new Map<string, ContextEntry>();
  private readonly order: string[] = [];
  /** sha256 of files already hashed, by path, valid while size and mtime stay the same. */
  private readonly hashes = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

  private constructor(root: string, patterns: string[], dockerfile: string) {
    this.root = root;
    this.ignorePatterns = patterns;
    this.dockerfile = dockerfile;
  }

  static open(dir: string, options: ContextOptions = {}): BuildContext {
    const root = path.resolve(dir);
    if (!existsSync(root) || !lstatSync(root).isDirectory()) {
      throw new UserError(`build context ${dir} is not a directory`);
    }
    let patterns = options.ignore;
    if (!patterns) {
      const ignoreFile = path.join(root, '.dockerignore');
      patterns = existsSync(ignoreFile) ? parseDockerignore(readFileSync(ignoreFile, 'utf8')) : [];
    }
    let matcher: PatternMatcher;
    try {
      matcher = new PatternMatcher(patterns, { legacy: options.legacyIgnore ?? false });
    } catch (e) {
      if (e instanceof BadPatternError) throw new UserError(`.dockerignore: ${e.message}`);
      throw e;
    }
    const ctx = new BuildContext(root, patterns, options.dockerfile ?? 'Dockerfile');
    ctx.walk(matcher);
    return ctx;
  }

  private walk(matcher: PatternMatcher): void {
    const visit = (dirAbs: string, dirRel: string, parentInfo: MatchInfo | undefined) => {
      let names: Buffer[];
      try {
        names = readdirSync(dirAbs, { encoding: 'buffer' });
      } catch (e) {
        throw new UserError(`build context: cannot read directory ${dirRel || '.'}: ${(e as Error).message}`);
      }
      // Go's filepath.Walk visits names in byte order.
      names.sort(Buffer.compare);
      for (const raw of names) {
        const { text: name, valid } = escapeName(raw);
        const rel = dirRel ? `${dirRel}/${name}` : name;
        // A name that is not UTF-8 is reached by its bytes.
        const abs = valid ? path.join(dirAbs, name) : Buffer.concat([Buffer.from(dirAbs + path.sep), raw]);
        let st: Stats;
        try {
          st = lstatSync(abs);
        } catch (e) {
          // Deleted while we walk: gone from the context, as from docker's.
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
          throw new UserError(`build context: cannot read ${rel}: ${(e as Error).message}`);
        }
        const { matched, info } = matcher.matchesUsingParent(rel, parentInfo);
        if (matched) {
          if (valid && st.isDirectory() && matcher.mustDescend(rel)) visit(abs as string, rel, info);
          continue;
        }
        const entry = this.entryFor(rel, abs, st, valid);
        if (!entry) continue;
        this.byPath.set(rel, entry);
        this.order.push(rel);
        if (valid && !entry.unrepresentable && st.isDirectory()) visit(abs as string, rel, info);
      }
    };
    visit(this.root, '', undefined);
  }

  private entryFor(rel: string, abs: string | Buffer, st: Stats, validName = true): ContextEntry | undefined {
    let kind: FileKind;
    if (st.isFile()) kind = 'file';
    else if (st.isDirectory()) kind = 'dir';
    else if (st.isSymbolicLink()) kind = 'symlink';
    else if (st.isFIFO()) kind = 'fifo';
    else if (st.isCharacterDevice()) kind = 'char';
    else if (st.isBlockDevice()) kind = 'block';
    else if (st.isSocket()) kind = 'socket';
    else {
      this.warnings.push(`${rel}: a file of an unknown kind; left out`);
      return undefined;
    }
    if (kind === 'file' && validName) {
      try {
        accessSync(abs, constants.R_OK);
      } catch {
        throw new UserError(`build context: no permission to read from ${rel}`);
      }
    }
    let linkTarget: string | undefined;
    let representable = validName;
    if (kind === 'symlink') {
      const t = escapeName(readlinkSync(abs, { encoding: 'buffer' }));
      linkTarget = t.text;
      representable &&= t.valid;
    }
    return {
      path: rel,
      kind,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      size: kind === 'file' ? st.size : 0,
      mtime: Math.floor(st.mtimeMs / 1000),
      ...(linkTarget !== undefined ? { linkTarget } : {}),
      inode: `${st.dev}:${st.ino}`,
      nlink: st.nlink,
      rdev: st.rdev,
      ...(representable ? {} : { unrepresentable: true as const }),
    };
  }

  /**
   * sha256 (hex) of a file, read in pieces (a 2 GB file is never in memory);
   * remembered for the build while its size and mtime do not change.
   */
  sha256(rel: string): string {
    const abs = this.absolute(rel);
    const st = lstatSync(abs);
    const known = this.hashes.get(rel);
    if (known && known.size === st.size && known.mtimeMs === st.mtimeMs) return known.sha256;
    const sha256 = sha256OfFile(abs);
    this.hashes.set(rel, { size: st.size, mtimeMs: st.mtimeMs, sha256 });
    return sha256;
  }

  /** Every path docker would send, in walk order (a directory before its contents). */
  entries(): ContextEntry[] {
    return this.order.map((p) => this.byPath.get(p)!);
  }

  /** One entry (without following a final symlink); undefined when absent or excluded. */
  get(rel: string): ContextEntry | undefined {
    return rel === '' || rel === '.' ? rootEntry : this.byPath.get(rel);
  }

  /** Entries below a directory, in walk order. */
  under(dir: string): ContextEntry[] {
    if (dir === '') return this.entries();
    const prefix = `${dir}/`;
    return this.order.filter((p) => p.startsWith(prefix)).map((p) => this.byPath.get(p)!);
  }

  read(rel: string): Buffer {
    return readFileSync(path.join(this.root, ...rel.split('/')));
  }

  absolute(rel: string): string {
    return path.join(this.root, ...rel.split('/'));
  }

  /** The Dockerfile's text, whatever .dockerignore says about it. */
  readDockerfile(): string {
    const file = path.join(this.root, this.dockerfile);
    if (!existsSync(file)) throw new UserError(`no ${this.dockerfile} in the build context ${this.root}`);
    return readFileSync(file, 'utf8');
  }

  /**
   * A source path resolved inside the context, as docker resolves a COPY
   * source: '..' never leaves the root, and symlinks (the last one too) are
   * followed with absolute targets taken relative to the root. Returns the
   * context-relative path ('' for the root), or undefined when nothing is
   * there (or it is excluded).
   */
  resolve(source: string): string | undefined {
    const pending = source.split('/').filter((p) => p !== '' && p !== '.');
    const parts: string[] = [];
    let hops = 0;
    while (pending.length) {
      const name = pending.shift()!;
      if (name === '..') {
        parts.pop();
        continue;
      }
      const rel = [...parts, name].join('/');
      const entry = this.byPath.get(rel);
      if (!entry) return undefined;
      if (entry.kind === 'symlink' && entry.unrepresentable) throw unrepresentableError(rel);
      if (entry.kind === 'symlink') {
        if (++hops > 255) throw new UserError(`COPY source ${source}: too many levels of symbolic links`);
        const target = entry.linkTarget ?? '';
        if (target.startsWith('/')) parts.length = 0;
        pending.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
        continue;
      }
      parts.push(name);
    }
    return parts.join('/');
  }
}

/** Why a context entry whose name or link target is not UTF-8 cannot be copied. */
export function unrepresentableError(rel: string): UserError {
  return new UserError(
    `build context: ${JSON.stringify(rel)} has a name (or symlink target) that is not valid UTF-8 (invalid bytes shown as \\xNN); ` +
      'docker would copy it byte for byte, but scannable cannot record such a name exactly in the SBOM, so it refuses to copy it. ' +
      'Rename it, or exclude it in .dockerignore',
  );
}

const rootEntry: ContextEntry = {
  path: '',
  kind: 'dir',
  mode: 0o755,
  uid: 0,
  gid: 0,
  size: 0,
  mtime: 0,
  inode: 'root',
  nlink: 1,
  rdev: 0,
};
