/**
 * What a RUN does, statically: the shell analysis of the script BuildKit would
 * run (src/shell), and the scannability verdict it implies for the exec op:
 *
 * - scannable: every file the step writes should be traceable — packages from
 *   registries with known names, verified downloads, nothing else that writes;
 * - partial: some output is traced only indirectly (package lists read from a
 *   file, archives from the context, builds, commands that write files);
 * - unscannable: the step writes bytes nobody can trace (`curl | sh`,
 *   unverified downloads, opaque scripts, a removed package database).
 */
import type { RunInstruction, Scope } from '../ir/types.js';
import {
  analyzeScript,
  runScript,
  UNKNOWN,
  known,
  type Intent,
  type ScriptAnalysis,
  type ShellCommand,
  type VariableScope,
} from '../shell/index.js';
import type { Verdict, VerdictLevel } from './types.js';

export interface RunAnalysis extends ScriptAnalysis {
  /** The script analysed (exec form: its argv quoted as a shell line). */
  script: string;
  verdict: Verdict;
}

/** Interpreters that run what they read: a download piped into one runs unseen code. */
const INTERPRETERS = new Set([
  'sh',
  'bash',
  'dash',
  'ash',
  'zsh',
  'ksh',
  'python',
  'python2',
  'python3',
  'perl',
  'ruby',
  'node',
  'php',
  'pwsh',
  'powershell',
  'source',
  '.',
]);

/** Commands that write no file the tracker would count (or only package-manager state it knows). */
const QUIET_COMMANDS = new Set([
  'true',
  'false',
  ':',
  'set',
  'export',
  'unset',
  'cd',
  'pushd',
  'popd',
  'test',
  '[',
  '[[',
  'echo',
  'printf',
  'cat',
  'ls',
  'pwd',
  'which',
  'command',
  'type',
  'hash',
  'exit',
  'return',
  'sleep',
  'grep',
  'egrep',
  'fgrep',
  'head',
  'tail',
  'wc',
  'sort',
  'uniq',
  'cut',
  'tr',
  'awk',
  'mawk',
  'gawk',
  'env',
  'id',
  'whoami',
  'uname',
  'date',
  'dpkg-query',
  'rm',
  'rmdir',
  'mkdir',
  'chmod',
  'chown',
  'chgrp',
  'useradd',
  'groupadd',
  'adduser',
  'addgroup',
  'usermod',
  'groupmod',
  'userdel',
  'deluser',
  'ldconfig',
  'update-ca-certificates',
  'update-alternatives',
  'dpkg-reconfigure',
  'locale-gen',
  'apt-mark',
  'sha256sum',
  'sha512sum',
  'sha1sum',
  'md5sum',
  'gpg',
  'gpgv',
  'gpgconf',
  'openssl',
  'find',
  'xargs',
  'sed',
  'tee',
  'apt-get',
  'apt',
  'aptitude',
  'apk',
  'yum',
  'dnf',
  'microdnf',
  'zypper',
  'pip',
  'pip3',
  'npm',
  'yarn',
  'pnpm',
  'gem',
  'rpm',
  'dpkg',
  'savedAptMark',
  'getent',
  'stat',
  'readlink',
  'realpath',
  'dirname',
  'basename',
  'curl',
  'wget',
  'tar',
  'unzip',
  'gzip',
  'gunzip',
  'xz',
]);

/** The variables a RUN sees, for the shell analysis: known values, declared-but-unknown ARGs, and the base image's unknown ones. */
export function shellScope(scope: Scope): VariableScope {
  return {
    get(name) {
      const v = scope.vars.get(name);
      if (v !== undefined) return known(v);
      if (scope.declaredOnly.has(name)) return UNKNOWN;
      // The base image may set it: unknown rather than unset.
      return scope.baseEnvKnown ? undefined : UNKNOWN;
    },
  };
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface AnalyzeRunOptions {
  /**
   * Compute `verdict` when it is first read (lint: no rule reads it) rather
   * than now. It is still an own enumerable property, as JSON and spreads see it.
   */
  lazyVerdict?: boolean;
}

export function analyzeRun(run: RunInstruction, workdir?: string, opts: AnalyzeRunOptions = {}): RunAnalysis {
  let script: string;
  let origin: ((offset: number) => { line: number; column: number }) | undefined;
  let shell: readonly string[] = run.shell;
  if (run.command.form === 'exec') {
    script = run.command.argv.map(shellQuote).join(' ');
    shell = ['/bin/sh', '-c'];
  } else {
    const rs = runScript(run.syntax);
    script = rs?.script ?? run.command.script;
    origin = rs?.origin;
    // A `RUN <<EOF` body with a #! line runs under that interpreter, not the SHELL.
    if (rs?.shebang) shell = rs.shebang;
  }
  const analysis = analyzeScript(script, {
    shell,
    variables: shellScope(run.scope),
    ...(origin ? { origin } : {}),
    ...(workdir ? { workdir } : {}),
  });
  // Spelt out rather than spread (`{ ...analysis }` is slow here).
  if (!opts.lazyVerdict)
    return {
      commands: analysis.commands,
      intents: analysis.intents,
      diagnostics: analysis.diagnostics,
      script,
      verdict: verdictOf(analysis),
    };
  const out = {
    commands: analysis.commands,
    intents: analysis.intents,
    diagnostics: analysis.diagnostics,
    script,
  } as RunAnalysis;
  // One getter shared by every analysis (a getter of its own would give each object its own hidden class).
  Object.defineProperty(out, 'verdict', { get: lazyVerdict, enumerable: true, configurable: true });
  return out;
}

/** `verdict` on first read: computed, then kept as a plain property. */
function lazyVerdict(this: RunAnalysis): Verdict {
  const verdict = verdictOf(this);
  Object.defineProperty(this, 'verdict', { value: verdict, enumerable: true, writable: true, configurable: true });
  return verdict;
}

const RANK: Record<VerdictLevel, number> = { none: 0, scannable: 1, partial: 2, unscannable: 3 };

export function verdictOf(a: ScriptAnalysis): Verdict {
  let level: VerdictLevel = 'scannable';
  const reasons: string[] = [];
  const raise = (l: VerdictLevel, reason: string) => {
    if (RANK[l] > RANK[level]) level = l;
    if (!reasons.includes(reason)) reasons.push(reason);
  };
  const verified = new Set<string>();
  for (const it of a.intents) if (it.kind === 'Verify' && it.target?.value) verified.add(base(it.target.value));
  const intentCommands = new Set(a.intents.map((i) => i.command));
  for (const it of a.intents) describe(it, verified, raise);
  // Commands with no intent that may still write files the tracker cannot attribute.
  const writers = new Set<string>();
  for (const c of a.commands) {
    if (intentCommands.has(c.index)) continue;
    if (writesFile(c)) writers.add(c.name ?? c.argv[0]?.text ?? '?');
  }
  if (writers.size) raise('partial', `commands that write files nothing traces: ${[...writers].sort().join(', ')}`);
  return { level, reasons };
}

function base(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function writesFile(c: ShellCommand): boolean {
  if (
    c.redirects.some(
      (r) =>
        (r.op === '>' || r.op === '>>' || r.op === '>|' || r.op === '&>' || r.op === '&>>') &&
        !/^\/dev\//.test(r.target.value ?? ''),
    )
  )
    return true;
  if (!c.name) return c.argv.length > 0;
  if (c.name === 'sed') return c.argv.some((w) => /^-[a-zA-Z]*i/.test(w.value ?? '') || w.value === '--in-place');
  if (c.name === 'tee')
    return c.argv.slice(1).some((w) => !(w.value ?? '').startsWith('-') && !/^\/dev\//.test(w.value ?? ''));
  if (QUIET_COMMANDS.has(c.name)) return false;
  return true;
}

function describe(it: Intent, verified: Set<string>, raise: (l: VerdictLevel, reason: string) => void): void {
  switch (it.kind) {
    case 'PackageInstall':
      if (it.packages.some((p) => p.source === 'file'))
        raise('partial', `${it.tool} installs a package from a local file of unknown origin`);
      else if (it.packages.some((p) => p.source === 'url' || p.source === 'vcs'))
        raise('partial', `${it.tool} installs a package from a URL or repository`);
      if (!it.listKnown) raise('partial', `the packages ${it.tool} installs are not statically known`);
      if (it.insecure) raise('partial', `${it.tool} installs with signature checks switched off`);
      break;
    case 'Download': {
      const url = it.url.value ?? it.url.text;
      if (it.pipedTo && INTERPRETERS.has(it.pipedTo)) {
        raise('unscannable', `downloads ${url} and runs it with ${it.pipedTo}`);
        break;
      }
      const out = it.output?.value;
      const ok = out !== undefined && verified.has(base(out));
      if (it.pipedTo === 'tar' || it.pipedTo === 'unzip' || it.pipedTo === 'bsdtar')
        raise('unscannable', `unpacks ${url} without verifying it`);
      else if (!ok) raise('unscannable', `downloads ${url} without a checksum or signature check`);
      break;
    }
    case 'Extract':
      if (it.pipedFrom === undefined)
        raise(
          'partial',
          `unpacks ${it.archive?.value ?? it.archive?.text ?? 'an archive'}: its files are traced to the archive, whose own origin must be known`,
        );
      break;
    case 'Build':
      raise('partial', `builds with ${it.tool}: the result is traced to the sources the stage copied in`);
      break;
    case 'Clone':
      raise(
        it.pinned ? 'partial' : 'unscannable',
        it.pinned
          ? `clones ${it.url.value ?? it.url.text} at a pinned commit (its files are not tracked)`
          : `clones ${it.url.value ?? it.url.text} without a pinned commit`,
      );
      break;
    case 'Opaque':
      raise('unscannable', it.reason);
      break;
    case 'PackageDatabaseRemoval':
      raise('unscannable', `removes the ${it.database} database: the origin of installed files is lost`);
      break;
    case 'Verify':
      break;
  }
}
