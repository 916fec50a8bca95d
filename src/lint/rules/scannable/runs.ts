/**
 * What the provenance rules need to know about one RUN, read once from its
 * analysis and shared by every rule: where each download's bytes go (an
 * interpreter, a file, an extractor, a keyring, or nowhere that stays), and
 * whether a checksum or signature check in the same RUN covers the file.
 */
import type { Range } from '../../../common/diagnostics.js';
import type { RunInstruction, Stage } from '../../../ir/index.js';
import {
  runScript,
  type DownloadIntent,
  type Intent,
  type OpaqueIntent,
  type ShellCommand,
} from '../../../shell/index.js';
import { fileMemo } from '../../memo.js';
import type { LintContext, RunAnalysis } from '../../types.js';
import { runLocator, type Locate } from './locate.js';
import { absolute, baseName, sameFile, type FileRef } from './paths.js';

export type DownloadUse =
  /** Run as code: `curl … | sh`, `sh -c "$(curl …)"`, `bash <(curl …)`; `range` spans the download and what runs it. */
  | { kind: 'interpreter'; name: string; command: number; range: Range }
  /** Written to files (`-o`, `-O`, `>`, `| tee`). */
  | { kind: 'file'; files: FileRef[] }
  /** Streamed into an extractor (`curl … | tar -x`): unpacked without ever being a file. */
  | { kind: 'stream'; tool: string; command: number }
  /** A key for a keyring (`| gpg --dearmor`, `| apt-key add -`, a file under /etc/apt/keyrings). */
  | { kind: 'key' }
  /** Nothing of it stays: a command substitution's value, the build log, /dev/null, a pipe into a reader (`| jq`). */
  | { kind: 'value' };

export interface DownloadFact {
  intent: DownloadIntent;
  use: DownloadUse;
  /** A checksum or signature check in this RUN covers one of its files. */
  verified: boolean;
  /** The file is a checksum list, signature or key that this RUN checks with: verification material, not content. */
  material: boolean;
}

export interface RunView {
  run: RunInstruction;
  stage: Stage;
  analysis: RunAnalysis;
  /** The analysis' intents; for a heredoc run by a non-shell `#!` interpreter, one Opaque for the whole script. */
  intents: readonly Intent[];
  /** Dockerfile range of a range the analysis reported. */
  locate: Locate;
  downloads: readonly DownloadFact[];
  /** Commands that run downloaded code (SCN101 reports them; SCN105 leaves them alone). */
  sinks: ReadonlySet<number>;
}

/** The command actually run through wrappers (`sudo env X=1 curl` → curl). */
export function effectiveCommand(commands: readonly ShellCommand[], index: number): ShellCommand {
  let cmd = commands[index]!;
  for (let guard = 0; cmd.runs !== undefined && guard < 64; guard++) cmd = commands[cmd.runs]!;
  return cmd;
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'yash', 'posh', 'busybox']);
const INTERPRETER =
  /^((python|pypy)(\d+(\.\d+)*)?|perl|ruby|node|nodejs|php(\d+(\.\d+)*)?|lua(\d+(\.\d+)*)?|Rscript|tclsh|pwsh|powershell|deno|bun)$/;
/** Options of an interpreter whose value is code to run. */
const CODE_OPTIONS = new Set(['-c', '-e', '-E', '-r', '--eval', '-p', '--print', '-Command', '-command']);
/** Commands that pass their input on (maybe transformed, but still the downloaded code). */
const PASS_THROUGH = new Set([
  'tee',
  'cat',
  'gunzip',
  'gzip',
  'zcat',
  'bzcat',
  'bunzip2',
  'bzip2',
  'xz',
  'unxz',
  'xzcat',
  'lzma',
  'unlzma',
  'zstd',
  'unzstd',
  'zstdcat',
  'base64',
  'dd',
  'pv',
  'sed',
  'tr',
]);
const EXTRACTORS = new Set([
  'tar',
  'bsdtar',
  'gtar',
  'cpio',
  'bsdcpio',
  'funzip',
  'unzip',
  '7z',
  '7za',
  '7zr',
  'rpm2cpio',
]);
/** Where keys for package managers live. */
const KEYRING =
  /^\/(etc\/apt\/keyrings|usr\/share\/keyrings|etc\/apt\/trusted\.gpg\.d|etc\/pki\/rpm-gpg|etc\/apk\/keys|etc\/pacman\.d\/gnupg)\/|^\/etc\/apt\/trusted\.gpg$/;
/** File names of checksum lists and signatures. */
const MATERIAL_NAME =
  /(\.(sha(1|224|256|384|512)?|md5|asc|sig|sign|minisig|sha(1|224|256|384|512)sum|md5sum|digest|checksum|checksums)$|sums?(\.txt)?$|checksums?(\.txt)?$)/i;
const CHECKSUM_TOOL = /^(sha(1|224|256|384|512)sum|md5sum|b2sum|shasum)$/;

function isInterpreter(name: string): boolean {
  return SHELLS.has(name) || INTERPRETER.test(name) || name === 'eval' || name === 'source' || name === '.';
}

function contains(outer: Range, inner: Range): boolean {
  const before = (a: Range['start'], b: Range['start']) =>
    a.line < b.line || (a.line === b.line && a.column <= b.column);
  return before(outer.start, inner.start) && before(inner.end, outer.end);
}

function startsAfter(a: Range, b: Range): boolean {
  return a.start.line > b.end.line || (a.start.line === b.end.line && a.start.column >= b.end.column);
}

function union(a: Range, b: Range): Range {
  const less = (x: Range['start'], y: Range['start']) => x.line < y.line || (x.line === y.line && x.column < y.column);
  return { start: less(b.start, a.start) ? b.start : a.start, end: less(a.end, b.end) ? b.end : a.end };
}

/**
 * Index in `argv` of the first operand (not an option, nor an option's
 * value) and whether an option names inline code (`sh -c`, `python -c`).
 */
function scriptOperand(cmd: ShellCommand): { operand: number; code: boolean; codeValue?: number } {
  const shell = SHELLS.has(cmd.name ?? '');
  for (let i = 1; i < cmd.argv.length; i++) {
    const v = cmd.argv[i]!.value;
    if (v === undefined) return { operand: i, code: false };
    if (v === '--') return { operand: i + 1, code: false };
    if (v === '-' || !/^[-+]/.test(v)) return { operand: i, code: false };
    if (shell) {
      if (/^[-+]o$/.test(v)) {
        i++;
        continue;
      }
      // `sh -c script`, `sh -ec script`: the first operand is the script text.
      if (/^-[A-Za-z]*c[A-Za-z]*$/.test(v)) {
        const next = cmd.argv.slice(i + 1).findIndex((w) => w.value === undefined || !/^[-+]/.test(w.value));
        return { operand: next < 0 ? cmd.argv.length : i + 1 + next, code: true };
      }
    } else if (CODE_OPTIONS.has(v)) return { operand: cmd.argv.length, code: true, codeValue: i + 1 };
    else if (v === '-m') return { operand: cmd.argv.length, code: false };
  }
  return { operand: cmd.argv.length, code: false };
}

/** Does this interpreter read its program from its standard input (`| sh`, `| bash -s -- x`, `| python3 -`)? */
function readsProgramFromInput(cmd: ShellCommand): boolean {
  const name = cmd.name ?? '';
  if (name === 'eval') return false;
  if (name === 'source' || name === '.') return cmd.argv[1]?.value === '/dev/stdin' || cmd.argv[1]?.value === '-';
  if (SHELLS.has(name) && cmd.argv.some((w) => w.value !== undefined && /^-[A-Za-z]*s[A-Za-z]*$/.test(w.value)))
    return true;
  const s = scriptOperand(cmd);
  if (s.code) return false;
  const operand = cmd.argv[s.operand];
  return operand === undefined || operand.value === '-' || operand.value === '/dev/stdin';
}

/** Is the word at `k` of an interpreter's argv the program it runs (inline code or a script file)? */
function isProgramWord(cmd: ShellCommand, k: number): boolean {
  const name = cmd.name ?? '';
  if (name === 'eval' || name === 'source' || name === '.') return k >= 1;
  const s = scriptOperand(cmd);
  return k === s.operand || k === s.codeValue;
}

/** Does the command take keys: `gpg --import`/`--dearmor`, `apt-key add`, `rpm --import`? Any gpg reading a pipe does. */
function isKeyImport(cmd: ShellCommand, fromPipe = false): boolean {
  const name = cmd.name ?? '';
  if (name === 'gpg' || name === 'gpg2')
    return (
      fromPipe || cmd.argv.some((w) => w.value === '--import' || w.value === '--dearmor' || w.value === '--dearmour')
    );
  if (name === 'apt-key') return cmd.argv[1]?.value === 'add';
  if (name === 'rpm' || name === 'rpmkeys') return cmd.argv.some((w) => w.value === '--import');
  return false;
}

function teeFiles(cmd: ShellCommand): FileRef[] {
  const out: FileRef[] = [];
  for (const w of cmd.argv.slice(1)) {
    if (w.value !== undefined && w.value.startsWith('-')) continue;
    out.push(fileRef(w, cmd));
  }
  return out;
}

function fileRef(word: FileRef['word'], cmd: ShellCommand): FileRef {
  return cmd.cwd !== undefined ? { word, cwd: cmd.cwd } : { word };
}

/**
 * Does this curl or wget write to a file named after the URL? wget does
 * unless told `-O -`; curl only with `-O`/`--remote-name` (alone or in a
 * cluster like `-fsSLO`).
 */
function namesItsFile(cmd: ShellCommand): boolean {
  const args = cmd.argv.slice(1).map((w) => w.value);
  if (cmd.name === 'wget') {
    for (let i = 0; i < args.length; i++) {
      const v = args[i];
      if (v === undefined) continue;
      if ((v === '-O' || v === '--output-document') && args[i + 1] === '-') return false;
      if (v === '--output-document=-' || /^-[A-Za-z]*O-$/.test(v)) return false;
    }
    return true;
  }
  if (cmd.name === 'curl')
    return args.some(
      (v) =>
        v !== undefined && (v === '--remote-name' || v === '--remote-name-all' || /^-[A-Za-z]*O[A-Za-z]*$/.test(v)),
    );
  return false;
}

function discarded(f: FileRef): boolean {
  const v = f.word.value;
  return v === '/dev/null' || v === '/dev/stdout' || v === '/dev/stderr';
}

function inKeyring(f: FileRef): boolean {
  const p = absolute(f);
  return p !== undefined && KEYRING.test(p);
}

class ViewBuilder {
  private readonly commands: readonly ShellCommand[];
  readonly sinks = new Set<number>();

  constructor(readonly analysis: RunAnalysis) {
    this.commands = analysis.commands;
  }

  private effective(index: number): ShellCommand {
    return effectiveCommand(this.commands, index);
  }

  use(d: DownloadIntent): DownloadUse {
    const cmd = this.commands[d.command]!;
    if (d.output !== undefined) return this.files([fileRef(d.output, cmd)]);
    if (cmd.pipedTo !== undefined) {
      const receiver = this.commands[cmd.pipedTo]!;
      const piped = receiver.pipedFrom !== undefined && this.effective(receiver.pipedFrom) === cmd;
      if (piped) return this.pipeline(cmd);
    }
    if (cmd.substitution) return this.substituted(cmd);
    // The analysis gives no output when the file's name is not known (`wget "$URL"`, `curl -O "$URL"`).
    if (namesItsFile(cmd)) return { kind: 'file', files: [{ ...fileRef(d.url, cmd), unnamed: true }] };
    return { kind: 'value' };
  }

  private files(files: FileRef[]): DownloadUse {
    const kept = files.filter((f) => !discarded(f));
    if (kept.length === 0) return { kind: 'value' };
    if (kept.every(inKeyring)) return { kind: 'key' };
    return { kind: 'file', files: kept };
  }

  /** Follows `curl … | tee x | gunzip | sh` to where the bytes end up. */
  private pipeline(from: ShellCommand): DownloadUse {
    const files: FileRef[] = [];
    let sender = from;
    for (let guard = 0; sender.pipedTo !== undefined && guard < 64; guard++) {
      const receiver = this.effective(sender.pipedTo);
      const name = receiver.name;
      if (name === undefined) break;
      if (isInterpreter(name) && readsProgramFromInput(receiver)) {
        this.sinks.add(receiver.index);
        return { kind: 'interpreter', name, command: receiver.index, range: union(from.range, receiver.range) };
      }
      if (EXTRACTORS.has(name))
        return files.length > 0 ? this.files(files) : { kind: 'stream', tool: name, command: receiver.index };
      if (isKeyImport(receiver, true)) return { kind: 'key' };
      if (name === 'tee') files.push(...teeFiles(receiver));
      else if (!PASS_THROUGH.has(name)) break;
      sender = receiver;
    }
    // The end of the pipe may still write a file (`| gunzip > x`).
    if (sender !== from && sender.redirects.length > 0) {
      for (const r of sender.redirects)
        if ((r.op === '>' || r.op === '>>' || r.op === '>|') && (r.fd === undefined || r.fd === 1))
          files.push(fileRef(r.target, sender));
    }
    return files.length > 0 ? this.files(files) : { kind: 'value' };
  }

  /**
   * A download in `$(…)` or `<(…)`: what consumes it is the first later
   * command whose text holds it (`sh -c "$(curl …)"`, `eval "$(curl …)"`,
   * `bash <(curl …)`, `V=$(curl …)`).
   */
  private substituted(cmd: ShellCommand): DownloadUse {
    for (let i = cmd.index + 1; i < this.commands.length; i++) {
      const c = this.commands[i]!;
      // Commands are recorded as they run: one that starts after the download ends comes after any consumer (`for x in $(curl …)` has none).
      if (startsAfter(c.range, cmd.range)) break;
      if (c.substitution && !cmd.substitution) continue;
      if (!contains(c.range, cmd.range)) continue;
      const consumer = this.effective(i);
      const k = consumer.argv.findIndex((w) => contains(w.range, cmd.range));
      const name = consumer.name;
      if (k >= 0 && name !== undefined && isInterpreter(name) && isProgramWord(consumer, k)) {
        this.sinks.add(consumer.index);
        return { kind: 'interpreter', name, command: consumer.index, range: union(cmd.range, consumer.range) };
      }
      if (k >= 0 && name !== undefined && EXTRACTORS.has(name))
        return { kind: 'stream', tool: name, command: consumer.index };
      return { kind: 'value' };
    }
    return { kind: 'value' };
  }
}

/**
 * Files named in a RUN, found by name: a resolved name is compared only with
 * the entries of the same file name; partly known names, few, one by one.
 */
class FileSet {
  private readonly byName = new Map<string, FileRef[]>();
  private readonly partial: FileRef[] = [];

  constructor(files: readonly FileRef[]) {
    for (const f of files) {
      if (!f.word.resolved) {
        this.partial.push(f);
        continue;
      }
      const name = baseName(f.word.value!);
      const list = this.byName.get(name);
      if (list) list.push(f);
      else this.byName.set(name, [f]);
    }
  }

  has(f: FileRef): boolean {
    if (this.partial.some((p) => sameFile(f, p))) return true;
    if (f.word.resolved) return (this.byName.get(baseName(f.word.value!)) ?? []).some((p) => sameFile(f, p));
    for (const list of this.byName.values()) if (list.some((p) => sameFile(f, p))) return true;
    return false;
  }
}

/** The checks of a RUN: each the file it covers, or every file (a check whose file is not known). */
function checks(view: { analysis: RunAnalysis; intents: readonly Intent[] }): Array<FileRef | 'any'> {
  const out: Array<FileRef | 'any'> = [];
  const commands = view.analysis.commands;
  for (const it of view.intents) {
    if (it.kind !== 'Verify') continue;
    const cmd = commands[it.command]!;
    if (it.target !== undefined) {
      out.push(it.target.resolved || it.target.partial !== undefined ? fileRef(it.target, cmd) : 'any');
      continue;
    }
    // `openssl sha512 -r < f`, `cat f | openssl dgst`: a digest of its input, which is the file checked.
    const data = CHECKSUM_TOOL.test(it.tool) ? [] : inputFiles(cmd, commands);
    if (data.length > 0) out.push(...data);
    // A checksum list, or checksum lines from an unknown source: which files it checks is not known.
    else out.push('any');
  }
  for (const cmd of commands) {
    // `gpg --decrypt x.sign`: a signed message is checked as it is unpacked.
    if (
      (cmd.name === 'gpg' || cmd.name === 'gpg2') &&
      cmd.argv.some((w) => w.value === '--decrypt' || w.value === '-d')
    ) {
      const last = cmd.argv[cmd.argv.length - 1]!;
      if (cmd.argv.length > 2 && !(last.value ?? '').startsWith('-')) out.push(fileRef(last, cmd));
      continue;
    }
    // A digest computed and compared in the script: `[ "$(sha256sum f | cut -d' ' -f1)" = "$SHA" ]`.
    if (cmd.name === undefined || !CHECKSUM_TOOL.test(cmd.name)) continue;
    if (
      cmd.argv.some(
        (w) => w.value === '-c' || w.value === '--check' || (w.value !== undefined && /^-[a-z]*c[a-z]*$/.test(w.value)),
      )
    )
      continue;
    if (!cmd.substitution && cmd.pipedTo === undefined) continue;
    for (const w of cmd.argv.slice(1)) if (!(w.value ?? '').startsWith('-')) out.push(fileRef(w, cmd));
  }
  return out;
}

/** The files a command reads as its input: `< file`, or the operands of the command piped into it. */
function inputFiles(cmd: ShellCommand, commands: readonly ShellCommand[]): FileRef[] {
  const out: FileRef[] = [];
  for (const r of cmd.redirects)
    if (r.op === '<' && (r.fd === undefined || r.fd === 0)) out.push(fileRef(r.target, cmd));
  if (cmd.pipedFrom !== undefined) {
    const feeder = commands[cmd.pipedFrom]!;
    for (const w of feeder.argv.slice(1))
      if (w.value !== undefined && !w.value.startsWith('-')) out.push(fileRef(w, feeder));
  }
  return out;
}

/** Files a check uses as its list, signature or key, or that are imported as keys. */
function materials(analysis: RunAnalysis, intents: readonly Intent[]): FileRef[] {
  const out: FileRef[] = [];
  const commands = analysis.commands;
  for (const it of intents) {
    if (it.kind !== 'Verify') continue;
    const cmd = commands[it.command]!;
    if (it.checksumFile) out.push(fileRef(it.checksumFile, cmd));
    if (it.signature) out.push(fileRef(it.signature, cmd));
    // `grep " x.tgz$" SHA256SUMS | sha256sum -c -`: checksum lines come from the files the command feeding the check reads.
    if (CHECKSUM_TOOL.test(it.tool) && it.target === undefined) out.push(...inputFiles(cmd, commands));
  }
  for (const cmd of commands) {
    if (cmd.name !== undefined && isKeyImport(cmd))
      for (const w of cmd.argv.slice(1))
        if (w.value !== undefined && !w.value.startsWith('-')) out.push(fileRef(w, cmd));
  }
  return out;
}

/** A heredoc script run by its `#!` line's program, when that program is not a POSIX shell. */
function foreignShebang(run: RunInstruction): string | undefined {
  if (run.command.form !== 'shell' || run.heredocs.length === 0 || !run.command.script.startsWith('#!'))
    return undefined;
  const words = runScript(run.syntax)?.shebang;
  if (words === undefined || words.length === 0) return undefined;
  let program = baseName(words[0]!);
  if (program === 'env') program = baseName(words.slice(1).find((w) => !w.startsWith('-')) ?? 'env');
  return SHELLS.has(program) ? undefined : program;
}

const NO_SINKS: ReadonlySet<number> = new Set();
const NO_DOWNLOADS: readonly DownloadFact[] = [];

function buildView(run: RunInstruction, stage: Stage, analysis: RunAnalysis): RunView {
  let intents: readonly Intent[] = analysis.intents;
  const program = foreignShebang(run);
  if (program !== undefined) {
    // src/lower analyses the body as shell; BuildKit runs it with the #! program.
    const h = run.heredocs[0]!;
    const opaque: OpaqueIntent = {
      kind: 'Opaque',
      reason: `runs a ${program} script (the heredoc's #! line)`,
      range: h.range,
    };
    intents = [opaque];
  }
  const locate = runLocator(run, analysis);
  // Most RUNs download nothing: no builder, no checks to collect.
  if (!intents.some((i) => i.kind === 'Download'))
    return { run, stage, analysis, intents, locate, downloads: NO_DOWNLOADS, sinks: NO_SINKS };
  const b = new ViewBuilder(analysis);
  const downloads: DownloadFact[] = [];
  const covered = checks({ analysis, intents });
  const checked = new FileSet(covered.filter((c): c is FileRef => c !== 'any'));
  const checkedUnknown = covered.includes('any');
  const material = new FileSet(materials(analysis, intents));
  const anyCheck = covered.length > 0;
  for (const d of intents) {
    if (d.kind !== 'Download') continue;
    const use = b.use(d);
    const fact: DownloadFact = { intent: d, use, verified: false, material: false };
    if (use.kind === 'file') {
      fact.material = use.files.some(
        (f) => material.has(f) || (anyCheck && MATERIAL_NAME.test(baseName(f.word.value ?? f.word.partial ?? ''))),
      );
      // A check of unknown files covers any file but the lists and signatures it reads.
      fact.verified = (checkedUnknown && !fact.material) || use.files.some((f) => checked.has(f));
    }
    downloads.push(fact);
  }
  return { run, stage, analysis, intents, locate, downloads, sinks: b.sinks };
}

const VIEWS = Symbol('RUN views');

/** The view of one RUN, or undefined when the context has no RUN analysis. */
export function runView(ctx: LintContext, run: RunInstruction, stage: Stage): RunView | undefined {
  if (ctx.runAnalysis === undefined) return undefined;
  const views = fileMemo<RunInstruction, RunView>(ctx, VIEWS);
  let view = views.get(run);
  if (view === undefined) {
    view = buildView(run, stage, ctx.runAnalysis(run));
    views.set(run, view);
  }
  return view;
}

/** Every RUN of every stage, with its view, in file order. */
export function* runViews(ctx: LintContext): Generator<RunView> {
  if (ctx.runAnalysis === undefined) return;
  for (const stage of ctx.ir.stages) {
    for (const ins of stage.instructions) {
      if (ins.kind !== 'run') continue;
      const view = runView(ctx, ins, stage);
      if (view !== undefined) yield view;
    }
  }
}
