/**
 * The typed intermediate representation of a Dockerfile: stages of typed
 * instructions, with BuildKit's semantics applied (flags validated, arguments
 * interpreted, variables expanded where BuildKit expands them).
 *
 * Every instruction keeps its syntax node and source range, so lint findings,
 * plan ops and SBOM steps can point back at the Dockerfile line.
 */
import type {
  EscapeChar,
  Heredoc,
  Instruction as SyntaxInstruction,
  SyntaxTree,
} from '../../grammar/dockerfile/index.js';
import type { Diagnostic, Range } from '../common/diagnostics.js';

/** A word after BuildKit's variable expansion. */
export interface Expanded {
  /** As written. */
  raw: string;
  /** After expansion (equal to `raw` when expansion failed: see the IR's diagnostics). */
  value: string;
  /** Variables referenced while unset; each expanded to "" (BuildKit's UndefinedVar). */
  undefinedVars: string[];
}

/** Variables visible at one point of a stage: ARG values and ENV, later ones winning. */
export interface Scope {
  /** Values known at this point. */
  readonly vars: ReadonlyMap<string, string>;
  /** ARGs declared without a value (no default, no build arg): unset, but named. */
  readonly declaredOnly: ReadonlySet<string>;
  /**
   * Whether the base image's environment is known. When it is not, a variable
   * missing from `vars` may still be set by the base image.
   */
  readonly baseEnvKnown: boolean;
}

export type Command =
  /** Exec form: argv exactly as written in the JSON array. */
  | { form: 'exec'; argv: string[] }
  /** Shell form: the script handed to SHELL (default `/bin/sh -c`). */
  | { form: 'shell'; script: string };

interface Base {
  /** The instruction word as written. */
  keyword: string;
  range: Range;
  /** The syntax node this came from. */
  syntax: SyntaxInstruction;
  /** Variables in scope where the instruction runs (before its own effect). */
  scope: Scope;
}

export type MountType = 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';

export interface Mount {
  type: MountType;
  /** Stage name/index or image for bind and cache mounts. */
  from?: string;
  source?: string;
  target?: string;
  readOnly: boolean;
  /** Cache id, or secret id. */
  id?: string;
  sharing?: 'shared' | 'private' | 'locked';
  required: boolean;
  sizeLimit?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  /** Secret exposed as this environment variable. */
  env?: string;
}

export interface RunInstruction extends Base {
  kind: 'run';
  command: Command;
  /** Heredoc bodies that belong to the command (scripts or files fed to it). */
  heredocs: Heredoc[];
  mounts: Mount[];
  network: 'default' | 'none' | 'host';
  security: 'sandbox' | 'insecure';
  devices: string[];
  /** The SHELL in force (argv prefix for shell form). */
  shell: string[];
}

/** A file given inline with a heredoc (`COPY <<EOF /dest`). */
export interface InlineSource {
  name: string;
  content: string;
}

export interface CopyInstruction extends Base {
  kind: 'copy';
  sources: Expanded[];
  inline: InlineSource[];
  dest: Expanded;
  /** `--from`: a stage (name or index) or an image; no variable expansion (as BuildKit). */
  from?: CopyFrom;
  chown?: Expanded;
  chmod?: Expanded;
  link: boolean;
  parents: boolean;
  exclude: string[];
}

export type CopyFrom = { kind: 'stage'; stage: number; raw: string } | { kind: 'image'; ref: string; raw: string };

export interface AddInstruction extends Base {
  kind: 'add';
  sources: Expanded[];
  inline: InlineSource[];
  dest: Expanded;
  chown?: Expanded;
  chmod?: Expanded;
  link: boolean;
  checksum?: Expanded;
  keepGitDir?: boolean;
  unpack?: boolean;
  exclude: string[];
}

export interface EnvInstruction extends Base {
  kind: 'env';
  pairs: Array<{ key: string; value: Expanded; legacy: boolean }>;
}

export interface ArgInstruction extends Base {
  kind: 'arg';
  args: Array<{
    key: string;
    /** The default as written, expanded when BuildKit would. */
    default?: Expanded;
    /** The value it takes in this build: build arg, default, or inherited global value. */
    value?: string;
    /** Where the value came from. */
    valueFrom: 'build-arg' | 'default' | 'global' | 'unset';
  }>;
}

export interface LabelInstruction extends Base {
  kind: 'label';
  pairs: Array<{ key: Expanded; value: Expanded; legacy: boolean }>;
}

export interface WorkdirInstruction extends Base {
  kind: 'workdir';
  path: Expanded;
}

export interface UserInstruction extends Base {
  kind: 'user';
  user: Expanded;
}

export interface ExposeInstruction extends Base {
  kind: 'expose';
  /** Each written word; `ports` holds their split, expanded values. */
  words: string[];
  ports: string[];
}

export interface VolumeInstruction extends Base {
  kind: 'volume';
  paths: Expanded[];
}

export interface CmdInstruction extends Base {
  kind: 'cmd';
  command: Command;
  /** The SHELL in force, which a shell-form command runs under. */
  shell: string[];
}

export interface EntrypointInstruction extends Base {
  kind: 'entrypoint';
  /** `ENTRYPOINT []` clears it: an exec form with no argv. */
  command: Command;
  shell: string[];
}

export interface ShellInstruction extends Base {
  kind: 'shell';
  argv: string[];
}

export interface HealthcheckInstruction extends Base {
  kind: 'healthcheck';
  /** BuildKit's Test: ["NONE"], ["CMD", ...argv] or ["CMD-SHELL", script]. */
  test: string[];
  /** Nanoseconds; 0 means unset (engine default). */
  interval: number;
  timeout: number;
  startPeriod: number;
  startInterval: number;
  retries: number;
}

export interface StopSignalInstruction extends Base {
  kind: 'stopsignal';
  signal: Expanded;
}

export interface OnbuildInstruction extends Base {
  kind: 'onbuild';
  /** The trigger as text, as stored in the image config (with heredoc bodies). */
  expression: string;
  triggerKeyword: string;
}

export interface MaintainerInstruction extends Base {
  kind: 'maintainer';
  maintainer: string;
}

export type Instruction =
  | RunInstruction
  | CopyInstruction
  | AddInstruction
  | EnvInstruction
  | ArgInstruction
  | LabelInstruction
  | WorkdirInstruction
  | UserInstruction
  | ExposeInstruction
  | VolumeInstruction
  | CmdInstruction
  | EntrypointInstruction
  | ShellInstruction
  | HealthcheckInstruction
  | StopSignalInstruction
  | OnbuildInstruction
  | MaintainerInstruction;

export type InstructionKind = Instruction['kind'];

export type BaseRef =
  | { kind: 'scratch' }
  /** An earlier stage of this Dockerfile. */
  | { kind: 'stage'; stage: number }
  | { kind: 'image'; ref: string };

export interface FromInstruction extends Omit<Base, 'scope'> {
  kind: 'from';
  image: Expanded;
  platform?: Expanded;
  /** `AS name` as written. */
  asName?: string;
  /** The `AS` word as written (for casing checks). */
  asKeyword?: string;
  scope: Scope;
}

export interface Stage {
  index: number;
  /** Lower-cased stage name, when the stage has one. */
  name?: string;
  from: FromInstruction;
  base: BaseRef;
  instructions: Instruction[];
}

export interface CheckDirective {
  skip: string[] | 'all';
  error: boolean;
  experimental: string[] | 'all';
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface DockerfileIR {
  file: string;
  escape: EscapeChar;
  /** `# syntax=` value, when present. */
  syntax?: string;
  check?: CheckDirective;
  /** ARGs before the first FROM. */
  globalArgs: ArgInstruction[];
  /** Variables available to FROM lines (builtin platform args and global ARGs). */
  globalScope: Scope;
  stages: Stage[];
  targetPlatform: Platform;
  buildPlatform: Platform;
  /** Problems found while building the IR; errors mean BuildKit would refuse the file. */
  diagnostics: Diagnostic[];
  tree: SyntaxTree;
}
