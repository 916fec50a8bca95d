/**
 * The container engine as a step-by-step builder needs it, and nothing more.
 *
 * scannable builds a Dockerfile as a loop of primitive snapshot operations:
 * create a container from snapshot N, mutate it (put an archive, or run a
 * process), read what changed, commit snapshot N+1. This interface names those
 * primitives without naming an engine; `DockerEngine` (docker-engine.ts)
 * implements it on the Docker Engine API, which Podman also serves.
 *
 * Conventions:
 * - Image and container ids are full ids as the engine returns them
 *   ("sha256:..." for images, 64 hex digits for containers).
 * - `ImageConfig` uses the field names of the image config JSON (PascalCase),
 *   so a config can be written into an image or an SBOM without translation.
 * - Every container scannable creates carries `LABEL_BUILD=<buildId>` (and
 *   `LABEL_OWNER`), so a crashed build's containers can always be found and
 *   removed by label.
 * - Failures are `EngineError` (an operation failed; names it and quotes the
 *   engine) or `EngineUnreachableError` (nothing answers where we looked).
 *   Both are `UserError`s: the CLI prints their message, never a stack.
 */
import type { Readable } from 'node:stream';
import { ENGINE_EXIT_CODE, UserError } from '../common/diagnostics.js';
import type { Change, ChangeKind, FileEntry } from '../snapshot/fs.js';
export type { Change, ChangeKind };

/** Label every container (and every test image) scannable creates carries: the build it belongs to. */
export const LABEL_BUILD = 'io.scannable.build';
/** Label that marks an object as scannable's, whatever the build. */
export const LABEL_OWNER = 'io.scannable';
/**
 * The `LABEL_BUILD` value a build's snapshots (drafts, see `Engine.commit`) carry instead of the
 * build id its containers carry: a failed build removes what it made, not the snapshots its
 * finished steps left in the step cache.
 */
export function snapshotLabel(buildId: string): string {
  return `${buildId}/snapshot`;
}
/** Label on volumes that back `RUN --mount=type=cache`: the cache id. */
export const LABEL_CACHE = 'io.scannable.cache';

export { ENGINE_EXIT_CODE };

export interface EngineVersion {
  /** "docker" or "podman" (from the version's components), else what the engine calls itself. */
  product: string;
  version: string;
  apiVersion: string;
  /** The API version this client speaks to it (the lower of ours and the engine's). */
  negotiatedApiVersion: string;
  os: string;
  arch: string;
}

export interface HealthConfig {
  /** ["NONE"], ["CMD", ...] or ["CMD-SHELL", "..."]. */
  Test?: string[];
  /** Durations in nanoseconds, as in the image config. */
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** The runtime configuration stored in an image (the "config" object of the image config JSON). */
export interface ImageConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  Healthcheck?: HealthConfig;
  Shell?: string[];
  OnBuild?: string[];
  /** Set by the Dockerfile builders for exec-form commands on Windows; kept when present. */
  ArgsEscaped?: boolean;
}

export interface ImageHistoryEntry {
  created?: string;
  createdBy?: string;
  author?: string;
  comment?: string;
  /** True when the step produced no layer (config-only instructions). */
  emptyLayer: boolean;
}

export interface ImageInfo {
  /** "sha256:..." */
  id: string;
  repoTags: string[];
  repoDigests: string[];
  created: string;
  author: string;
  comment: string;
  os: string;
  architecture: string;
  variant?: string;
  config: ImageConfig;
  /** Diff ids of the layers, base first. */
  layers: string[];
  history: ImageHistoryEntry[];
  size: number;
}

/** How a step's process reaches the network. */
export type NetworkMode = 'host' | 'none' | 'default' | (string & {});

export type MountSpec =
  /** A host path (the engine's host) at `target`. */
  | { type: 'bind'; source: string; target: string; readOnly?: boolean }
  /** An empty in-memory file system; never part of a snapshot. */
  | { type: 'tmpfs'; target: string; sizeBytes?: number; mode?: number }
  /**
   * A persistent cache (`RUN --mount=type=cache`), backed by an engine volume
   * named after `id` and labelled `LABEL_CACHE=id`; it outlives the build.
   */
  | { type: 'cache'; id: string; target: string; readOnly?: boolean }
  /**
   * A secret file visible read-only at `target` while the step runs and never
   * committed. The engine must share a file system with this process (a
   * local socket); a remote engine refuses with a clear error.
   */
  | { type: 'secret'; target: string; content: Buffer; mode?: number; uid?: number; gid?: number };

export interface ContainerSpec {
  /** Image id (or a ref the engine resolves locally). */
  image: string;
  /** The build this container belongs to: becomes its `LABEL_BUILD` label. */
  buildId: string;
  /** Extra labels (the engine adds `LABEL_BUILD` and `LABEL_OWNER`). */
  labels?: Record<string, string>;
  /**
   * The process. A container that is only written to (copy-only steps) or read
   * from never starts, and needs none: the engine fills in a placeholder when
   * neither the spec nor the image names one.
   */
  cmd?: string[];
  /** `[]` clears the image's entrypoint (RUN must not go through it). */
  entrypoint?: string[];
  env?: string[];
  user?: string;
  workingDir?: string;
  shell?: string[];
  networkMode?: NetworkMode;
  mounts?: MountSpec[];
  hostname?: string;
  name?: string;
}

export interface ContainerRef {
  id: string;
  /**
   * Mount targets the engine had to create as empty files or directories in the
   * container's own file system (they did not exist in the image). They show
   * up in `changes()` and in a commit; the tracker attributes them to the engine.
   */
  mountpoints: string[];
}

export interface RunOptions {
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Aborting kills and removes the container, then rejects with `StepCanceledError`. */
  signal?: AbortSignal;
  /** Kills and removes the container after this long, then rejects with `StepTimeoutError`. */
  timeoutMs?: number;
  /** Called once the engine has started the process: work to overlap with it begins here, not before. */
  onStarted?: () => void;
}

export interface RunResult {
  exitCode: number;
  durationMs: number;
}

export interface CommitOptions {
  /** The image's runtime configuration: intended exactly, written as is by `configure` and `materialize` (see `commit`). */
  config: ImageConfig;
  /** The history entry's `created_by` (e.g. the Dockerfile instruction). */
  createdBy?: string;
  comment?: string;
  author?: string;
  /** RFC 3339 creation time (SOURCE_DATE_EPOCH builds pass a fixed one); default now. */
  created?: string;
  /** Labels the image gets on top of `config.Labels` (tests label their images for cleanup). */
  labels?: Record<string, string>;
}

export interface ContainerSummary {
  id: string;
  names: string[];
  image: string;
  state: string;
  labels: Record<string, string>;
}

export interface ImageSummary {
  id: string;
  repoTags: string[];
  labels: Record<string, string>;
}

export interface Engine {
  /** Where this engine is reached, as DOCKER_HOST would say it (unix:///var/run/docker.sock). */
  readonly endpoint: string;

  /** Succeeds when the engine answers; otherwise `EngineUnreachableError`. */
  ping(): Promise<void>;
  version(): Promise<EngineVersion>;

  /** Image metadata, or undefined when no such image exists locally. */
  inspectImage(ref: string): Promise<ImageInfo | undefined>;
  /**
   * Directories holding the image's layers on this machine, base first, when
   * the engine keeps them where this process can read them (a local overlay2
   * engine); undefined otherwise, and the image is read through the API.
   */
  localLayerDirs?(imageId: string): Promise<string[] | undefined>;
  /**
   * The directory a container writes to (its overlay upper directory: what
   * its commit puts in the new layer), readable here under the same
   * conditions as `localLayerDirs`; undefined otherwise.
   */
  containerWriteDir?(containerId: string): Promise<string | undefined>;
  /** The id of a local image. A missing image is a `UserError` naming the ref and how to get it. */
  resolveImage(ref: string): Promise<string>;
  /**
   * An image with no layers and the given config: the snapshot `FROM scratch` starts from.
   * Creating a container from it works; starting one needs a program to run.
   */
  scratchImage(config?: ImageConfig, labels?: Record<string, string>): Promise<string>;

  createContainer(spec: ContainerSpec): Promise<ContainerRef>;
  /** Extracts a tar archive into the container at `path` (a directory that exists). Works on a container that never started. */
  putArchive(containerId: string, path: string, tar: Buffer | Readable): Promise<void>;
  /** Starts the container and waits for it to exit, streaming its output. */
  run(containerId: string, options?: RunOptions): Promise<RunResult>;
  /** What the container changed relative to its image (a no-op is `[]`). */
  changes(containerId: string): Promise<Change[]>;
  /**
   * Snapshot: the container's file system as a new image, for later steps to
   * build on. Its config in the engine is a draft: the engine merges the
   * container's own settings into it (a step's build-only env, its labels, its
   * command when the image has none), and writing the exact config costs an
   * image load per step. The engine keeps `options.config` and the history
   * entry as the snapshot's intended config: what `configure`, later commits
   * and `materialize` build on. A container created from a draft sees the
   * same files and, given a step's full env (as RUN steps pass it), the same
   * environment.
   */
  commit(containerId: string, options: CommitOptions): Promise<string>;
  /**
   * An image whose config in the engine is exactly the snapshot's intended one
   * (same layers, same history): `imageId` itself unless it is a draft. For
   * anything handed on: a tagged image, the base of another stage.
   */
  materialize(imageId: string): Promise<string>;
  /**
   * What a draft's intended config document holds besides `config` (history,
   * layers, platform), as text to keep with it (a step cache record: the
   * config may hold secrets, and the step's Dockerfile gives it again);
   * undefined for any other image.
   */
  draftRecord(imageId: string): string | undefined;
  /**
   * Gives a draft committed by an earlier process its intended config back:
   * `draftRecord`'s text and the `config` its commit was given. False when
   * the text is not such a record.
   */
  restoreDraft(imageId: string, record: string, config: ImageConfig): boolean;
  /** Config-only snapshot: the same layers as `imageId`, a new config and one empty-layer history entry. */
  configure(imageId: string, options: CommitOptions): Promise<string>;

  /** A tar of `path` in the container (its last path element is the archive's top entry). */
  getArchive(containerId: string, path: string): Promise<Readable>;
  /**
   * Metadata of one path in the container, without reading its content; the
   * final symlink is not followed. Undefined when the path does not exist.
   */
  statPath(containerId: string, path: string): Promise<FileEntry | undefined>;
  /** A tar of the container's whole file system. */
  exportContainer(containerId: string): Promise<Readable>;
  /**
   * Reads an image's files without running it: a tar of `path` (or the whole
   * file system when `path` is undefined) from a container that is created,
   * never started, and removed when the stream ends or fails.
   */
  readImage(imageId: string, path: string | undefined, buildId: string): Promise<Readable>;
  /** `docker save` of one image: its config, manifest and layer tars. */
  saveImage(imageId: string): Promise<Readable>;

  /** Removes a container whatever its state; a missing container is not an error. */
  removeContainer(containerId: string): Promise<void>;
  /** Removes an image; a missing image is not an error. */
  removeImage(imageId: string, options?: { force?: boolean }): Promise<void>;
  tag(imageId: string, ref: string): Promise<void>;

  /** Containers carrying all the given labels (value undefined: the label, any value). */
  listContainers(labels: Record<string, string | undefined>): Promise<ContainerSummary[]>;
  /** Removes them all (force); returns how many. */
  removeContainers(labels: Record<string, string | undefined>): Promise<number>;
  listImages(labels: Record<string, string | undefined>): Promise<ImageSummary[]>;
  removeImages(labels: Record<string, string | undefined>): Promise<number>;
}

/** An engine operation failed: names the operation and quotes the engine. */
export class EngineError extends UserError {
  readonly operation: string;
  readonly statusCode: number | undefined;
  readonly engineMessage: string;
  constructor(operation: string, engineMessage: string, statusCode?: number) {
    super(`${operation}: ${engineMessage}`, ENGINE_EXIT_CODE);
    this.name = 'EngineError';
    this.operation = operation;
    this.statusCode = statusCode;
    this.engineMessage = engineMessage;
  }
}

/** Nothing answers at the engine's address. */
export class EngineUnreachableError extends UserError {
  readonly endpoint: string;
  constructor(message: string, endpoint: string) {
    super(message, ENGINE_EXIT_CODE);
    this.name = 'EngineUnreachableError';
    this.endpoint = endpoint;
  }
}

/** A step's process was canceled through its AbortSignal; its container is gone. */
export class StepCanceledError extends UserError {
  constructor(containerId: string) {
    super(`step canceled; container ${containerId.slice(0, 12)} removed`, 130);
    this.name = 'StepCanceledError';
  }
}

/** A step's process ran longer than its timeout; its container is gone. */
export class StepTimeoutError extends UserError {
  readonly timeoutMs: number;
  constructor(containerId: string, timeoutMs: number) {
    super(
      `step timed out after ${formatSeconds(timeoutMs)}; container ${containerId.slice(0, 12)} killed and removed`,
      ENGINE_EXIT_CODE,
    );
    this.name = 'StepTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
