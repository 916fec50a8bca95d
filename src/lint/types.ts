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
import type { RunAnalysis } from '../lower/analysis.js';

export type { Severity } from '../common/diagnostics.js';
export type { RunAnalysis } from '../lower/analysis.js';

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
  /**
   * This report's severity when the rule tells a lesser case apart (SCN106:
   * a package file whose origin is known is `info`); absent, the rule's.
   * A severity configured for the rule still applies to all its reports.
   */
  severity?: Severity;
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
  /**
   * What a RUN does, statically: the shell analysis of its script with the
   * intents read from it (src/shell through src/lower's analyzeRun).
   */
  readonly runAnalysis?: (run: RunInstruction) => RunAnalysis;
}
