/**
 * analyzeScript: a RUN script → the simple commands it runs, with their words
 * resolved, the intents read from them, and diagnostics.
 *
 * The walk follows the shell's own rules for what each command sees:
 * assignments and `export` earlier in the script, `cd`, subshells and
 * pipeline elements that cannot change their parent, branches whose
 * assignments only survive when every path agrees. Scripts run by a command
 * (`sh -c '...'`, `bash <<EOF`, `su -c`, `eval`) are parsed and walked too,
 * and wrappers (`sudo`, `env`, `xargs`, `find -exec`...) get a record for the
 * command they run.
 */
import type { Position, Range } from '../common/diagnostics.js';
import {
  assignment as asAssignment,
  commandEnd,
  LineIndex,
  parseShell,
  type Command,
  type Pipeline,
  type SimpleCommand,
  type Statement,
  type StatementList,
  type Word,
  type WordPart,
} from '../../grammar/shell/index.js';
import { basename, options, parseArgs, resolvePath, type Options } from './args.js';
import { expandFields, expandHeredoc, expandValue, type ExpandContext, type ResolvedWord } from './expand.js';
import { readIntents, type ScriptRun } from './intents/index.js';
import { EMPTY_SCOPE, known, ShellVariables, UNKNOWN, type VariableScope, type VariableValue } from './scope.js';
import type {
  Intent,
  ResolvedAssignment,
  ResolvedRedirect,
  ScriptAnalysis,
  ShellCommand,
  ShellDiagnostic,
} from './types.js';

const READ_OPTIONS = options({ valued: ['-p', '-d', '-n', '-N', '-t', '-u', '-a', '-i'] });
const SU_OPTIONS = options({
  valued: [
    '-c',
    '--command',
    '-s',
    '--shell',
    '-g',
    '--group',
    '-G',
    '--supp-group',
    '-w',
    '--whitelist-environment',
    '-u',
    '--user',
  ],
});

export interface AnalyzeOptions {
  /** The SHELL in force (its argv, e.g. `["/bin/sh", "-c"]`); a shell that is not POSIX-like makes the whole script opaque. */
  shell?: readonly string[];
  /** Variables known where the RUN runs (ARG and ENV values). */
  variables?: VariableScope;
  /** Maps a script offset to its Dockerfile position; by default, line and column within the script. */
  origin?: (offset: number) => Position;
  /** Working directory at the start of the script (WORKDIR). */
  workdir?: string;
}

/** Shells whose language this analysis reads. */
const POSIX_SHELLS_LIST = ['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'pdksh', 'yash', 'posh'];
const POSIX_SHELLS = new Set(POSIX_SHELLS_LIST);

/** Nested scripts (`sh -c "sh -c '...'"`) are followed this deep. */
const MAX_SCRIPT_DEPTH = 8;

/** The program a SHELL argv runs, or null when it is a POSIX-like shell. */
function nonPosixShell(shell: readonly string[] | undefined): string | null {
  if (shell === undefined || shell.length === 0) return null;
  const name = basename(shell[0]!)
    .toLowerCase()
    .replace(/\.exe$/, '');
  if (POSIX_SHELLS.has(name)) return null;
  if (name === 'busybox' && (shell[1] === 'sh' || shell[1] === 'ash')) return null;
  // `/usr/bin/env bash`
  if (name === 'env' && shell[1] !== undefined && POSIX_SHELLS.has(basename(shell[1]))) return null;
  return shell[0]!;
}

export function analyzeScript(script: string, opts: AnalyzeOptions = {}): ScriptAnalysis {
  const analyzer = new Analyzer(opts.variables ?? EMPTY_SCOPE);
  const foreign = nonPosixShell(opts.shell);
  if (foreign !== null) {
    // Not our language: nothing in it can be read, so it is not even parsed.
    const lines = new LineIndex(script);
    const origin = opts.origin ?? ((offset: number) => lines.positionAt(offset));
    analyzer.scriptIntents.push({
      kind: 'Opaque',
      reason: `runs with SHELL ${JSON.stringify(opts.shell)}, which is not a POSIX shell`,
      range: { start: origin(0), end: origin(script.length) },
    });
    return analyzer.result();
  }
  const parsed = parseShell(script);
  const origin = opts.origin ?? ((offset: number) => parsed.positionAt(offset));
  const frame: Frame = { locate: (start, end) => ({ start: origin(start), end: origin(end) }), depth: 0 };
  const env = new ShellVariables(analyzer.outer);
  env.cwd = opts.workdir;
  analyzer.script(parsed, frame, baseContext(env, frame));
  return analyzer.result();
}

/** One script being walked: the RUN script, or one run by a command inside it. */
interface Frame {
  locate(start: number, end: number): Range;
  depth: number;
  /** The command that runs this script. */
  parent?: number;
}

interface Context {
  env: ShellVariables;
  conditional: boolean;
  loop: boolean;
  substitution: boolean;
  functionName: string | undefined;
  frame: Frame;
}

function baseContext(env: ShellVariables, frame: Frame): Context {
  return { env, conditional: false, loop: false, substitution: false, functionName: undefined, frame };
}

/**
 * A context like `ctx` with another environment (and flags). Every context has
 * the same shape: spreading them (`{ ...ctx, env }`) was a hot spot of the walk.
 */
function derive(
  ctx: Context,
  env: ShellVariables,
  conditional = ctx.conditional,
  loop = ctx.loop,
  substitution = ctx.substitution,
  functionName = ctx.functionName,
): Context {
  return { env, conditional, loop, substitution, functionName, frame: ctx.frame };
}

const TEST_COMMANDS = new Set(['[', '[[', 'test', 'which', 'type', 'hash']);

/** Commands with effects on the shell (builtins) or that run other commands (shells, wrappers). */
const ACTIVE_COMMANDS = new Set([
  'cd',
  'pushd',
  'popd',
  'export',
  'readonly',
  'declare',
  'typeset',
  'local',
  'unset',
  'read',
  'source',
  '.',
  'eval',
  'su',
  'runuser',
  'env',
  'find',
  'command',
  ...POSIX_SHELLS_LIST,
]);

class Analyzer {
  readonly commands: ShellCommand[] = [];
  readonly diagnostics: ShellDiagnostic[] = [];
  /** Intents about the script itself (unparsed text, foreign shell). */
  readonly scriptIntents: Intent[] = [];
  /** What each shell command runs: inline text, a file, its input. */
  readonly runs = new Map<number, ScriptRun>();
  /** Function name → variables its body assigns. */
  private readonly functions = new Map<string, Set<string>>();
  /** Command and process substitutions → the commands whose output makes their value. */
  private readonly producers = new Map<WordPart, number[]>();

  constructor(readonly outer: VariableScope) {}

  result(): ScriptAnalysis {
    const intents = readIntents(this.commands, this.runs);
    return { commands: this.commands, intents: [...this.scriptIntents, ...intents], diagnostics: this.diagnostics };
  }

  script(parsed: ReturnType<typeof parseShell>, frame: Frame, ctx: Context): void {
    for (const e of parsed.errors) {
      this.diagnostics.push({
        severity: 'error',
        code: 'shell/syntax',
        message: e.message,
        range: frame.locate(e.start, e.end),
      });
    }
    for (const s of parsed.skipped) {
      const first = parsed.errors.find((e) => e.start >= s.start && e.start <= s.end) ?? parsed.errors[0];
      this.scriptIntents.push({
        kind: 'Opaque',
        reason: `text the shell parser could not read${first ? `: ${first.message}` : ''}`,
        range: frame.locate(s.start, s.end),
        ...(frame.parent !== undefined ? { command: frame.parent } : {}),
      });
    }
    this.list(parsed.body, ctx);
  }

  // -------------------------------------------------------------------------
  // Structure

  /**
   * The walk returns, for each list, statement, pipeline or command, the index
   * of the first simple command recorded for it (-1 for none) and leaves the
   * last one in `lastRecorded`: pipelines link their elements through these.
   */
  private lastRecorded = -1;

  private list(list: StatementList, ctx: Context): number {
    let first = -1;
    let last = -1;
    for (const st of list) {
      const f = this.statement(st, ctx);
      if (first < 0) first = f;
      if (this.lastRecorded >= 0) last = this.lastRecorded;
    }
    this.lastRecorded = last;
    return first;
  }

  private statement(st: Statement, ctx: Context): number {
    // A background job runs in a subshell.
    const base = st.background ? derive(ctx, ctx.env.child()) : ctx;
    let first = -1;
    let last = -1;
    for (let i = 0; i < st.pipelines.length; i++) {
      let conditional = base.conditional;
      if (i > 0 && (st.operators[i - 1] === '||' || this.isTest(st.pipelines[i - 1]!))) conditional = true;
      const f = this.pipeline(
        st.pipelines[i]!,
        conditional === base.conditional ? base : derive(base, base.env, conditional),
      );
      if (first < 0) first = f;
      if (this.lastRecorded >= 0) last = this.lastRecorded;
    }
    this.lastRecorded = last;
    return first;
  }

  /** Is the pipeline a test, so that `test && cmd` runs cmd only sometimes? */
  private isTest(p: Pipeline): boolean {
    const c = p.commands[p.commands.length - 1]!;
    if (c.kind === 'Test') return true;
    if (c.kind !== 'SimpleCommand' || c.words.length === 0) return false;
    const name = c.words[0]!.text;
    if (TEST_COMMANDS.has(name)) return true;
    return name === 'command' && c.words[1]?.text === '-v';
  }

  private pipeline(p: Pipeline, ctx: Context): number {
    if (p.commands.length === 1) return this.command(p.commands[0]!, ctx);
    let first = -1;
    let last = -1;
    for (const c of p.commands) {
      // Each element of a pipeline runs in its own subshell.
      const f = this.command(c, derive(ctx, ctx.env.child()));
      if (last >= 0 && f >= 0) this.linkPipe(last, f);
      if (first < 0) first = f;
      last = this.lastRecorded;
    }
    this.lastRecorded = last;
    return first;
  }

  private linkPipe(sender: number, receiver: number): void {
    for (let i: number | undefined = sender; i !== undefined; i = this.commands[i]!.runs)
      this.commands[i]!.pipedTo = receiver;
    for (let i: number | undefined = receiver; i !== undefined; i = this.commands[i]!.runs)
      this.commands[i]!.pipedFrom = sender;
  }

  private command(c: Command, ctx: Context): number {
    if (c.kind === 'SimpleCommand') {
      const index = this.simple(c, ctx);
      this.lastRecorded = index;
      return index;
    }
    for (const r of c.redirects) {
      this.substitutions(r.target, ctx);
      if (r.heredoc && !r.heredoc.quoted) this.substitutions(r.heredoc.content, ctx);
    }
    const env = ctx.env;
    switch (c.kind) {
      case 'Subshell':
        return this.list(c.body, derive(ctx, env.child()));
      case 'BraceGroup':
        return this.list(c.body, ctx);
      case 'If': {
        const first = c.branches[0]!;
        const ends = this.list(first.condition, ctx);
        const conditionLast = this.lastRecorded;
        const branches: ShellVariables[] = [];
        const inBranch = derive(ctx, env, true);
        c.branches.forEach((b, i) => {
          const benv = env.child();
          branches.push(benv);
          if (i > 0) this.list(b.condition, derive(inBranch, benv));
          this.list(b.body, derive(inBranch, benv));
        });
        if (c.elseBody) {
          const benv = env.child();
          branches.push(benv);
          this.list(c.elseBody, derive(inBranch, benv));
        }
        env.merge(branches, c.elseBody !== undefined);
        this.lastRecorded = conditionLast;
        return ends;
      }
      case 'For': {
        const items = c.items?.flatMap((w) => {
          this.substitutions(w, ctx);
          return expandFields(w, this.expander(ctx));
        });
        const name = c.variable.text;
        const benv = env.child();
        const single = items?.length === 1 && items[0]!.resolved ? items[0]!.value! : undefined;
        benv.set(name, single !== undefined ? known(single) : UNKNOWN);
        const ends = this.list(c.body, derive(ctx, benv, true, true));
        const bodyLast = this.lastRecorded;
        env.merge([benv], false);
        this.lastRecorded = bodyLast;
        // After the loop the variable holds the last item (or is unchanged when there were none).
        const last = items !== undefined && items.length > 0 ? items[items.length - 1]! : undefined;
        if (last !== undefined)
          env.set(name, last.resolved && items!.every((w) => w.resolved) ? known(last.value!) : UNKNOWN);
        else if (items === undefined) env.set(name, UNKNOWN);
        return ends;
      }
      case 'ArithFor': {
        const benv = env.child();
        const ends = this.list(c.body, derive(ctx, benv, true, true));
        env.merge([benv], false);
        return ends;
      }
      case 'While': {
        const benv = env.child();
        const ends = this.list(c.condition, derive(ctx, benv, ctx.conditional, true));
        const conditionLast = this.lastRecorded;
        this.list(c.body, derive(ctx, benv, true, true));
        env.merge([benv], false);
        this.lastRecorded = conditionLast;
        return ends;
      }
      case 'Case': {
        this.substitutions(c.subject, ctx);
        const branches: ShellVariables[] = [];
        let exhaustive = false;
        let first = -1;
        let last = -1;
        for (const item of c.items) {
          for (const p of item.patterns) {
            this.substitutions(p, ctx);
            if (p.text === '*') exhaustive = true;
          }
          const benv = env.child();
          branches.push(benv);
          const f = this.list(item.body, derive(ctx, benv, true));
          if (first < 0) first = f;
          if (this.lastRecorded >= 0) last = this.lastRecorded;
        }
        env.merge(branches, exhaustive);
        this.lastRecorded = last;
        return first;
      }
      case 'Function': {
        const fenv = env.child();
        this.command(c.body, derive(ctx, fenv, ctx.conditional, ctx.loop, ctx.substitution, c.name));
        this.functions.set(c.name, new Set(fenv.assignedNames()));
        this.lastRecorded = -1;
        return -1;
      }
      case 'Test':
        for (const w of c.words) this.substitutions(w, ctx);
        this.lastRecorded = -1;
        return -1;
      case 'Arith':
        this.lastRecorded = -1;
        return -1;
    }
  }

  private expander(ctx: Context): ExpandContext {
    return { vars: ctx.env, range: ctx.frame.locate };
  }

  /** Walks the command and process substitutions of a word (they run before the command). */
  private substitutions(word: Word, ctx: Context): void {
    const parts = word.parts;
    if (
      parts.length === 0 ||
      (parts.length === 1 && (parts[0]!.kind === 'Literal' || parts[0]!.kind === 'SingleQuoted'))
    )
      return;
    this.substitutionParts(parts, ctx);
  }

  private substitutionParts(parts: WordPart[], ctx: Context): void {
    for (const p of parts) {
      if (p.kind === 'DoubleQuoted') this.substitutionParts(p.parts, ctx);
      else if (p.kind === 'Parameter') {
        if (p.operand) this.substitutionParts(p.operand.parts, ctx);
        if (p.replacement) this.substitutionParts(p.replacement.parts, ctx);
      } else if (p.kind === 'CommandSubstitution' || p.kind === 'ProcessSubstitution') {
        this.list(p.body, derive(ctx, ctx.env.child(), ctx.conditional, ctx.loop, true));
        if (this.lastRecorded >= 0) this.producers.set(p, [this.lastRecorded]);
      }
    }
  }

  // -------------------------------------------------------------------------
  // Simple commands

  private simple(c: SimpleCommand, ctx: Context): number {
    for (const a of c.assignments) this.substitutions(a.value, ctx);
    for (const w of c.words) this.substitutions(w, ctx);
    for (const r of c.redirects) {
      this.substitutions(r.target, ctx);
      if (r.heredoc && !r.heredoc.quoted) this.substitutions(r.heredoc.content, ctx);
    }
    const x = this.expander(ctx);
    // Arguments are expanded before the command's own assignments take effect.
    const argv: ResolvedWord[] = [];
    const sources: Word[] = [];
    for (const w of c.words) {
      const only = w.parts.length === 1 ? w.parts[0]! : undefined;
      if (only !== undefined && only.kind === 'Literal') {
        // expandFields' fast path, without the array: plain unquoted text, most words.
        const f: ResolvedWord = { value: only.value, resolved: true, text: w.text, range: x.range(w.start, w.end) };
        if (only.glob) f.glob = true;
        argv.push(f);
        sources.push(w);
        continue;
      }
      for (const f of expandFields(w, x)) {
        argv.push(f);
        sources.push(w);
      }
    }
    const assignEnv = c.words.length === 0 || c.assignments.length === 0 ? ctx.env : ctx.env.child();
    const assignments: ResolvedAssignment[] = c.assignments.map((a) => {
      const value = expandValue(a.value, { vars: assignEnv, range: x.range });
      let v: VariableValue = value.resolved ? known(value.value!) : UNKNOWN;
      if (a.append) {
        const before = assignEnv.get(a.name);
        v = before === undefined ? v : before.known && v.known ? known(before.value + v.value) : UNKNOWN;
      }
      assignEnv.set(a.name, v);
      return { name: a.name, append: a.append, value };
    });
    const redirects: ResolvedRedirect[] = c.redirects.map((r) => {
      const target = expandValue(r.target, x);
      const out: ResolvedRedirect = { op: r.op, target };
      if (r.fd !== undefined) out.fd = r.fd;
      if (r.heredoc) out.content = expandHeredoc(r.heredoc.content, r.heredoc.quoted, x);
      else if (r.op === '<<<') out.content = target.resolved ? { ...target, value: target.value + '\n' } : target;
      return out;
    });
    const cmd = this.record(ctx, {
      argv,
      assignments,
      redirects,
      range: ctx.frame.locate(c.start, commandEnd(c)),
    });
    this.effects(cmd, sources, ctx);
    return cmd.index;
  }

  private record(
    ctx: Context,
    fields: Pick<ShellCommand, 'argv' | 'assignments' | 'redirects' | 'range'> & { parent?: number },
  ): ShellCommand {
    const cmd: ShellCommand = {
      index: this.commands.length,
      argv: fields.argv,
      assignments: fields.assignments,
      redirects: fields.redirects,
      range: fields.range,
      conditional: ctx.conditional,
      loop: ctx.loop,
      substitution: ctx.substitution,
    };
    const first = fields.argv[0];
    if (first?.resolved) cmd.name = basename(first.value!);
    if (ctx.functionName !== undefined) cmd.functionName = ctx.functionName;
    const parent = fields.parent ?? ctx.frame.parent;
    if (parent !== undefined) cmd.parent = parent;
    if (ctx.env.cwd !== undefined) cmd.cwd = ctx.env.cwd;
    this.commands.push(cmd);
    return cmd;
  }

  /** What a command does to the shell, and the commands or scripts it runs. */
  private effects(cmd: ShellCommand, sources: Word[], ctx: Context): void {
    const name = cmd.name;
    // Most commands neither change the shell nor run another command.
    if (name === undefined || (!ACTIVE_COMMANDS.has(name) && !WRAPPERS.has(name) && !this.functions.has(name))) return;
    const env = ctx.env;
    const args = cmd.argv.slice(1);
    switch (name) {
      case 'cd':
      case 'pushd': {
        const target = args.find((a) => !(a.resolved && /^-[LPe@]+$/.test(a.value!)));
        if (target === undefined) {
          const home = env.get('HOME');
          env.cwd = home?.known ? home.value : undefined;
        } else env.cwd = target.resolved && target.value !== '-' ? resolvePath(env.cwd, target.value!) : undefined;
        return;
      }
      case 'popd':
        env.cwd = undefined;
        return;
      case 'export':
      case 'readonly':
      case 'declare':
      case 'typeset':
      case 'local':
        this.declare(name, cmd, sources, ctx);
        return;
      case 'unset':
        for (const a of args) if (a.resolved && !a.value!.startsWith('-')) env.unset(a.value!);
        return;
      case 'read': {
        const parsed = parseArgs(args, READ_OPTIONS);
        const names = parsed.operands.filter((a) => a.resolved).map((a) => a.value!);
        for (const n of names.length > 0 ? names : ['REPLY']) env.set(n, UNKNOWN);
        return;
      }
      case 'source':
      case '.':
        this.linkProducers(cmd, sources.slice(1, 2));
        env.taint();
        return;
      case 'eval':
        this.evaluate(cmd, ctx);
        return;
    }
    const assigned = this.functions.get(name);
    if (assigned !== undefined) {
      // A call runs the body, which may change these.
      for (const n of assigned) env.set(n, UNKNOWN);
      return;
    }
    if (POSIX_SHELLS.has(name)) {
      this.shell(cmd, sources, ctx);
      return;
    }
    if (name === 'su' || name === 'runuser') {
      if (this.su(cmd, sources, ctx)) return;
    }
    const inner = unwrap(name, args);
    if (inner !== null) this.runWrapped(cmd, inner, sources, ctx);
  }

  private declare(builtin: string, cmd: ShellCommand, sources: Word[], ctx: Context): void {
    const env = ctx.env;
    const x = this.expander(ctx);
    const seen = new Set<Word>();
    for (const w of sources.slice(1)) {
      if (seen.has(w)) continue;
      seen.add(w);
      if (w.text.startsWith('-') || w.text.startsWith('+')) continue;
      const a = asAssignment(w);
      if (a !== null) {
        // Declaration builtins take NAME=value without field splitting.
        const value = expandValue(a.value, x);
        env.set(a.name, value.resolved ? known(value.value!) : UNKNOWN);
        if (builtin === 'export' || cmd.argv.some((f) => f.value === '-x')) env.export(a.name);
      } else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(w.text)) {
        if (builtin === 'export') env.export(w.text);
        else if (builtin === 'local' || builtin === 'declare' || builtin === 'typeset') {
          if (env.get(w.text) === undefined) env.set(w.text, known(''));
        }
      } else {
        // `export $NAME=...`: which name is set is not known.
        env.taint();
      }
    }
  }

  /** `eval` with a known string runs it as a script in this shell; with an unknown one, anything may change. */
  private evaluate(cmd: ShellCommand, ctx: Context): void {
    const args = cmd.argv.slice(1);
    if (args.length > 0 && args.every((a) => a.resolved)) {
      const text = args.map((a) => a.value!).join(' ');
      this.setRun(cmd, { kind: 'inline', word: args[0]! });
      this.nested(text, cmd, null, ctx, ctx.env);
      return;
    }
    this.setRun(cmd, { kind: 'unknown-inline', word: args[0] });
    ctx.env.taint();
  }

  private setRun(cmd: ShellCommand, run: ScriptRun): void {
    this.runs.set(cmd.index, run);
  }

  /** `sh [options] [-c script | file | (stdin)]`. */
  private shell(cmd: ShellCommand, sources: Word[], ctx: Context): void {
    const args = cmd.argv.slice(1);
    let inline = false;
    // `-s`: the script is the input, and operands are its positional parameters.
    let fromInput = false;
    let i = 0;
    // Shell options: clusters like `-ex`, `-o pipefail`, `+e`, `--login`.
    for (; i < args.length; i++) {
      const a = args[i]!;
      if (!a.resolved) break;
      const v = a.value!;
      if (v === '--' || v === '-') {
        i++;
        break;
      }
      if (/^[-+]o$/.test(v)) {
        i++;
        continue;
      }
      if (/^--[a-z-]+$/.test(v)) continue;
      if (!/^[-+][A-Za-z]+$/.test(v)) break;
      if (v.startsWith('-') && v.includes('c')) inline = true;
      if (v.startsWith('-') && v.includes('s')) fromInput = true;
    }
    const operand = args[i];
    const childEnv = (): ShellVariables =>
      ctx.env.forChildProcess(
        cmd.assignments.map(
          (a) => [a.name, a.value.resolved ? known(a.value.value!) : UNKNOWN] as [string, VariableValue],
        ),
      );
    if (inline) {
      if (operand === undefined) return;
      const source = sources[i + 1];
      if (operand.resolved) {
        this.setRun(cmd, { kind: 'inline', word: operand });
        this.nested(operand.value!, cmd, source ?? null, ctx, childEnv());
      } else {
        this.setRun(cmd, { kind: 'unknown-inline', word: operand });
        if (source) this.linkProducers(cmd, [source]);
      }
      return;
    }
    if (operand !== undefined && !fromInput) {
      this.setRun(cmd, { kind: 'file', word: operand });
      const source = sources[i + 1];
      if (source) this.linkProducers(cmd, [source]);
      return;
    }
    // The script is the shell's input.
    const doc = [...cmd.redirects].reverse().find((r) => r.content !== undefined && (r.fd === undefined || r.fd === 0));
    if (doc?.content !== undefined) {
      if (doc.content.resolved) {
        this.setRun(cmd, { kind: 'input-text', word: doc.content });
        this.nested(doc.content.value!, cmd, null, ctx, childEnv());
      } else this.setRun(cmd, { kind: 'unknown-inline', word: doc.content });
      return;
    }
    const file = cmd.redirects.find((r) => r.op === '<' && (r.fd === undefined || r.fd === 0));
    if (file !== undefined) {
      this.setRun(cmd, { kind: 'file', word: file.target });
      return;
    }
    this.setRun(cmd, { kind: 'input' });
  }

  /** `su [-] [user] -c script`, `runuser -l user -c script`. */
  private su(cmd: ShellCommand, sources: Word[], ctx: Context): boolean {
    const args = cmd.argv.slice(1);
    const parsed = parseArgs(args, SU_OPTIONS);
    const script = parsed.options.find((o) => o.name === '-c' || o.name === '--command')?.value;
    if (script === undefined) {
      // `runuser -u user -- cmd` runs a command, like sudo.
      const user = parsed.options.find((o) => o.name === '-u' || o.name === '--user');
      if (cmd.name === 'runuser' && user !== undefined && parsed.operands.length > 0)
        this.runWrapped(cmd, { argv: parsed.operands }, sources, ctx);
      return user !== undefined;
    }
    if (script.resolved) {
      this.setRun(cmd, { kind: 'inline', word: script });
      const at = cmd.argv.indexOf(script);
      const source = at >= 0 ? (sources[at] ?? null) : null;
      this.nested(script.value!, cmd, source, ctx, ctx.env.forChildProcess());
    } else this.setRun(cmd, { kind: 'unknown-inline', word: script });
    return true;
  }

  /** Records the command a wrapper runs and follows it (it may be a wrapper or a shell itself). */
  private runWrapped(wrapper: ShellCommand, inner: Unwrapped, sources: Word[], ctx: Context): void {
    if (inner.argv.length === 0) return;
    // The wrapped command's words are the wrapper's own: keep their source words for positions.
    const innerSources = inner.argv.map((a) => sources[wrapper.argv.indexOf(a)]!);
    const cmd = this.record(ctx, {
      argv: inner.argv,
      assignments: inner.assignments ?? [],
      redirects: wrapper.redirects,
      range: wrapper.range,
      parent: wrapper.index,
    });
    if (inner.moreArgs) cmd.moreArgs = true;
    if (inner.cwdUnknown) delete cmd.cwd;
    if (wrapper.pipedFrom !== undefined) cmd.pipedFrom = wrapper.pipedFrom;
    wrapper.runs = cmd.index;
    const env = inner.assignments && inner.assignments.length > 0 ? ctx.env.child() : ctx.env;
    this.effects(cmd, innerSources, derive(ctx, env));
  }

  /** Marks the commands producing a substitution's value as feeding `consumer` (e.g. `bash -c "$(curl ...)"`). */
  private linkProducers(consumer: ShellCommand, words: Word[]): void {
    const visit = (parts: WordPart[]): void => {
      for (const p of parts) {
        if (p.kind === 'DoubleQuoted') visit(p.parts);
        const producers = this.producers.get(p);
        if (producers) for (const i of producers) this.commands[i]!.pipedTo ??= consumer.index;
      }
    };
    for (const w of words) visit(w.parts);
  }

  /** Parses and walks a script run by `runner`; `source` is the word it came from, for positions. */
  private nested(text: string, runner: ShellCommand, source: Word | null, ctx: Context, env: ShellVariables): void {
    if (ctx.frame.depth >= MAX_SCRIPT_DEPTH) {
      this.scriptIntents.push({
        kind: 'Opaque',
        reason: `scripts nested more than ${MAX_SCRIPT_DEPTH} deep are not followed`,
        range: runner.range,
        command: runner.index,
      });
      return;
    }
    const parsed = parseShell(text);
    const outer = ctx.frame;
    const map = offsetMap(source, text);
    const frame: Frame = {
      locate: map === null ? () => runner.range : (start, end) => outer.locate(map(start), map(end)),
      depth: outer.depth + 1,
      parent: runner.index,
    };
    const inner: Context = {
      env,
      conditional: ctx.conditional,
      loop: ctx.loop,
      substitution: ctx.substitution,
      functionName: ctx.functionName,
      frame,
    };
    this.script(parsed, frame, inner);
  }
}

/** Maps offsets of a script taken from a word back to the outer script, when the word holds it verbatim. */
function offsetMap(source: Word | null, text: string): ((offset: number) => number) | null {
  if (source === null) return null;
  const parts = source.parts;
  const only = parts.length === 1 ? parts[0]! : undefined;
  if (only === undefined) return null;
  let start = -1;
  if (only.kind === 'SingleQuoted' && !only.ansiC && only.value === text) start = only.start + 1;
  else if (only.kind === 'Literal' && only.value === text && only.end - only.start === text.length) start = only.start;
  else if (only.kind === 'DoubleQuoted' && only.parts.length === 1) {
    const lit = only.parts[0]!;
    if (lit.kind === 'Literal' && lit.value === text && lit.end - lit.start === text.length) start = lit.start;
  }
  if (start < 0) return null;
  return (offset) => start + offset;
}

// ---------------------------------------------------------------------------
// Wrappers: commands that run the command in their arguments

interface Unwrapped {
  argv: ResolvedWord[];
  assignments?: ResolvedAssignment[];
  /** The wrapped command gets more arguments at run time. */
  moreArgs?: boolean;
  cwdUnknown?: boolean;
}

const WRAPPER_SPECS: Record<string, { valued?: string[]; stopAtOperand: true; skipOperands?: number }> = {
  sudo: {
    stopAtOperand: true,
    valued: [
      '-u',
      '-g',
      '-C',
      '-D',
      '-h',
      '-p',
      '-r',
      '-t',
      '-T',
      '-U',
      '--user',
      '--group',
      '--close-from',
      '--chdir',
      '--host',
      '--prompt',
      '--role',
      '--type',
      '--command-timeout',
      '--other-user',
    ],
  },
  doas: { stopAtOperand: true, valued: ['-u', '-C'] },
  nice: { stopAtOperand: true, valued: ['-n', '--adjustment'] },
  nohup: { stopAtOperand: true },
  time: { stopAtOperand: true, valued: ['-f', '--format', '-o', '--output'] },
  exec: { stopAtOperand: true, valued: ['-a'] },
  timeout: { stopAtOperand: true, valued: ['-k', '--kill-after', '-s', '--signal'], skipOperands: 1 },
  stdbuf: { stopAtOperand: true, valued: ['-i', '-o', '-e', '--input', '--output', '--error'] },
  chroot: { stopAtOperand: true, valued: ['--userspec', '--groups'], skipOperands: 1 },
  gosu: { stopAtOperand: true, skipOperands: 1 },
  'su-exec': { stopAtOperand: true, skipOperands: 1 },
  fakeroot: { stopAtOperand: true, valued: ['-l', '-s', '-i', '-b', '--lib', '--faked'] },
  eatmydata: { stopAtOperand: true },
  ionice: { stopAtOperand: true, valued: ['-c', '-n', '-p', '-P', '-u', '--class', '--classdata'] },
  taskset: { stopAtOperand: true, skipOperands: 1 },
  busybox: { stopAtOperand: true },
  xargs: {
    stopAtOperand: true,
    valued: [
      '-I',
      '-n',
      '-P',
      '-L',
      '-s',
      '-d',
      '-E',
      '-a',
      '--arg-file',
      '--max-args',
      '--max-procs',
      '--max-lines',
      '--max-chars',
      '--delimiter',
      '--eof',
      '--replace',
      '--process-slot-var',
    ],
  },
};

const WRAPPERS: ReadonlyMap<string, { options: Options; skipOperands: number }> = new Map(
  Object.entries(WRAPPER_SPECS).map(([name, spec]) => [
    name,
    { options: options(spec), skipOperands: spec.skipOperands ?? 0 },
  ]),
);
const COMMAND_WRAPPER = { options: options({ stopAtOperand: true }), skipOperands: 0 };

function unwrap(name: string, args: ResolvedWord[]): Unwrapped | null {
  if (name === 'env') return unwrapEnv(args);
  if (name === 'find') return unwrapFind(args);
  if (name === 'command') {
    // `command -v x` only looks x up.
    if (args.some((a) => a.resolved && /^-[a-zA-Z]*[vV]/.test(a.value!))) return null;
  }
  const spec = name === 'command' ? COMMAND_WRAPPER : WRAPPERS.get(name);
  if (spec === undefined) return null;
  const parsed = parseArgs(args, spec.options);
  let operands = parsed.operands;
  if (name === 'nice' && operands[0]?.resolved && /^-\d+$/.test(operands[0].value!)) operands = operands.slice(1);
  operands = operands.slice(spec.skipOperands);
  if (name === 'xargs') {
    // Without a command xargs runs echo; either way, the arguments come from its input.
    return { argv: operands, moreArgs: true };
  }
  if (name === 'chroot') return { argv: operands, cwdUnknown: true };
  return { argv: operands };
}

function unwrapEnv(args: ResolvedWord[]): Unwrapped {
  const assignments: ResolvedAssignment[] = [];
  let i = 0;
  let cwdUnknown = false;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (!a.resolved) break;
    const v = a.value!;
    if (
      v === '-' ||
      v === '-i' ||
      v === '-0' ||
      v === '-v' ||
      v === '--ignore-environment' ||
      v === '--null' ||
      v === '--debug'
    )
      continue;
    if (v === '-u' || v === '-C' || v === '--unset' || v === '--chdir') {
      if (v === '-C' || v === '--chdir') cwdUnknown = true;
      i++;
      continue;
    }
    if (/^(-u|--unset=)./.test(v)) continue;
    if (/^(-C|--chdir=)./.test(v)) {
      cwdUnknown = true;
      continue;
    }
    if (v === '--') {
      i++;
      break;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(v);
    if (m === null) break;
    assignments.push({
      name: m[1]!,
      append: false,
      value: { value: v.slice(m[0].length), resolved: true, text: a.text, range: a.range },
    });
  }
  const out: Unwrapped = { argv: args.slice(i), assignments };
  if (cwdUnknown) out.cwdUnknown = true;
  return out;
}

/** `find ... -exec cmd args {} ;` — the first `-exec` (or `-execdir`, `-ok`) command. */
function unwrapFind(args: ResolvedWord[]): Unwrapped | null {
  const start = args.findIndex((a) => a.resolved && /^-(exec|execdir|ok|okdir)$/.test(a.value!));
  if (start < 0) return null;
  let end = start + 1;
  while (end < args.length && !(args[end]!.resolved && (args[end]!.value === ';' || args[end]!.value === '+'))) end++;
  const argv = args.slice(start + 1, end);
  return { argv, moreArgs: argv.some((a) => a.value?.includes('{}')), cwdUnknown: /dir$/.test(args[start]!.value!) };
}
