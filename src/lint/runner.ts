/**
 * The lint runner: parse -> IR -> every enabled rule -> findings, with
 * configuration, `# check=` and ignore comments applied. Pure apart from
 * reading a build context's `.dockerignore` when a context directory is given.
 */
import { parseDockerfile, type SyntaxTree } from '../../grammar/dockerfile/index.js';
import type { Diagnostic, Severity } from '../common/diagnostics.js';
import { buildIR, type DockerfileIR, type IROptions, type Platform } from '../ir/index.js';
import { defaultAnalysis, type LintAnalysis } from './analysis.js';
import { DEFAULT_CHECK, fileCheckOptions, type CheckOptions } from './check-options.js';
import { defaultConfig, type LintConfig } from './config.js';
import { loadDockerignore } from './dockerignore.js';
import { docsUrl } from './docs-url.js';
import { FILE_MEMO, type WithFileMemo } from './memo.js';
import { collectSuppressions } from './pragmas.js';
import { rules as registeredRules } from './registry.js';
import type { Finding, LintContext, LintPlan, LintSettings, Rule } from './types.js';

export interface LintInput {
  /** The path findings name (as the user gave it). */
  file: string;
  text: string;
  /** This file's configuration (its `.scannable.yaml`); defaults to the options' config. */
  config?: LintConfig;
  /** Build context directory: its `.dockerignore` feeds CopyIgnoredFile. */
  contextDir?: string;
  /** `.dockerignore` patterns given directly (tests, editors); win over `contextDir`. */
  dockerignore?: readonly string[];
}

export interface LintOptions {
  config?: LintConfig;
  /**
   * Replaces every file's `# check=` directive, as BuildKit's frontend option
   * `BUILDKIT_DOCKERFILE_CHECK` does: `{ experimental: 'all' }` runs every rule.
   */
  check?: Partial<CheckOptions>;
  /** The rules to consider; the whole registry by default. */
  rules?: readonly Rule[];
  /** Build args, platforms and base image facts for the IR. */
  ir?: IROptions;
  /** The platform a base image really has, when known (InvalidBaseImagePlatform). */
  baseImagePlatform?: (ref: string, requested: Platform) => Platform | undefined;
  /**
   * Later pipeline stages' results for the context (plan, RUN analysis). By
   * default the file is lowered and its RUNs analysed, lazily (`defaultAnalysis`).
   */
  analyze?: (ir: DockerfileIR) => LintAnalysis;
}

export interface LintResult {
  /** Sorted by file, position, rule and message. */
  findings: Finding[];
  /** Files that could not be parsed at all (not linted; the CLI exits 2). */
  errors: Diagnostic[];
}

function listed(list: readonly string[] | 'all', id: string): boolean {
  return list === 'all' || list.includes(id);
}

/** Whether a rule runs for a file, given its configuration and `# check=` options. */
export function ruleEnabled(
  rule: Rule,
  config: LintConfig,
  check: CheckOptions,
  fileIgnores: ReadonlySet<string>,
): boolean {
  const setting = config.severity[rule.id];
  if (setting === 'off' || config.ignore.includes(rule.id) || fileIgnores.has(rule.id)) return false;
  if (rule.experimental) {
    // As in BuildKit, experimental rules run only when asked for, and then `skip=` does not apply to them.
    return listed(check.experimental, rule.id) || setting !== undefined;
  }
  // `skip=all` means BuildKit's checks; scannable's own rules are configured in .scannable.yaml.
  if (check.skip === 'all') return rule.family !== 'buildkit';
  return !check.skip.includes(rule.id);
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    a.endLine - b.endLine ||
    a.endColumn - b.endColumn ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}

/**
 * A file's LintContext. A class so that `plan` is a getter on the prototype:
 * V8 gives every object literal with a getter its own hidden class, held from
 * the old generation, which keeps the whole file (tree, IR, RUN analyses)
 * alive through every young-generation collection until a full one.
 */
class FileContext implements LintContext, WithFileMemo {
  readonly [FILE_MEMO] = new Map<symbol, Map<unknown, unknown>>();
  readonly file: string;
  readonly text: string;
  // Optional parts are absent, not undefined, when their producer did not run.
  declare readonly dockerignore?: readonly string[];
  declare readonly baseImagePlatform?: LintOptions['baseImagePlatform'];
  declare readonly runAnalysis?: LintAnalysis['runAnalysis'];

  constructor(
    input: LintInput,
    readonly tree: SyntaxTree,
    readonly ir: DockerfileIR,
    readonly settings: LintSettings,
    private readonly analysis: LintAnalysis,
    dockerignore: readonly string[] | undefined,
    baseImagePlatform: LintOptions['baseImagePlatform'],
  ) {
    this.file = input.file;
    this.text = input.text;
    const self = this as { -readonly [K in keyof FileContext]: FileContext[K] };
    if (dockerignore) self.dockerignore = dockerignore;
    if (baseImagePlatform) self.baseImagePlatform = baseImagePlatform;
    if (analysis.runAnalysis) self.runAnalysis = analysis.runAnalysis;
  }

  // Computed only if a rule reads it.
  get plan(): LintPlan | undefined {
    return this.analysis.plan;
  }
}

/** Lints one parsed file. */
export function lintFile(input: LintInput, options: LintOptions = {}): LintResult {
  const parsed = parseDockerfile(input.text, input.file);
  if (!parsed.ok) return { findings: [], errors: parsed.diagnostics };
  const tree = parsed.tree;
  const ir = buildIR(tree, options.ir);
  const config = input.config ?? options.config ?? defaultConfig();
  const check: CheckOptions = options.check ? { ...DEFAULT_CHECK, ...options.check } : fileCheckOptions(tree);
  const suppressions = collectSuppressions(input.text, tree);
  const dockerignore =
    input.dockerignore ?? (input.contextDir !== undefined ? loadDockerignore(input.contextDir, input.file) : undefined);
  const analysis = (options.analyze ?? defaultAnalysis)(ir);
  const ctx = new FileContext(
    input,
    tree,
    ir,
    { trustedRegistries: config.trustedRegistries },
    analysis,
    dockerignore,
    options.baseImagePlatform,
  );
  const findings: Finding[] = [];
  for (const rule of options.rules ?? registeredRules) {
    if (!ruleEnabled(rule, config, check, suppressions.file)) continue;
    const configured = config.severity[rule.id];
    // `# check=error=true` makes BuildKit fail the build on its checks' findings; otherwise a configured severity wins over the rule's (and its reports').
    const forced: Severity | undefined =
      check.error && rule.family === 'buildkit'
        ? 'error'
        : configured !== undefined && configured !== 'off'
          ? configured
          : undefined;
    const url = docsUrl(rule);
    for (const r of rule.check(ctx)) {
      if (suppressions.suppressed(rule.id, r.range.start.line)) continue;
      findings.push({
        file: input.file,
        line: r.range.start.line,
        column: r.range.start.column,
        endLine: r.range.end.line,
        endColumn: r.range.end.column,
        rule: rule.id,
        severity: forced ?? r.severity ?? rule.severity,
        message: r.message,
        url,
      });
    }
  }
  findings.sort(compareFindings);
  return { findings, errors: [] };
}

/** Lints several files; findings of all files, sorted and stable. */
export function lint(files: readonly LintInput[], options: LintOptions = {}): LintResult {
  const findings: Finding[] = [];
  const errors: Diagnostic[] = [];
  for (const f of files) {
    const r = lintFile(f, options);
    for (const x of r.findings) findings.push(x);
    for (const x of r.errors) errors.push(x);
  }
  findings.sort(compareFindings);
  return { findings, errors };
}
