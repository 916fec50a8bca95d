/**
 * The Plan: a Dockerfile lowered to primitive snapshot operations, one DAG of
 * stages. Every op points back at its Dockerfile range and declares its inputs,
 * so the executor can build it step by step and the tracker can say which
 * step put each file in the image.
 */
import type { Range } from '../common/diagnostics.js';
import type { Diagnostic } from '../common/diagnostics.js';
import type { Command, InlineSource, Instruction, Mount, Platform } from '../ir/types.js';
import type { RunAnalysis } from './analysis.js';

/** Where an op's bytes come from. */
export type InputRef =
  | { kind: 'context'; path: string }
  | { kind: 'stage'; stage: number; path?: string }
  | { kind: 'image'; ref: string; path?: string }
  | { kind: 'url'; url: string; checksum?: string }
  | { kind: 'git'; url: string; ref?: string }
  | { kind: 'secret'; id: string }
  | { kind: 'inline'; name: string };

/**
 * What static analysis predicts about the files an op writes:
 * - scannable: every byte comes from a traceable source (package, context, verified download, base image);
 * - partial: some of it may not be traceable (e.g. files written by a script);
 * - unscannable: the op writes bytes whose origin cannot be traced;
 * - none: the op changes only the image configuration.
 */
export type VerdictLevel = 'scannable' | 'partial' | 'unscannable' | 'none';

export interface Verdict {
  level: VerdictLevel;
  reasons: string[];
}

interface OpBase {
  /** Stable id: `s<stage>.<n>`. */
  id: string;
  /** Source range of the instruction (FROM for base ops). */
  range: Range;
  /** Instruction keyword as written. */
  keyword: string;
  inputs: InputRef[];
  verdict: Verdict;
}

export type BaseSource = { kind: 'image'; ref: string } | { kind: 'stage'; stage: number } | { kind: 'scratch' };

export interface BaseOp extends OpBase {
  kind: 'base';
  source: BaseSource;
  platform?: string;
}

export interface CopyOp extends OpBase {
  kind: 'copy';
  from: { kind: 'context' } | { kind: 'stage'; stage: number } | { kind: 'image'; ref: string };
  sources: string[];
  inline: InlineSource[];
  dest: string;
  chown?: string;
  chmod?: string;
  link: boolean;
  parents: boolean;
  exclude: string[];
  /** ADD semantics: a local tar archive source is unpacked into dest. */
  unpackArchives: boolean;
}

export interface FetchOp extends OpBase {
  kind: 'fetch';
  url: string;
  checksum?: string;
  dest: string;
  chown?: string;
  chmod?: string;
  /** ADD --unpack=true: unpack the downloaded archive. */
  unpack: boolean;
}

export interface GitFetchOp extends OpBase {
  kind: 'gitFetch';
  url: string;
  /** Branch, tag or commit after `#`. */
  ref?: string;
  /** Sub-directory after `#ref:`. */
  subdir?: string;
  dest: string;
  keepGitDir: boolean;
  checksum?: string;
  chown?: string;
  chmod?: string;
}

export interface ExtractOp extends OpBase {
  kind: 'extract';
  /** Archive path in the context. */
  source: string;
  dest: string;
  chown?: string;
  chmod?: string;
}

export interface ExecOp extends OpBase {
  kind: 'exec';
  command: Command;
  /** SHELL in force (prefixes a shell-form command). */
  shell: string[];
  /** Variables the process sees, as far as they are known statically (ENV and ARG values). */
  env: Array<[string, string]>;
  /** The ARG values among them: not in the image config, so the executor passes them itself. */
  args: Array<[string, string]>;
  user?: string;
  workdir?: string;
  mounts: Mount[];
  network: 'default' | 'none' | 'host';
  security: 'sandbox' | 'insecure';
  /** Heredoc scripts BuildKit runs as files (`RUN <<EOF` with a #! line). */
  scriptFile?: { name: string; content: string };
  analysis: RunAnalysis;
}

export interface MkdirOp extends OpBase {
  kind: 'mkdir';
  path: string;
  /** Owner of a newly created directory (the USER in force). */
  user?: string;
}

export interface Healthcheck {
  test: string[];
  interval: number;
  timeout: number;
  startPeriod: number;
  startInterval: number;
  retries: number;
}

/** An image-config change. Absent fields are unchanged. */
export interface ConfigPatch {
  env?: Array<[string, string]>;
  /** ARG values for later steps; not part of the image config. */
  args?: Array<[string, string | undefined]>;
  user?: string;
  workdir?: string;
  exposedPorts?: string[];
  volumes?: string[];
  labels?: Array<[string, string]>;
  /** null clears. */
  entrypoint?: string[] | null;
  cmd?: string[] | null;
  shell?: string[];
  healthcheck?: Healthcheck;
  stopSignal?: string;
  onBuild?: string[];
  maintainer?: string;
}

export interface ConfigOp extends OpBase {
  kind: 'config';
  patch: ConfigPatch;
}

export type Op = BaseOp | CopyOp | FetchOp | GitFetchOp | ExtractOp | ExecOp | MkdirOp | ConfigOp;
export type OpKind = Op['kind'];

export interface PlanStage {
  index: number;
  name?: string;
  /** Stages this one reads from (base, COPY --from, RUN --mount from). */
  dependsOn: number[];
  /** Images this one reads from besides its base. */
  images: string[];
  ops: Op[];
  /** The IR instruction of each op (same order; the base op maps to undefined). */
  instructions: Array<Instruction | undefined>;
}

export interface Plan {
  file: string;
  /** Index of the stage that produces the image. */
  target: number;
  /** Only the stages the target needs, in build order. */
  stages: PlanStage[];
  buildArgs: Record<string, string>;
  platform: Platform;
  diagnostics: Diagnostic[];
}
