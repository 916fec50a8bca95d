/**
 * A walk through each stage in instruction order, remembering where files
 * came from: copied from the context or another stage, downloaded (verified
 * or not), unpacked or cloned into a directory. SCN104 asks whether a build
 * used sources nobody verified; SCN106 where a package file came from.
 * Stages start with what their base stage had. Computed once per file.
 */
import type { Range } from '../../../common/diagnostics.js';
import type { Instruction, Stage } from '../../../ir/index.js';
import { isGitSource, isUrl, joinWorkdir, splitGitFragment } from '../../../lower/index.js';
import type {
  BuildIntent,
  DownloadIntent,
  ExtractIntent,
  PackageInstallIntent,
  PackageRef,
  ShellCommand,
} from '../../../shell/index.js';
import { fileMemo } from '../../memo.js';
import type { LintContext } from '../../types.js';
import { shownWord } from './define.js';
import { packageSource } from './packages.js';
import { baseName, knownPrefix, resolvePath, within, type FileRef } from './paths.js';
import { effectiveCommand, runView, type DownloadFact, type RunView } from './runs.js';

export type FileOrigin =
  | { kind: 'context'; line: number }
  | { kind: 'download'; url: string; verified: boolean; line: number }
  /** COPY --from, or a RUN --mount from, another stage or an image. */
  | { kind: 'copy'; from: string; how: 'copied' | 'mounted'; line: number };

/** A file (or directory, or glob of files) put in place by an earlier step. */
interface Placed {
  /** Absolute path when known. */
  path?: string;
  name: string;
  /** The source may be a directory: paths inside it came with it. */
  dirLike: boolean;
  /** A glob source (`COPY *.deb /tmp/`): the names it may have placed. */
  glob?: RegExp;
  origin: FileOrigin;
}

/** Sources in a directory that no check covers. */
export interface Untraced {
  /** Where they are; undefined when not known (then any build may use them). */
  dir?: string;
  what: string;
  /** What would make them traceable: a checksum or signature check, or a pinned commit. */
  fix: 'verify' | 'pin';
}

export interface UntracedBuild {
  view: RunView;
  build: BuildIntent;
  cause: Untraced;
}

export interface PackageFile {
  view: RunView;
  install: PackageInstallIntent;
  pkg: PackageRef;
  origin?: FileOrigin;
}

export interface History {
  builds: UntracedBuild[];
  packageFiles: PackageFile[];
}

interface StageState {
  placed: PlacedFiles;
  untraced: Untraced[];
}

const COMMIT = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

function globRegExp(glob: string): RegExp | undefined {
  if (!/[*?[]/.test(glob)) return undefined;
  let re = '';
  for (const c of glob)
    re += c === '*' ? '[^/]*' : c === '?' ? '[^/]' : /[.+^${}()|\\\]]/.test(c) ? `\\${c}` : c === '[' ? '[' : c;
  try {
    return new RegExp(`^${re}$`);
  } catch {
    return undefined;
  }
}

function urlPathName(url: string): string {
  return baseName(url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').replace(/[?#].*$/, '')) || 'index.html';
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/**
 * The files placed so far in a stage, indexed by path, directory and name so
 * that finding the latest one that accounts for a file walks the file's
 * ancestors and its directory, not every file placed before.
 */
class PlacedFiles {
  private seq = 0;
  private readonly order = new Map<Placed, number>();
  private readonly byPath = new Map<string, Placed>();
  private readonly byDir = new Map<string, Placed[]>();
  private readonly byName = new Map<string, Placed>();
  /** Glob sources with a path (`COPY *.deb /tmp/`): few, tested one by one. */
  private readonly globs: Placed[] = [];

  clone(): PlacedFiles {
    const c = new PlacedFiles();
    for (const p of this.order.keys()) c.add(p);
    return c;
  }

  add(p: Placed): void {
    this.order.set(p, this.seq++);
    this.byName.set(p.name, p);
    if (p.path === undefined) return;
    if (p.glob) this.globs.push(p);
    else this.byPath.set(p.path, p);
    const dir = parentOf(p.path);
    const list = this.byDir.get(dir);
    if (list) list.push(p);
    else this.byDir.set(dir, [p]);
  }

  /** The latest placed file (or directory holding it, or glob matching it) that accounts for `f`. */
  find(f: FileRef): Placed | undefined {
    let best: Placed | undefined;
    const consider = (p: Placed | undefined): void => {
      if (p !== undefined && (best === undefined || this.order.get(p)! > this.order.get(best)!)) best = p;
    };
    const w = f.word;
    if (!w.resolved) {
      // Partly known (`/tmp/pkgs/app_\ufffd.deb`): the files of its directory that its known pieces match.
      const pattern = w.partial !== undefined ? globRegExp(w.partial.replace(/\ufffd/g, '*')) : undefined;
      const abs = pattern && w.partial!.startsWith('/') ? w.partial! : undefined;
      if (abs === undefined) return undefined;
      for (const p of this.byDir.get(parentOf(abs)) ?? []) if (pattern!.test(p.path!)) consider(p);
      this.ancestors(parentOf(abs), consider);
      return best;
    }
    const abs = resolvePath(f.cwd, w.value!);
    if (abs === undefined) {
      const name = baseName(w.value!);
      consider(this.byName.get(name));
      const pattern = w.glob ? globRegExp(name) : undefined;
      if (pattern) for (const [n, p] of this.byName) if (pattern.test(n)) consider(p);
      return best;
    }
    consider(this.byPath.get(abs));
    this.ancestors(parentOf(abs), consider);
    for (const p of this.globs) if (p.glob!.test(abs)) consider(p);
    const pattern = w.glob ? globRegExp(abs) : undefined;
    if (pattern) for (const p of this.byDir.get(parentOf(abs)) ?? []) if (pattern.test(p.path!)) consider(p);
    return best;
  }

  /** Directories copied in that hold `dir`. */
  private ancestors(dir: string, consider: (p: Placed | undefined) => void): void {
    for (let d = dir; ; d = parentOf(d)) {
      const p = this.byPath.get(d);
      if (p?.dirLike) consider(p);
      if (d === '/') break;
    }
  }
}

function fileRef(word: FileRef['word'], cmd: ShellCommand): FileRef {
  return cmd.cwd !== undefined ? { word, cwd: cmd.cwd } : { word };
}

/** The directory a build works in: its cwd, or `make -C dir`, `cmake --build dir`, `cmake -S dir`. */
function buildDir(cmd: ShellCommand): string | undefined {
  const args = cmd.argv;
  for (let i = 1; i < args.length; i++) {
    const v = args[i]!.value;
    if ((v === '-C' || v === '--build' || v === '-S' || v === '--directory') && i + 1 < args.length) {
      const dir = args[i + 1]!.value;
      return dir === undefined ? undefined : resolvePath(cmd.cwd, dir);
    }
    if (v !== undefined && /^(-C|-S)./.test(v)) return resolvePath(cmd.cwd, v.slice(2));
  }
  return cmd.cwd;
}

function related(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || within(a, b) || within(b, a);
}

class Walker {
  readonly out: History = { builds: [], packageFiles: [] };
  private readonly ends: StageState[] = [];

  constructor(private readonly ctx: LintContext) {}

  walk(): History {
    if (!this.needed()) return this.out;
    for (const stage of this.ctx.ir.stages) {
      const base = stage.base.kind === 'stage' ? this.ends[stage.base.stage] : undefined;
      const state: StageState = {
        placed: base ? base.placed.clone() : new PlacedFiles(),
        untraced: base ? [...base.untraced] : [],
      };
      let workdir: string | undefined;
      for (const ins of stage.instructions) {
        if (ins.kind === 'workdir') workdir = joinWorkdir(workdir, ins.path.value);
        else if (ins.kind === 'copy' || ins.kind === 'add') this.copy(ins, state, workdir);
        else if (ins.kind === 'run') this.run(ins, stage, state);
      }
      this.ends[stage.index] = state;
    }
    return this.out;
  }

  /** Is there anything to find: a package file, or a build in a file that also unpacks, clones or adds remote sources? */
  private needed(): boolean {
    let builds = false;
    let sources = false;
    for (const stage of this.ctx.ir.stages) {
      for (const ins of stage.instructions) {
        if (ins.kind === 'add') {
          if (ins.sources.some((s) => isUrl(s.value) || isGitSource(s.value))) sources = true;
          continue;
        }
        if (ins.kind !== 'run') continue;
        const view = runView(this.ctx, ins, stage);
        for (const it of view?.intents ?? []) {
          if (it.kind === 'PackageInstall' && it.packages.some((p) => packageSource(p) === 'file')) return true;
          if (it.kind === 'Build') builds = true;
          else if (it.kind === 'Extract' || it.kind === 'Clone') sources = true;
        }
      }
    }
    return builds && sources;
  }

  private copy(
    ins: Extract<Instruction, { kind: 'copy' | 'add' }>,
    state: StageState,
    workdir: string | undefined,
  ): void {
    const line = ins.range.start.line;
    const dest = ins.dest.value;
    const destAbs = joinWorkdir(workdir, dest);
    const intoDir = dest.endsWith('/') || dest === '.' || ins.sources.length + ins.inline.length > 1;
    const at = (name: string) => (intoDir ? `${destAbs === '/' ? '' : destAbs}/${name}` : destAbs);
    for (const src of ins.sources) {
      const s = src.value;
      if (ins.kind === 'add' && isGitSource(s)) {
        const g = splitGitFragment(s);
        if (!(g.ref !== undefined && COMMIT.test(g.ref)) && ins.checksum === undefined) {
          state.untraced.push({
            dir: destAbs,
            what: `${g.url}, added at line ${line} without a pinned commit`,
            fix: 'pin',
          });
        }
        continue;
      }
      if (ins.kind === 'add' && isUrl(s)) {
        const verified = ins.checksum !== undefined;
        const name = urlPathName(s);
        state.placed.add({
          path: at(name),
          name,
          dirLike: false,
          origin: { kind: 'download', url: s, verified, line },
        });
        if (ins.unpack === true && !verified)
          state.untraced.push({
            dir: destAbs,
            what: `${s}, added and unpacked at line ${line} without --checksum`,
            fix: 'verify',
          });
        continue;
      }
      const name = baseName(s);
      const from = ins.kind === 'copy' && ins.from !== undefined ? ins.from.raw : undefined;
      const glob = globRegExp(name);
      state.placed.add({
        path: at(name),
        name,
        dirLike: true,
        ...(glob ? { glob: globRegExp(at(name))! } : {}),
        origin: from !== undefined ? { kind: 'copy', from, how: 'copied', line } : { kind: 'context', line },
      });
    }
  }

  private run(ins: Extract<Instruction, { kind: 'run' }>, stage: Stage, state: StageState): void {
    const view = runView(this.ctx, ins, stage);
    if (view === undefined) return;
    const lineOf = (r: { range: Range }) => view.locate(r.range).start.line;
    const facts = new Map<DownloadIntent, DownloadFact>(view.downloads.map((d) => [d.intent, d]));
    const commands = view.analysis.commands;
    let reported = false;
    for (const it of view.intents) {
      switch (it.kind) {
        case 'Download': {
          const fact = facts.get(it);
          if (fact?.use.kind !== 'file') break;
          for (const f of fact.use.files) {
            if (f.unnamed) continue;
            const v = f.word.resolved ? f.word.value! : undefined;
            const path = v !== undefined ? resolvePath(f.cwd, v) : undefined;
            state.placed.add({
              ...(path !== undefined ? { path } : {}),
              name: v !== undefined ? baseName(v) : (f.word.partial ?? f.word.text),
              dirLike: false,
              origin: { kind: 'download', url: shownWord(it.url), verified: fact.verified, line: lineOf(it) },
            });
          }
          break;
        }
        case 'Extract': {
          const cause = this.unverifiedArchive(it, view, facts, state);
          if (cause !== undefined) {
            const cmd = commands[it.command]!;
            const dir = it.dest?.resolved
              ? resolvePath(cmd.cwd, it.dest.value!)
              : it.dest === undefined
                ? cmd.cwd
                : undefined;
            state.untraced.push({ ...(dir !== undefined ? { dir } : {}), what: cause, fix: 'verify' });
          }
          break;
        }
        case 'Clone': {
          const url = it.url.value;
          // A local clone copies a repository already in the image; only remote ones bring new sources.
          if (it.pinned || (url !== undefined && !/^([a-z][a-z0-9+.-]*:\/\/|[^/\s]+@[^/\s]+:)/i.test(url))) break;
          const cmd = commands[it.command]!;
          const name =
            it.dest?.value ??
            (url !== undefined ? baseName(url.replace(/[?#].*$/, '')).replace(/\.git$/, '') : undefined);
          const dir = name !== undefined ? resolvePath(cmd.cwd, name) : undefined;
          state.untraced.push({
            ...(dir !== undefined ? { dir } : {}),
            what: `${shownWord(it.url)}, cloned at line ${lineOf(it)} without a pinned commit`,
            fix: 'pin',
          });
          break;
        }
        case 'Build': {
          if (reported || state.untraced.length === 0) break;
          const dir = buildDir(commands[it.command]!);
          for (let i = state.untraced.length - 1; i >= 0; i--) {
            const u = state.untraced[i]!;
            if (!related(u.dir, dir)) continue;
            this.out.builds.push({ view, build: it, cause: u });
            reported = true;
            break;
          }
          break;
        }
        case 'PackageInstall': {
          const cmd = commands[it.command]!;
          for (const pkg of it.packages) {
            if (packageSource(pkg) !== 'file') continue;
            const f = fileRef(pkg.word, cmd);
            const origin = state.placed.find(f)?.origin ?? this.mounted(view, f);
            this.out.packageFiles.push({ view, install: it, pkg, ...(origin ? { origin } : {}) });
          }
          break;
        }
        default:
          break;
      }
    }
  }

  /** Why an unpacked archive is untraced: it came from a download nothing verified. */
  private unverifiedArchive(
    it: ExtractIntent,
    view: RunView,
    facts: Map<DownloadIntent, DownloadFact>,
    state: StageState,
  ): string | undefined {
    const line = view.locate(it.range).start.line;
    if (it.pipedFrom !== undefined) {
      // `curl … | gunzip | tar -x`: back through the pipe to the download.
      const commands = view.analysis.commands;
      let c: number | undefined = it.pipedFrom;
      for (let guard = 0; c !== undefined && guard < 64; guard++) {
        const index = effectiveCommand(commands, c).index;
        for (const fact of facts.values()) {
          if (fact.intent.command === index)
            return `${shownWord(fact.intent.url)}, piped into ${commands[it.command]!.name ?? 'an extractor'} at line ${line} without verification`;
        }
        c = commands[c]!.pipedFrom;
      }
      return undefined;
    }
    if (it.archive === undefined) return undefined;
    const placed = state.placed.find(fileRef(it.archive, view.analysis.commands[it.command]!));
    if (placed?.origin.kind === 'download' && !placed.origin.verified) {
      return `${placed.origin.url}, downloaded at line ${placed.origin.line} without verification and unpacked at line ${line}`;
    }
    return undefined;
  }

  /** A file under a `RUN --mount=type=bind` target: from the build context, another stage or an image. */
  private mounted(view: RunView, f: FileRef): FileOrigin | undefined {
    const w = f.word;
    // An unresolved name still has a known directory when its known text starts with one (`/tmp/pkgs/app-${V}.deb`).
    const known = knownPrefix(w);
    const abs = resolvePath(f.cwd, w.resolved ? known : known.slice(0, known.lastIndexOf('/') + 1) || '.');
    if (abs === undefined) return undefined;
    const line = view.run.range.start.line;
    for (const m of view.run.mounts) {
      if (m.type !== 'bind' || m.target === undefined || !within(abs, resolvePath('/', m.target)!)) continue;
      return m.from === undefined ? { kind: 'context', line } : { kind: 'copy', from: m.from, how: 'mounted', line };
    }
    return undefined;
  }
}

const HISTORY = Symbol('stage history');

export function history(ctx: LintContext): History {
  const memo = fileMemo<typeof HISTORY, History>(ctx, HISTORY);
  let h = memo.get(HISTORY);
  if (h === undefined) {
    h = new Walker(ctx).walk();
    memo.set(HISTORY, h);
  }
  return h;
}
