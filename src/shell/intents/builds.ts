/**
 * Build (compiling from sources), Opaque (what cannot be read statically) and
 * PackageDatabaseRemoval (`rm -rf /var/lib/dpkg`); and the paths a script's
 * `rm` commands remove (`removedByScript`).
 */
import { basename, parseArgs, resolvePath, type ParsedOption } from '../args.js';
import { escapeRegExp, globToRegExp, type ResolvedWord } from '../expand.js';
import type { BuildIntent, Intent, OpaqueIntent, PackageDatabaseRemovalIntent, ShellCommand } from '../types.js';
import type { IntentContext } from './index.js';

/** No intents (shared: callers only read results). */
const NONE: never[] = [];

function build(cmd: ShellCommand, tool: string, target?: string): BuildIntent {
  const out: BuildIntent = { kind: 'Build', tool, command: cmd.index, range: cmd.range };
  if (target !== undefined) out.target = target;
  return out;
}

/** Scripts that are build steps of well-known build systems, not arbitrary programs. */
const BUILD_SCRIPTS = new Map([
  ['configure', 'configure'],
  // OpenSSL's configure script.
  ['Configure', 'configure'],
  // Go's toolchain build.
  ['make.bash', 'go'],
  ['autogen.sh', 'autotools'],
  ['bootstrap', 'autotools'],
  ['bootstrap.sh', 'autotools'],
  ['gradlew', 'gradle'],
  ['mvnw', 'mvn'],
]);

const AUTOTOOLS = new Set(['autoreconf', 'autoconf', 'automake', 'aclocal', 'libtoolize', 'autoheader']);
const COMPILERS = new Set(['gcc', 'cc', 'g++', 'c++', 'clang', 'clang++']);

/** First operand that is a goal, not a `VAR=value` or an option value. */
function firstGoal(args: ResolvedWord[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    if (v === undefined) continue;
    if (v === '-C' || v === '-f' || v === '-I' || v === '-o' || v === '-W' || v === '--file' || v === '--directory') {
      i++;
      continue;
    }
    // `-j 4` / `-j "$(nproc)"`: -j's value is optional, so only a number (or an unknown word) follows it.
    if ((v === '-j' || v === '-l') && (args[i + 1]?.value === undefined || /^\d+$/.test(args[i + 1]!.value!))) {
      i++;
      continue;
    }
    if (v.startsWith('-') || v.includes('=')) continue;
    return v;
  }
  return undefined;
}

const BUILD_TOOLS = new Set([
  'make',
  'gmake',
  'bmake',
  'cmake',
  'ninja',
  'samu',
  'meson',
  'mvn',
  'gradle',
  'ant',
  'sbt',
  'bazel',
  'bazelisk',
  'dotnet',
  'go',
  'cargo',
  'dpkg-buildpackage',
  'debuild',
  'rpmbuild',
]);

/** May a command of this name build from sources? */
export function buildsWith(name: string): boolean {
  return (
    BUILD_TOOLS.has(name) ||
    BUILD_SCRIPTS.has(name) ||
    AUTOTOOLS.has(name) ||
    COMPILERS.has(name) ||
    /^(gcc|g\+\+|clang)-\d+$/.test(name) ||
    /^(python|pypy)(\d+(\.\d+)*)?$/.test(name)
  );
}

export function buildIntents(cmd: ShellCommand, _ctx: IntentContext): BuildIntent[] {
  const name = cmd.name!;
  const args = cmd.argv.slice(1);
  const script = BUILD_SCRIPTS.get(name);
  if (script !== undefined)
    return [build(cmd, script, script === 'gradle' || script === 'mvn' ? firstGoal(args) : undefined)];
  if (AUTOTOOLS.has(name)) return [build(cmd, 'autotools')];
  switch (name) {
    case 'make':
    case 'gmake':
    case 'bmake':
      return [build(cmd, 'make', firstGoal(args))];
    case 'cmake': {
      const mode = args.find((a) => a.value === '--build' || a.value === '--install');
      return [build(cmd, 'cmake', mode?.value?.slice(2) ?? 'configure')];
    }
    case 'ninja':
    case 'samu':
      return [build(cmd, 'ninja', firstGoal(args))];
    case 'meson':
      return [
        build(cmd, 'meson', args[0]?.value !== undefined && /^[a-z]+$/.test(args[0].value) ? args[0].value : 'setup'),
      ];
    case 'mvn':
      return [build(cmd, 'mvn', firstGoal(args))];
    case 'gradle':
      return [build(cmd, 'gradle', firstGoal(args))];
    case 'ant':
    case 'sbt':
      return [build(cmd, name, firstGoal(args))];
    case 'bazel':
    case 'bazelisk':
      return args[0]?.value === 'build' || args[0]?.value === 'run' ? [build(cmd, 'bazel', args[0].value)] : [];
    case 'dotnet':
      return args[0]?.value === 'build' || args[0]?.value === 'publish' ? [build(cmd, 'dotnet', args[0].value)] : [];
    case 'go': {
      const sub = args[0]?.value;
      if (sub === 'build') return [build(cmd, 'go', 'build')];
      // `go install ./cmd/x` (no @version) compiles local code.
      if (sub === 'install' && args.slice(1).some((a) => !a.text.startsWith('-') && !(a.value ?? a.text).includes('@')))
        return [build(cmd, 'go', 'install')];
      return NONE;
    }
    case 'cargo': {
      const sub = args[0]?.value;
      if (sub === 'build' || sub === 'rustc') return [build(cmd, 'cargo', 'build')];
      if (sub === 'install' && args.some((a) => a.value === '--path' || a.value?.startsWith('--path=') === true))
        return [build(cmd, 'cargo', 'install')];
      return NONE;
    }
    case 'dpkg-buildpackage':
    case 'debuild':
    case 'rpmbuild':
      return [build(cmd, name)];
  }
  if (/^(python|pypy)(\d+(\.\d+)*)?$/.test(name)) {
    const setup = args.findIndex((a) => a.value !== undefined && basename(a.value) === 'setup.py');
    if (setup >= 0 && args.slice(0, setup).every((a) => a.value?.startsWith('-') === true))
      return [build(cmd, 'setuptools', args[setup + 1]?.value)];
  }
  if (COMPILERS.has(name) || /^(gcc|g\+\+|clang)-\d+$/.test(name)) {
    if (args.some((a) => a.value !== undefined && (/\.(c|cc|cpp|cxx|s|S|m)$/.test(a.value) || a.value === '-c')))
      return [build(cmd, 'cc')];
  }
  return NONE;
}

const INTERPRETERS =
  /^((python|pypy)(\d+(\.\d+)*)?|perl|ruby|node|nodejs|php(\d+(\.\d+)*)?|lua(\d+(\.\d+)*)?|Rscript|tclsh|groovy|deno|bun)$/;
/** Modules run with `python -m` that other recognizers read (pip) or that only set up tooling. */
const PYTHON_MODULES_READ = new Set(['pip', 'venv', 'ensurepip', 'compileall', 'py_compile', 'virtualenv', 'site']);

function opaque(cmd: ShellCommand, reason: string): OpaqueIntent {
  return { kind: 'Opaque', reason, command: cmd.index, range: cmd.range };
}

function describeSource(ctx: IntentContext, cmd: ShellCommand): string {
  if (cmd.pipedFrom === undefined) return '';
  const from = ctx.effective(cmd.pipedFrom);
  return ` (piped from ${from.name ?? from.argv[0]?.text ?? 'a command'})`;
}

/** What a command that runs a script or code reveals: usually nothing (Opaque), sometimes a build step (`sh ./configure`). */
export function opaqueIntents(cmd: ShellCommand, ctx: IntentContext): Intent[] {
  const first = cmd.argv[0]!;
  if (!first.resolved) return [opaque(cmd, `runs a command whose name is not known statically: ${first.text}`)];
  const name = cmd.name!;
  const run = ctx.runs.get(cmd.index);
  if (run !== undefined) {
    switch (run.kind) {
      case 'inline':
      case 'input-text':
        return NONE;
      case 'unknown-inline':
        return [
          opaque(
            cmd,
            `${name === 'eval' ? 'evaluates' : 'runs'} a script that is not known statically${run.word ? `: ${run.word.text}` : ''}`,
          ),
        ];
      case 'input':
        return [opaque(cmd, `runs a script read from its input${describeSource(ctx, cmd)}`)];
      case 'file': {
        const file = run.word.value;
        // `sh ./configure` is a build step.
        const tool = file === undefined ? undefined : BUILD_SCRIPTS.get(basename(file));
        if (tool !== undefined) return [build(cmd, tool)];
        return [opaque(cmd, `runs the script ${run.word.text}`)];
      }
    }
  }
  if (name === 'source' || name === '.') {
    const file = cmd.argv[1];
    return [opaque(cmd, file === undefined ? 'sources a file' : `sources ${file.text}`)];
  }
  const value = first.value!;
  if (BUILD_SCRIPTS.has(name)) return NONE;
  const kind = kindOf(name);
  if (value.startsWith('./') || value.startsWith('../') || kind === 'script')
    return [opaque(cmd, `runs the script ${first.text}`)];
  if (kind === 'interpreter') return interpreterIntents(cmd, name);
  return NONE;
}

const kinds = new Map<string, 'script' | 'interpreter' | 'other'>();

/** Is a command name a script file or a language interpreter? Cached: most commands are neither. */
function kindOf(name: string): 'script' | 'interpreter' | 'other' {
  let kind = kinds.get(name);
  if (kind === undefined) {
    kind = /\.(sh|bash|ksh|zsh)$/.test(name) ? 'script' : INTERPRETERS.test(name) ? 'interpreter' : 'other';
    if (kinds.size < 4096) kinds.set(name, kind);
  }
  return kind;
}

/** `python script.py`, `node -e '...'`: code in another language runs. */
function interpreterIntents(cmd: ShellCommand, name: string): OpaqueIntent[] {
  const args = cmd.argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = a.value;
    if (v === undefined) return [opaque(cmd, `runs ${name} with arguments that are not known statically`)];
    if (v === '-m' && /^(python|pypy)/.test(name)) {
      const module = args[i + 1]?.value;
      if (module !== undefined && PYTHON_MODULES_READ.has(module)) return NONE;
      return [opaque(cmd, `runs the ${name} module ${args[i + 1]?.text ?? ''}`.trim())];
    }
    if (v === '-c' || v === '-e' || v === '-r' || v === '--eval' || v === '-E' || v === '-p' || v === '--print') {
      return [opaque(cmd, `runs inline ${name} code`)];
    }
    if (v.startsWith('-')) continue;
    if (basename(v) === 'setup.py') return NONE;
    return [opaque(cmd, `runs the ${name} script ${a.text}`)];
  }
  return NONE;
}

// ---------------------------------------------------------------------------
// Package database removal

const DATABASES: Array<{ database: PackageDatabaseRemovalIntent['database']; path: string }> = [
  { database: 'dpkg', path: '/var/lib/dpkg' },
  { database: 'apk', path: '/lib/apk/db' },
  { database: 'apk', path: '/var/lib/apk' },
  { database: 'rpm', path: '/var/lib/rpm' },
  { database: 'rpm', path: '/usr/lib/sysimage/rpm' },
];

/**
 * Does removing `t` (without trailing slashes; a glob when `wild`, the index of
 * its first glob character, is not -1) remove the database at `db` or part of it?
 */
function removes(t: string, wild: number, db: string): boolean {
  if (wild < 0) return t === db || db.startsWith(t === '/' ? '/' : t + '/') || t.startsWith(db + '/');
  // The text before the first glob character must lead to the database or into it.
  const fixed = t.slice(0, wild);
  if (fixed.startsWith(db + '/')) return true;
  if (!db.startsWith(fixed)) return false;
  let re: RegExp;
  try {
    re = new RegExp(`^${globToRegExp(t)}$`);
  } catch {
    return false;
  }
  // The glob may name the database or a directory above it.
  for (let p = db; p.length > 0; p = p.slice(0, p.lastIndexOf('/'))) if (re.test(p)) return true;
  return false;
}

/**
 * What an `rm` command names: its options, and each operand the analysis
 * resolved, as an absolute path without trailing slashes (a glob where the
 * word is one). Nothing for another command.
 */
function rmOperands(
  cmd: ShellCommand,
): { options: ParsedOption[]; targets: Array<{ word: ResolvedWord; path: string }> } | undefined {
  if (cmd.name !== 'rm') return undefined;
  const parsed = parseArgs(cmd.argv.slice(1));
  const targets: Array<{ word: ResolvedWord; path: string }> = [];
  for (const w of parsed.operands) {
    if (!w.resolved) continue;
    const resolved = resolvePath(cmd.cwd, w.value!);
    if (resolved === undefined) continue;
    targets.push({ word: w, path: resolved.length > 1 ? resolved.replace(/\/+$/, '') : resolved });
  }
  return { options: parsed.options, targets };
}

export function removalIntents(cmd: ShellCommand): PackageDatabaseRemovalIntent[] {
  const rm = rmOperands(cmd);
  if (!rm || rm.options.some((o) => o.name === '--help')) return NONE;
  const out: PackageDatabaseRemovalIntent[] = [];
  for (const { word: w, path: t } of rm.targets) {
    const wild = w.glob === true ? t.search(/[*?[]/) : -1;
    const db = DATABASES.find((d) => removes(t, wild, d.path));
    if (db !== undefined)
      out.push({
        kind: 'PackageDatabaseRemoval',
        database: db.database,
        path: w,
        command: cmd.index,
        range: cmd.range,
      });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Paths a script removes

/**
 * Whether an image path is one a script's `rm` commands remove: an operand
 * (a glob as the shell matches it) or, for `rm -r`, below one. Operands the
 * analysis could not resolve are left out, so the answer errs on "kept".
 * Whether the removal runs at all (a condition), or something writes the
 * path again after it, is not known: a hint, for work that can be redone.
 */
export function removedByScript(commands: readonly ShellCommand[]): (path: string) => boolean {
  const tests: Array<(path: string) => boolean> = [];
  for (const cmd of commands) {
    const rm = rmOperands(cmd);
    if (!rm) continue;
    const recursive = rm.options.some((o) => o.name === '-r' || o.name === '-R' || o.name === '--recursive');
    for (const { word: w, path: t } of rm.targets) {
      if (t === '/') continue; // never worth believing
      let re: RegExp;
      try {
        re = new RegExp(`^${w.glob === true ? globToRegExp(t) : escapeRegExp(t)}${recursive ? '(/.*)?' : ''}$`, 's');
      } catch {
        continue;
      }
      tests.push((p) => re.test(p));
    }
  }
  return (p) => tests.some((test) => test(p));
}
