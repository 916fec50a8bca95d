/**
 * The lint framework's shapes. A rule is data (id, severity, title, docs...)
 * plus one pure function from a LintContext to the problems it finds, in the
 * style of typescript-eslint's rules: the runner, not the rule, decides
 * whether a rule runs, at which severity, and which findings an ignore
 * comment suppresses.
 */
import type { SyntaxTree } from '../../grammar/dockerfile/index.js';
import type { Range, Severity } from '../common/diagnostics.js';
import type { DockerfileIR, Platform, RunInstruction } from '../ir/index.js';

export type { Severity } from '../common/diagnostics.js';

/**
 * Which set a rule belongs to: BuildKit's build checks (`docker build --check`),
 * scannable's provenance rules (SCN1xx), or `core` (the Dockerfile itself is
 * invalid and BuildKit would refuse it).
 */
export type RuleFamily = 'buildkit' | 'scannable' | 'core';

/** One problem a rule found: where, and what (BuildKit's own text for its checks). */
export interface Report {
  range: Range;
  message: string;
}

export interface Rule {
  /** `UndefinedVar`, `SCN101`: what configuration, pragmas and reports name the rule by. */
  id: string;
  family: RuleFamily;
  /** Default severity; configuration may change it. */
  severity: Severity;
  /** One line: what the rule wants (BuildKit's description for its checks). */
  title: string;
  /** A few sentences: what the rule checks and why it matters. */
  description: string;
  /** Documentation URL: BuildKit's page for its checks, otherwise docs/rules/<ID>.md. */
  docs: string;
  /** Off unless enabled (`# check=experimental=...`, configuration or the runner's options). */
  experimental?: boolean;
  /** hadolint rule ids whose `# hadolint ignore=` comments also silence this rule. */
  hadolint?: readonly string[];
  check(ctx: LintContext): Report[];
}

/** A rule's report, placed in a file and given its rule and effective severity. */
export interface Finding {
  file: string;
  /** 1-based; columns count UTF-16 code units; the end column is exclusive. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  rule: string;
  severity: Severity;
  message: string;
  url?: string;
}

/**
 * What one command of a RUN script does, as the shell analysis (src/shell)
 * reports it. Only what the provenance rules read is required here; the shell
 * analysis may carry more.
 */
export type LintIntent =
  | { kind: 'package-install'; manager: string; packages: Array<{ name: string; version?: string }>; from?: string; range?: Range }
  | { kind: 'download'; url: string; tool: string; output?: string; pipedTo?: string; range?: Range }
  | { kind: 'verify'; tool: string; target: string; range?: Range }
  | { kind: 'extract'; archive: string; dest?: string; range?: Range }
  | { kind: 'build'; tool: string; range?: Range }
  | { kind: 'clone'; url: string; ref?: string; range?: Range }
  | { kind: 'opaque'; reason: string; range?: Range };

export interface RunAnalysis {
  intents: LintIntent[];
  /** Words the analysis could not resolve statically (`$(cat list.txt)`), with why. */
  unresolved: Array<{ text: string; reason: string; range?: Range }>;
}

/** The parts of the lowered Plan (src/lower) that rules read. */
export interface LintPlan {
  /** Indexes of the stages the build target needs, in build order. */
  neededStages: readonly number[];
}

export interface LintSettings {
  /** Registries whose images need no digest pin (SCN108), from `.scannable.yaml`. */
  trustedRegistries: readonly string[];
}

/** Everything a rule may look at. Optional parts are absent when their producer did not run. */
export interface LintContext {
  readonly file: string;
  readonly text: string;
  readonly tree: SyntaxTree;
  readonly ir: DockerfileIR;
  readonly settings: LintSettings;
  /** `.dockerignore` patterns of the build context, when a context directory was given. */
  readonly dockerignore?: readonly string[];
  /** The platform a base image actually has, when it is known (it is not, offline). */
  readonly baseImagePlatform?: (ref: string, requested: Platform) => Platform | undefined;
  readonly plan?: LintPlan;
  /** Shell analysis of a RUN instruction (src/shell), when available. */
  readonly runAnalysis?: (run: RunInstruction) => RunAnalysis;
}
