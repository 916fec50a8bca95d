/**
 * The build context as docker sends it: the files under the context
 * directory minus what .dockerignore excludes, walked in Go's lexical order,
 * symlinks not followed. Only what is in here can be a COPY/ADD source.
 *
 * The Dockerfile and .dockerignore are always available to the builder (it
 * reads them before anything else), but like docker they are visible to COPY
 * only when .dockerignore does not exclude them.
 *
 * Special files, as docker's client handles them: sockets cannot be put in a
 * tar and are left out (with a warning); FIFOs and device nodes are sent as
 * such; a file the process cannot read fails the build, naming the file.
 */
import { accessSync, constants, existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../common/diagnostics.js';
import type { FileKind } from '../../track/fs.js';
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
}

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
      let names: string[];
      try {
        names = readdirSync(dirAbs);
      } catch (e) {
        throw new UserError(`build context: cannot read directory ${dirRel || '.'}: ${(e as Error).message}`);
      }
      // Go's filepath.Walk visits names in byte order.
      names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      for (const name of names) {
        const rel = dirRel ? `${dirRel}/${name}` : name;
        const abs = path.join(dirAbs, name);
        const st = lstatSync(abs);
        const { matched, info } = matcher.matchesUsingParent(rel, parentInfo);
        if (matched) {
          if (st.isDirectory() && matcher.mustDescend(rel)) visit(abs, rel, info);
          continue;
        }
        const entry = this.entryFor(rel, abs, st);
        if (!entry) continue;
        this.byPath.set(rel, entry);
        this.order.push(rel);
        if (st.isDirectory()) visit(abs, rel, info);
      }
    };
    visit(this.root, '', undefined);
  }

  private entryFor(rel: string, abs: string, st: Stats): ContextEntry | undefined {
    let kind: FileKind;
    if (st.isFile()) kind = 'file';
    else if (st.isDirectory()) kind = 'dir';
    else if (st.isSymbolicLink()) kind = 'symlink';
    else if (st.isFIFO()) kind = 'fifo';
    else if (st.isCharacterDevice()) kind = 'char';
    else if (st.isBlockDevice()) kind = 'block';
    else {
      this.warnings.push(`${rel}: sockets cannot be sent in a build context; left out`);
      return undefined;
    }
    if (kind === 'file') {
      try {
        accessSync(abs, constants.R_OK);
      } catch {
        throw new UserError(`build context: no permission to read from ${rel}`);
      }
    }
    return {
      path: rel,
      kind,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      size: kind === 'file' ? st.size : 0,
      mtime: Math.floor(st.mtimeMs / 1000),
      ...(kind === 'symlink' ? { linkTarget: readlinkSync(abs) } : {}),
      inode: `${st.dev}:${st.ino}`,
      nlink: st.nlink,
      rdev: st.rdev,
    };
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

const rootEntry: ContextEntry = { path: '', kind: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0, inode: 'root', nlink: 1, rdev: 0 };
