/**
 * Syntax tree -> typed IR, with BuildKit's semantics: the instruction parsers
 * of frontend/dockerfile/instructions (flags, argument counts, forms) and the
 * expansion dispatch applies (which words expand, against which variables).
 *
 * BuildKit stops at the first error; the IR builder records every error as a
 * diagnostic and carries on with the rest, so that lint can report them all.
 */
import {
  chompedContent,
  expandWord,
  parseHeredocWord,
  positionInInstruction,
  type Heredoc,
  type Instruction as SyntaxInstruction,
  type SyntaxTree,
  type VariableLookup,
} from '../../grammar/dockerfile/index.js';
import type { Diagnostic, Range, Severity } from '../common/diagnostics.js';
import { goQuote } from '../common/go-text.js';
import { withSuggestion } from '../common/suggest.js';
import { FLAG_SPECS, flagBool, flagString, flagStrings, parseFlags, type FlagSpec, type ParsedFlags } from './flags.js';
import { parseMount } from './mounts.js';
import { parseCheckDirective } from './check-directive.js';
import { builtinArgs, defaultPlatform, formatPlatform } from './platform.js';
import { declareVar, emptyScope, scopeLookup, withVar, withVars } from './scope.js';
import type {
  AddInstruction,
  ArgInstruction,
  CopyInstruction,
  BaseRef,
  Command,
  CopyFrom,
  DockerfileIR,
  Expanded,
  FromInstruction,
  InlineSource,
  Instruction,
  Mount,
  Platform,
  Scope,
  Stage,
} from './types.js';
import { parseImageReference } from './reference.js';
import { parseGoDuration, parseSignal } from './values.js';

export interface IROptions {
  /** `--build-arg` values. */
  buildArgs?: Readonly<Record<string, string>>;
  /** `--target`; defaults to the last stage. Only affects TARGETSTAGE. */
  target?: string;
  targetPlatform?: Platform;
  buildPlatform?: Platform;
  /**
   * The environment (`KEY=value` entries) of a base image, when known. When it
   * returns undefined, the image's variables are unknown (offline analysis).
   */
  baseImageEnv?: (ref: string) => readonly string[] | undefined;
  /** The base image's SHELL, when known. */
  baseImageShell?: (ref: string) => readonly string[] | undefined;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const DEFAULT_SHELL = ['/bin/sh', '-c'];
const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;
const INSTRUCTION_NAMES: readonly string[] = [
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
];
const KNOWN_INSTRUCTIONS: ReadonlySet<string> = new Set(INSTRUCTION_NAMES.map((n) => n.toLowerCase()));

class IRBuilder {
  readonly diagnostics: Diagnostic[] = [];
  // A stage's scope and SHELL at its end, for stages built FROM it.
  // (Per build rather than in module-level WeakMaps, which keep their values through young-generation collections.)
  readonly endScopes = new Map<Stage, Scope>();
  readonly endShells = new Map<Stage, string[]>();

  constructor(
    readonly tree: SyntaxTree,
    readonly opts: IROptions,
  ) {}

  report(
    node: SyntaxInstruction | Range,
    message: string,
    code: string,
    severity: Severity = 'error',
    hint?: string,
  ): void {
    const range = 'keyword' in node ? node.range : node;
    this.diagnostics.push({ file: this.tree.file, range, severity, message, code, ...(hint ? { hint } : {}) });
  }

  /** BuildKit's ProcessWord against a scope; failures are reported and leave the word as written. */
  expand(
    node: SyntaxInstruction,
    word: string,
    scope: VariableLookup,
    opts?: { escape?: '\\' | '`'; skipProcessQuotes?: boolean },
  ): Expanded {
    const out = expandWord(word, scope, {
      escape: opts?.escape ?? this.tree.escape,
      skipProcessQuotes: opts?.skipProcessQuotes ?? false,
    });
    if (!out.ok) {
      this.report(node, out.error, 'ir/expansion', 'error', 'check the quoting and ${...} syntax of this word');
      return { raw: word, value: word, undefinedVars: [] };
    }
    return { raw: word, value: out.result.value, undefinedVars: [...out.result.unmatched] };
  }

  flags(node: SyntaxInstruction, spec: FlagSpec): ParsedFlags | undefined {
    const parsed = parseFlags(node.flags, spec);
    if (!parsed.ok) {
      const accepted = Object.keys(spec);
      this.report(
        node,
        parsed.error,
        'ir/flag',
        'error',
        accepted.length
          ? `${node.keyword.toUpperCase()} accepts ${accepted.map((f) => `--${f}`).join(', ')}`
          : `${node.keyword.toUpperCase()} takes no flags`,
      );
      return undefined;
    }
    return parsed.flags;
  }
}

/** Where the expanded value of a word would be read by the shell: positions for diagnostics. */
function argRange(node: SyntaxInstruction, text: string): Range {
  const at = node.original.indexOf(text);
  if (at < 0 || text === '') return node.range;
  const start = positionInInstruction(node, at);
  const end = positionInInstruction(node, at + text.length);
  return { start, end };
}

function kvps(
  b: IRBuilder,
  node: SyntaxInstruction,
  name: string,
): Array<{ key: string; value: string; legacy: boolean }> | undefined {
  const args = node.args;
  if (args.length === 0) {
    b.report(node, `${name} requires at least one argument`, 'ir/arguments', 'error', `write ${name} NAME=value`);
    return undefined;
  }
  const out = [];
  for (let i = 0; i + 2 < args.length; i += 3) {
    const key = args[i]!;
    if (key === '') {
      b.report(node, `${name} names can not be blank`, 'ir/arguments');
      return undefined;
    }
    out.push({ key, value: args[i + 1]!, legacy: args[i + 2] === '' });
  }
  return out;
}

function handleJSONArgs(node: SyntaxInstruction, args: string[]): string[] {
  if (args.length === 0) return [];
  return node.json ? args : [args.join(' ')];
}

/** The command a RUN actually executes, with its heredocs as BuildKit passes them. */
function runCommand(
  node: SyntaxInstruction,
  args: string[],
  heredocs: Heredoc[],
): { command: Command; error?: string } {
  const cmd = handleJSONArgs(node, args);
  if (node.json) return { command: { form: 'exec', argv: cmd } };
  if (heredocs.length === 0) return { command: { form: 'shell', script: cmd[0] ?? '' } };
  if (cmd.length !== 1)
    return {
      command: { form: 'shell', script: '' },
      error: `parsing produced an invalid run command: [${cmd.join(' ')}]`,
    };
  const first = heredocs[0]!;
  const own = parseHeredocWord(cmd[0]!);
  if (own.ok && own.heredoc) {
    // `RUN <<EOF`: the body itself is the script.
    return { command: { form: 'shell', script: chompedContent(first) } };
  }
  // A command that reads heredocs: hand the shell the line and the bodies.
  let script = cmd[0]!;
  for (const h of heredocs) script += '\n' + h.content + h.name;
  return { command: { form: 'shell', script } };
}

function sourcesAndDest(
  b: IRBuilder,
  node: SyntaxInstruction,
  name: 'COPY' | 'ADD',
  scope: VariableLookup,
): { sources: Expanded[]; inline: InlineSource[]; dest: Expanded } | undefined {
  if (node.args.length < 2) {
    b.report(
      node,
      `${name} requires at least two arguments, but only one was provided. Destination could not be determined`,
      'ir/arguments',
      'error',
      `write ${name} <source>... <destination>`,
    );
    return undefined;
  }
  const srcs = node.args.slice(0, -1);
  const destRaw = node.args[node.args.length - 1]!;
  const destDoc = parseHeredocWord(destRaw);
  if (destDoc.ok && destDoc.heredoc) {
    b.report(node, `${name} cannot accept a heredoc as a destination`, 'ir/arguments');
    return undefined;
  }
  const byName = new Map(node.heredocs.map((h) => [h.name, h]));
  const sources: Expanded[] = [];
  const inline: InlineSource[] = [];
  for (const src of srcs) {
    const doc = parseHeredocWord(src);
    if (doc.ok && doc.heredoc) {
      const h = byName.get(doc.heredoc.name);
      let content = h ? h.content : '';
      if (doc.heredoc.chomp) content = content.replace(/(^|\n)\t+/g, '$1');
      if (doc.heredoc.expand) {
        // BuildKit expands inline files with a backslash lexer that keeps quotes.
        content = b.expand(node, content, scope, { escape: '\\', skipProcessQuotes: true }).value;
      }
      inline.push({ name: doc.heredoc.name, content });
    } else {
      sources.push(b.expand(node, src, scope));
    }
  }
  return { sources, inline, dest: b.expand(node, destRaw, scope) };
}

/** Builds the typed IR of a parsed Dockerfile. Never throws; problems become diagnostics. */
export function buildIR(tree: SyntaxTree, opts: IROptions = {}): DockerfileIR {
  const b = new IRBuilder(tree, opts);
  const buildArgs = opts.buildArgs ?? {};
  const targetPlatform = opts.targetPlatform ?? defaultPlatform();
  const buildPlatform = opts.buildPlatform ?? targetPlatform;

  const syntax = tree.directives.find((d) => d.name === 'syntax')?.value;
  const checkText = tree.directives.find((d) => d.name === 'check');
  const check = checkText ? parseCheckDirective(checkText.value) : undefined;

  // Split the file into global ARGs and stages (instructions.Parse).
  const globalNodes: SyntaxInstruction[] = [];
  const stageNodes: Array<{ from: SyntaxInstruction; body: SyntaxInstruction[] }> = [];
  for (const node of tree.instructions) {
    const kw = node.keyword.toLowerCase();
    if (!KNOWN_INSTRUCTIONS.has(kw)) {
      b.report(
        node,
        withSuggestion(`unknown instruction: ${node.keyword}`, node.keyword, INSTRUCTION_NAMES, false),
        'ir/unknown-instruction',
        'error',
        `Dockerfile instructions are ${INSTRUCTION_NAMES.join(', ')}`,
      );
      continue;
    }
    if (kw === 'from') stageNodes.push({ from: node, body: [] });
    else if (stageNodes.length === 0) {
      if (kw === 'arg') globalNodes.push(node);
      else
        b.report(
          node,
          'no build stage in current context',
          'ir/no-stage',
          'error',
          'start the Dockerfile with FROM (only ARG may come before the first FROM)',
        );
    } else stageNodes[stageNodes.length - 1]!.body.push(node);
  }

  // Stage names, for TARGETSTAGE and stage references.
  const stageNames = stageNodes.map(({ from }) =>
    from.args.length === 3 && from.args[1]!.toLowerCase() === 'as' ? from.args[2]!.toLowerCase() : undefined,
  );
  const target = opts.target ?? stageNames[stageNames.length - 1] ?? '';

  // Global scope: builtin platform args, then global ARGs (buildMetaArgs).
  let global: Scope = withVars(emptyScope(true), builtinArgs(buildPlatform, targetPlatform, target, buildArgs));
  const globalArgs: ArgInstruction[] = [];
  for (const node of globalNodes) {
    const scopeBefore = global;
    const parsed = parseArgWords(b, node);
    if (!parsed) continue;
    const declared = declareArgs(b, node, parsed, global, buildArgs, undefined);
    global = declared.scope;
    const args = declared.args;
    globalArgs.push({ kind: 'arg', keyword: node.keyword, range: node.range, syntax: node, scope: scopeBefore, args });
  }
  const globalScope = global;

  const stages: Stage[] = [];
  stageNodes.forEach(({ from, body }, index) => {
    const stage = buildStage(b, index, from, body, stages, stageNames, globalScope, buildArgs, targetPlatform);
    stages.push(stage);
  });

  return {
    file: tree.file,
    escape: tree.escape,
    ...(syntax !== undefined ? { syntax } : {}),
    ...(check ? { check } : {}),
    globalArgs,
    globalScope,
    stages,
    targetPlatform,
    buildPlatform,
    diagnostics: b.diagnostics,
    tree,
  };
}

/**
 * The values one ARG instruction declares (BuildKit's buildMetaArgs for global
 * ARGs, dispatchArg in a stage): a build arg wins, then the default (expanded
 * against the scope so far, one name after another), then — in a stage — the
 * global ARG of the same name. A default is expanded only when it is used.
 */
function declareArgs(
  b: IRBuilder,
  node: SyntaxInstruction,
  parsed: Array<{ key: string; raw?: string }>,
  scope: Scope,
  buildArgs: Readonly<Record<string, string>>,
  globals: Scope | undefined,
): { args: ArgInstruction['args']; scope: Scope } {
  const args: ArgInstruction['args'] = [];
  for (const { key, raw } of parsed) {
    const fromBuild = Object.hasOwn(buildArgs, key) ? buildArgs[key] : undefined;
    let def: Expanded | undefined;
    let value: string | undefined;
    let valueFrom: ArgInstruction['args'][number]['valueFrom'] = 'unset';
    if (fromBuild !== undefined) {
      if (raw !== undefined) def = { raw, value: raw, undefinedVars: [] };
      value = fromBuild;
      valueFrom = 'build-arg';
    } else if (raw !== undefined) {
      def = b.expand(node, raw, scopeLookup(scope));
      value = def.value;
      valueFrom = 'default';
    } else if (globals?.vars.has(key)) {
      value = globals.vars.get(key);
      valueFrom = 'global';
    }
    scope = value !== undefined ? withVar(scope, key, value) : declareVar(scope, key);
    args.push({ key, ...(def ? { default: def } : {}), ...(value !== undefined ? { value } : {}), valueFrom });
  }
  return { args, scope };
}

function parseArgWords(b: IRBuilder, node: SyntaxInstruction): Array<{ key: string; raw?: string }> | undefined {
  if (node.args.length === 0) {
    b.report(node, 'ARG requires at least one argument', 'ir/arguments', 'error', 'write ARG NAME or ARG NAME=default');
    return undefined;
  }
  const out: Array<{ key: string; raw?: string }> = [];
  for (const word of node.args) {
    const eq = word.indexOf('=');
    if (eq < 0) {
      out.push({ key: word });
      continue;
    }
    if (eq === 0) {
      b.report(node, 'ARG names can not be blank', 'ir/arguments');
      return undefined;
    }
    out.push({ key: word.slice(0, eq), raw: word.slice(eq + 1) });
  }
  return out;
}

function buildStage(
  b: IRBuilder,
  index: number,
  node: SyntaxInstruction,
  body: SyntaxInstruction[],
  previous: Stage[],
  stageNames: Array<string | undefined>,
  globalScope: Scope,
  buildArgs: Readonly<Record<string, string>>,
  targetPlatform: Platform,
): Stage {
  const args = node.args;
  let asName: string | undefined;
  let asKeyword: string | undefined;
  if (args.length === 3 && args[1]!.toLowerCase() === 'as') {
    asKeyword = args[1]!;
    asName = args[2]!;
    if (!STAGE_NAME.test(asName.toLowerCase())) {
      b.report(
        argRange(node, asName),
        `invalid name for build stage: ${goQuote(asName)}, name can't start with a number or contain symbols`,
        'ir/stage-name',
        'error',
        'stage names start with a letter and use only a-z, 0-9, -, _ and .',
      );
    }
  } else if (args.length !== 1) {
    b.report(
      node,
      'FROM requires either one or three arguments',
      'ir/arguments',
      'error',
      'write FROM image [AS name]',
    );
  }
  const flags = b.flags(node, FLAG_SPECS.from);
  const globalLookup = scopeLookup(globalScope);
  const image = b.expand(node, args[0] ?? '', globalLookup);
  const platformRaw = flags ? flagString(flags, 'platform') : undefined;
  const platform = platformRaw !== undefined ? b.expand(node, platformRaw, globalLookup) : undefined;
  if (args.length > 0 && image.value === '') {
    b.report(
      node,
      `base name (${image.raw}) should not be blank`,
      'ir/blank-base',
      'error',
      `give ${image.undefinedVars.length ? image.undefinedVars.join(', ') : 'the ARG'} a default or pass --build-arg`,
    );
  }
  if (platform && platform.value === '') {
    b.report(node, `empty platform value from expression ${platform.raw}`, 'ir/platform');
  }

  const lowerBase = image.value.toLowerCase();
  let base: BaseRef;
  const stageIndex = previous.findIndex((s) => s.name !== undefined && s.name === lowerBase);
  if (stageIndex >= 0) base = { kind: 'stage', stage: stageIndex };
  else if (lowerBase === 'scratch') base = { kind: 'scratch' };
  else {
    base = { kind: 'image', ref: image.value };
    if (image.value !== '') {
      const parsed = parseImageReference(image.value);
      if (!parsed.ok) {
        b.report(
          node,
          `failed to parse stage name ${goQuote(image.value)}: ${parsed.error}`,
          'ir/reference',
          'error',
          image.undefinedVars.length
            ? `${image.undefinedVars.join(', ')} expanded to an empty string; give it a default or pass --build-arg`
            : 'image references look like name[:tag][@digest]',
        );
      }
    }
  }

  // Initial scope: the parent stage's, or the base image's environment with a default PATH.
  let scope: Scope;
  let shell = DEFAULT_SHELL;
  if (base.kind === 'stage') {
    const parent = previous[base.stage]!;
    scope = b.endScopes.get(parent)!;
    shell = b.endShells.get(parent)!;
  } else if (base.kind === 'scratch') {
    scope = emptyScope(true);
  } else {
    const env = b.opts.baseImageEnv?.(base.ref);
    scope = emptyScope(env !== undefined);
    if (env) {
      scope = withVars(
        scope,
        env.map((kv) => {
          const eq = kv.indexOf('=');
          return eq < 0 ? ([kv, ''] as const) : ([kv.slice(0, eq), kv.slice(eq + 1)] as const);
        }),
      );
    }
    const baseShell = b.opts.baseImageShell?.(base.ref);
    if (baseShell && baseShell.length) shell = [...baseShell];
  }
  if (!scope.vars.has('PATH')) scope = withVar(scope, 'PATH', DEFAULT_PATH);

  const from: FromInstruction = {
    kind: 'from',
    keyword: node.keyword,
    range: node.range,
    syntax: node,
    image,
    ...(platform ? { platform } : {}),
    ...(asName !== undefined ? { asName } : {}),
    ...(asKeyword !== undefined ? { asKeyword } : {}),
    scope: globalScope,
  };
  const stage: Stage = {
    index,
    ...(asName !== undefined ? { name: asName.toLowerCase() } : {}),
    from,
    base,
    instructions: [],
  };
  const ctx: StageContext = { b, stage, stageNames, previous, globalScope, buildArgs, scope, shell, targetPlatform };
  for (const n of body) {
    const ins = buildInstruction(ctx, n);
    if (ins) stage.instructions.push(ins);
  }
  b.endScopes.set(stage, ctx.scope);
  b.endShells.set(stage, ctx.shell);
  return stage;
}

interface StageContext {
  b: IRBuilder;
  stage: Stage;
  stageNames: Array<string | undefined>;
  previous: Stage[];
  globalScope: Scope;
  buildArgs: Readonly<Record<string, string>>;
  scope: Scope;
  shell: string[];
  targetPlatform: Platform;
}

function exactlyOne(b: IRBuilder, node: SyntaxInstruction, name: string): string | undefined {
  if (node.args.length !== 1) {
    b.report(
      node,
      `${name} requires exactly one argument`,
      'ir/arguments',
      'error',
      `write ${name} <value>; quote nothing, the whole rest of the line is the value`,
    );
    return undefined;
  }
  return node.args[0];
}

function buildInstruction(ctx: StageContext, node: SyntaxInstruction): Instruction | undefined {
  const { b } = ctx;
  const scope = ctx.scope;
  const lookup = scopeLookup(scope);
  const base = { keyword: node.keyword, range: node.range, syntax: node, scope };
  const kw = node.keyword.toLowerCase();
  switch (kw) {
    case 'run': {
      const flags = b.flags(node, FLAG_SPECS.run);
      if (!flags) return undefined;
      const network = flagString(flags, 'network') ?? 'default';
      if (network !== 'default' && network !== 'none' && network !== 'host') {
        b.report(
          node,
          `invalid network mode ${goQuote(network)}`,
          'ir/flag',
          'error',
          'use --network=default, none or host',
        );
        return undefined;
      }
      const security = flagString(flags, 'security') ?? 'sandbox';
      if (security !== 'sandbox' && security !== 'insecure') {
        b.report(
          node,
          `security ${goQuote(security)} is not valid`,
          'ir/flag',
          'error',
          'use --security=sandbox or insecure',
        );
        return undefined;
      }
      const mounts: Mount[] = [];
      for (const spec of flagStrings(flags, 'mount')) {
        const m = parseMount(spec, (word) => {
          const out = expandWord(word, lookup, { escape: b.tree.escape });
          return out.ok ? out.result.value : { error: out.error };
        });
        if (!m.ok) {
          b.report(
            argRange(node, spec),
            m.error,
            'ir/mount',
            'error',
            'see https://docs.docker.com/reference/dockerfile/#run---mount',
          );
          return undefined;
        }
        mounts.push(m.mount);
      }
      const run = runCommand(node, node.args, node.heredocs);
      if (run.error) b.report(node, run.error, 'ir/run');
      return {
        kind: 'run',
        keyword: base.keyword,
        range: base.range,
        syntax: base.syntax,
        scope: base.scope,
        command: run.command,
        heredocs: node.heredocs,
        mounts,
        network,
        security,
        devices: flagStrings(flags, 'device'),
        shell: ctx.shell,
      };
    }
    case 'copy':
    case 'add': {
      const isCopy = kw === 'copy';
      const flags = b.flags(node, isCopy ? FLAG_SPECS.copy : FLAG_SPECS.add);
      if (!flags) return undefined;
      const sd = sourcesAndDest(b, node, isCopy ? 'COPY' : 'ADD', lookup);
      if (!sd) return undefined;
      const chownRaw = flagString(flags, 'chown');
      const chmodRaw = flagString(flags, 'chmod');
      // Spelt out, in the order the properties always had: V8 copies a spread that follows other properties on a slow path.
      const chown = chownRaw !== undefined ? b.expand(node, chownRaw, lookup) : undefined;
      const chmod = chmodRaw !== undefined ? b.expand(node, chmodRaw, lookup) : undefined;
      const link = flagBool(flags, 'link') ?? false;
      const exclude = flagStrings(flags, 'exclude');
      const common = (kind: 'copy' | 'add'): CopyInstruction | AddInstruction => {
        const out = {
          kind,
          keyword: base.keyword,
          range: base.range,
          syntax: base.syntax,
          scope: base.scope,
          sources: sd.sources,
          inline: sd.inline,
          dest: sd.dest,
        } as CopyInstruction | AddInstruction;
        if (chown !== undefined) out.chown = chown;
        if (chmod !== undefined) out.chmod = chmod;
        out.link = link;
        out.exclude = exclude;
        return out;
      };
      if (isCopy) {
        const fromRaw = flagString(flags, 'from');
        const from = fromRaw !== undefined ? copyFrom(ctx, node, fromRaw) : undefined;
        const out = common('copy') as CopyInstruction;
        if (from) out.from = from;
        out.parents = flagBool(flags, 'parents') ?? false;
        return out;
      }
      const checksumRaw = flagString(flags, 'checksum');
      const keepGitDir = flagBool(flags, 'keep-git-dir');
      const unpack = flagBool(flags, 'unpack');
      const out = common('add') as AddInstruction;
      if (checksumRaw !== undefined) out.checksum = b.expand(node, checksumRaw, lookup);
      if (keepGitDir !== undefined) out.keepGitDir = keepGitDir;
      if (unpack !== undefined) out.unpack = unpack;
      return out;
    }
    case 'env': {
      if (!b.flags(node, FLAG_SPECS.none)) return undefined;
      const pairs = kvps(b, node, 'ENV');
      if (!pairs) return undefined;
      // Every word expands against the scope before this ENV: `ENV a=1 b=$a` sees the old a.
      const expanded = pairs.map((p) => ({
        key: b.expand(node, p.key, lookup).value,
        value: b.expand(node, p.value, lookup),
        legacy: p.legacy,
      }));
      ctx.scope = withVars(
        ctx.scope,
        expanded.map((p) => [p.key, p.value.value] as const),
      );
      return {
        kind: 'env',
        keyword: base.keyword,
        range: base.range,
        syntax: base.syntax,
        scope: base.scope,
        pairs: expanded,
      };
    }
    case 'arg': {
      // BuildKit does not validate ARG flags.
      const parsed = parseArgWords(b, node);
      if (!parsed) return undefined;
      const declared = declareArgs(b, node, parsed, ctx.scope, ctx.buildArgs, ctx.globalScope);
      ctx.scope = declared.scope;
      const args = declared.args;
      return { kind: 'arg', keyword: base.keyword, range: base.range, syntax: base.syntax, scope: base.scope, args };
    }
    case 'label': {
      if (!b.flags(node, FLAG_SPECS.none)) return undefined;
      const pairs = kvps(b, node, 'LABEL');
      if (!pairs) return undefined;
      return {
        kind: 'label',
        keyword: base.keyword,
        range: base.range,
        syntax: base.syntax,
        scope: base.scope,
        pairs: pairs.map((p) => ({
          key: b.expand(node, p.key, lookup),
          value: b.expand(node, p.value, lookup),
          legacy: p.legacy,
        })),
      };
    }
    case 'workdir': {
      const path = exactlyOne(b, node, 'WORKDIR');
      if (path === undefined || !b.flags(node, FLAG_SPECS.none)) return undefined;
      return {
        kind: 'workdir',
        keyword: base.keyword,
        range: base.range,
        syntax: base.syntax,
        scope: base.scope,
        path: b.expand(node, path, lookup),
      };
    }
    case 'user': {
      const user = exactlyOne(b, node, 'USER');
      if (user === undefined || !b.flags(node, FLAG_SPECS.none)) return undefined;
      return {
        kind: 'user',
        keyword: base.keyword,
        range: base.range,
        syntax: base.syntax,
        scope: base.scope,
        user: b.expand(node, user, lookup),
      };
    }
    case 'stopsignal': {
      // BuildKit does not validate STOPSIGNAL flags.
      const sig = exactlyOne(b, node, 'STOPSIGNAL');
      if (sig === undefined) return undefined;
      const signal = b.expand(node, sig, lookup);
      if (parseSignal(signal.value) === undefined) {
        b.report(
          node,
          `Invalid signal: ${signal.value}`,
          'ir/signal',
          'error',
          'use a signal name such as SIGTERM or a number',
        );
      }
      return {
        kind: 'stopsignal',
        keyword: base.keyword,
        range: base.range,
        syntax: base.syntax,
        scope: base.scope,
        signal,
      };
    }
    case 'expose': {
      if (node.args.length === 0) {
        b.report(
          node,
          'EXPOSE requires at least one argument',
          'ir/arguments',
          'error',
          'write EXPOSE <port>[/tcp|udp]',
        );
        return undefined;
      }
      if (!b.flags(node, FLAG_SPECS.none)) return undefined;
      const ports: string[] = [];
      for (const w of node.args) {
        const out = expandWord(w, lookup, { escape: b.tree.escape });
        if (!out.ok) b.report(node, out.error, 'ir/expansion');
        else ports.push(...out.result.words);
      }
      return {
        kind: 'expose',
        keyword: base.keyword,
        range: base.range,
        syntax: base.syntax,
        scope: base.scope,
        words: [...node.args].sort(),
        ports,
      };
    }
    case 'volume': {
      if (node.args.length === 0) {
        b.report(node, 'VOLUME requires at least one argument', 'ir/arguments');
        return undefined;
      }
      if (!b.flags(node, FLAG_SPECS.none)) return undefined;
      const paths: Expanded[] = [];
      for (const v of node.args) {
        const t = v.trim();
        if (t === '') {
          b.report(node, 'VOLUME specified can not be an empty string', 'ir/arguments');
          return undefined;
        }
        paths.push(b.expand(node, t, lookup));
      }
      return {
        kind: 'volume',
        keyword: base.keyword,
        range: base.range,
        syntax: base.syntax,
        scope: base.scope,
        paths,
      };
    }
    case 'cmd':
    case 'entrypoint': {
      if (!b.flags(node, FLAG_SPECS.none)) return undefined;
      const argv = handleJSONArgs(node, node.args);
      const command: Command = node.json
        ? { form: 'exec', argv }
        : argv.length
          ? { form: 'shell', script: argv[0]! }
          : { form: 'exec', argv: [] };
      return {
        kind: kw,
        keyword: base.keyword,
        range: base.range,
        syntax: base.syntax,
        scope: base.scope,
        command,
        shell: ctx.shell,
      };
    }
    case 'shell': {
      if (!b.flags(node, FLAG_SPECS.none)) return undefined;
      const argv = handleJSONArgs(node, node.args);
      if (argv.length === 0) {
        b.report(node, 'SHELL requires at least one argument', 'ir/arguments');
        return undefined;
      }
      if (!node.json) {
        b.report(
          node,
          'SHELL requires the arguments to be in JSON form',
          'ir/arguments',
          'error',
          'write SHELL ["executable", "parameters"]',
        );
        return undefined;
      }
      ctx.shell = argv;
      return { kind: 'shell', keyword: base.keyword, range: base.range, syntax: base.syntax, scope: base.scope, argv };
    }
    case 'healthcheck':
      return healthcheck(ctx, node, base);
    case 'onbuild': {
      if (!node.trigger) {
        b.report(node, 'ONBUILD requires at least one argument', 'ir/arguments');
        return undefined;
      }
      if (!b.flags(node, FLAG_SPECS.none)) return undefined;
      const trig = node.trigger.keyword.trim().toUpperCase();
      if (trig === 'ONBUILD') {
        b.report(node, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", 'ir/onbuild');
        return undefined;
      }
      if (trig === 'MAINTAINER' || trig === 'FROM') {
        b.report(node, `${trig} isn't allowed as an ONBUILD trigger`, 'ir/onbuild');
        return undefined;
      }
      let expression = node.original.replace(/^\s*ONBUILD\s*/i, '');
      for (const h of node.heredocs) expression += '\n' + h.content + h.name;
      return {
        kind: 'onbuild',
        keyword: base.keyword,
        range: base.range,
        syntax: base.syntax,
        scope: base.scope,
        expression,
        triggerKeyword: trig,
      };
    }
    case 'maintainer': {
      const m = exactlyOne(b, node, 'MAINTAINER');
      if (m === undefined || !b.flags(node, FLAG_SPECS.none)) return undefined;
      return {
        kind: 'maintainer',
        keyword: base.keyword,
        range: base.range,
        syntax: base.syntax,
        scope: base.scope,
        maintainer: m,
      };
    }
  }
  return undefined;
}

function copyFrom(ctx: StageContext, node: SyntaxInstruction, raw: string): CopyFrom | undefined {
  const probe = expandWord(raw, undefined, { escape: ctx.b.tree.escape });
  if (!probe.ok || probe.result.value !== raw) {
    ctx.b.report(
      argRange(node, raw),
      'variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround',
      'ir/copy-from',
    );
    return undefined;
  }
  if (/^\d+$/.test(raw)) {
    const n = Number(raw);
    if (n >= ctx.stage.index) {
      ctx.b.report(
        argRange(node, raw),
        `invalid stage index ${n}: a stage can copy only from earlier stages`,
        'ir/copy-from',
      );
      return undefined;
    }
    return { kind: 'stage', stage: n, raw };
  }
  const lower = raw.toLowerCase();
  const idx = ctx.stageNames.findIndex((n) => n === lower);
  if (idx >= 0) {
    if (idx === ctx.stage.index) {
      ctx.b.report(argRange(node, raw), `circular dependency detected on stage: ${lower}`, 'ir/copy-from');
      return undefined;
    }
    return { kind: 'stage', stage: idx, raw };
  }
  return { kind: 'image', ref: raw, raw };
}

function healthcheck(
  ctx: StageContext,
  node: SyntaxInstruction,
  base: { keyword: string; range: Range; syntax: SyntaxInstruction; scope: Scope },
): Instruction | undefined {
  const { b } = ctx;
  if (node.args.length === 0) {
    b.report(
      node,
      'HEALTHCHECK requires at least one argument',
      'ir/arguments',
      'error',
      'write HEALTHCHECK CMD <command> or HEALTHCHECK NONE',
    );
    return undefined;
  }
  const typ = node.args[0]!.toUpperCase();
  const rest = node.args.slice(1);
  const none = { interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 };
  if (typ === 'NONE') {
    if (rest.length !== 0) {
      b.report(node, 'HEALTHCHECK NONE takes no arguments', 'ir/arguments');
      return undefined;
    }
    return {
      kind: 'healthcheck',
      keyword: base.keyword,
      range: base.range,
      syntax: base.syntax,
      scope: base.scope,
      test: ['NONE'],
      ...none,
    };
  }
  const flags = b.flags(node, FLAG_SPECS.healthcheck);
  if (!flags) return undefined;
  if (typ !== 'CMD') {
    b.report(node, `Unknown type ${goQuote(typ)} in HEALTHCHECK (try CMD)`, 'ir/arguments');
    return undefined;
  }
  const cmd = handleJSONArgs(node, rest);
  if (cmd.length === 0) {
    b.report(node, 'Missing command after HEALTHCHECK CMD', 'ir/arguments');
    return undefined;
  }
  const test = [node.json ? 'CMD' : 'CMD-SHELL', ...cmd];
  const durations: Record<string, number> = {};
  for (const [flag, key] of [
    ['interval', 'interval'],
    ['timeout', 'timeout'],
    ['start-period', 'startPeriod'],
    ['start-interval', 'startInterval'],
  ] as const) {
    const v = flagString(flags, flag);
    if (v === undefined || v === '') {
      durations[key] = 0;
      continue;
    }
    const d = parseGoDuration(v);
    if (d === undefined) {
      b.report(
        node,
        `time: invalid duration ${goQuote(v)}`,
        'ir/flag',
        'error',
        'durations look like 30s, 1m30s or 500ms',
      );
      return undefined;
    }
    if (d !== 0 && d < 1e6) {
      b.report(node, `Interval ${goQuote(flag)} cannot be less than 1ms`, 'ir/flag');
      return undefined;
    }
    durations[key] = d;
  }
  let retries = 0;
  const r = flagString(flags, 'retries');
  if (r !== undefined) {
    if (!/^[+-]?\d+$/.test(r) || Math.abs(Number(r)) > 2 ** 31 - 1) {
      b.report(
        node,
        `strconv.ParseInt: parsing ${goQuote(r)}: invalid syntax`,
        'ir/flag',
        'error',
        '--retries takes a whole number',
      );
      return undefined;
    }
    retries = Number(r);
    if (retries < 0) {
      b.report(node, `--retries cannot be negative (${retries})`, 'ir/flag');
      return undefined;
    }
  }
  return {
    kind: 'healthcheck',
    keyword: base.keyword,
    range: base.range,
    syntax: base.syntax,
    scope: base.scope,
    test,
    interval: durations.interval!,
    timeout: durations.timeout!,
    startPeriod: durations.startPeriod!,
    startInterval: durations.startInterval!,
    retries,
  };
}

export { formatPlatform };
