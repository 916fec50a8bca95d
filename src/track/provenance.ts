/**
 * Provenance: what the tracker learned from a build, and what the SBOM and the
 * attribution file are made from. Every file of the final image has exactly one
 * origin; every package points at the step that installed it.
 */
import type { ImageConfig } from '../engine/types.js';
import type { VerdictLevel } from '../lower/types.js';
import type { Package } from './package.js';

/** A step of the build: one plan op, pointing back at its Dockerfile lines. */
export interface StepRef {
  /** Plan op id, `s<stage>.<n>`. */
  id: string;
  stage: number;
  line: number;
  endLine: number;
  /** The instruction as written (continuation lines joined). */
  instruction: string;
}

export type Origin =
  /** Present in the base image; `package` is the purl of the base package that owns it. */
  | { kind: 'base'; image: string; imageId: string; package?: string }
  /** Installed by a package manager in this build. */
  | { kind: 'package'; package: string; step: StepRef }
  /** A build-context file (or a member of a context archive). */
  | { kind: 'context'; path: string; sha256: string; member?: string; step: StepRef }
  /** Downloaded (ADD <url>, or a download a RUN made), possibly a member of the downloaded archive. */
  | { kind: 'remote'; url: string; sha256?: string; verified: boolean; member?: string; step: StepRef }
  /** Written from the Dockerfile itself (COPY <<EOF). */
  | { kind: 'inline'; name: string; step: StepRef }
  /** Copied from another stage, with the origin it had there. */
  | { kind: 'stage'; stage: number; stageName?: string; path: string; origin: Origin; step: StepRef }
  /** Produced by a build tool in this build from sources whose origins are known. */
  | { kind: 'built'; tool: string; sources: Origin[]; step: StepRef }
  /** Package-manager state, caches, logs and links a tool created. */
  | { kind: 'generated'; by: string; step: StepRef }
  /**
   * Written by a step whose effect could not be traced. `note` says what is
   * known, e.g. the URL an unverified download came from.
   */
  | { kind: 'unattributed'; step: StepRef; note?: string };

export type OriginKind = Origin['kind'];

export interface FileRecord {
  path: string;
  kind: 'file' | 'symlink' | 'hardlink';
  mode: number;
  uid: number;
  gid: number;
  size: number;
  sha256?: string;
  linkTarget?: string;
  origin: Origin;
}

export interface PackageRecord {
  package: Package;
  /** The step that installed it, or undefined when it came with the base image. */
  step?: StepRef;
  /** The base image it came with. */
  baseImage?: string;
  /** Diff id of the image layer that installed it, when the image's layers are known. */
  layer?: string;
  stage: number;
  /** Paths in the final image this package owns (after merged-/usr resolution). */
  files: string[];
}

export interface StepRecord {
  step: StepRef;
  op: string;
  /** Reused from the build cache. */
  cached: boolean;
  durationMs: number;
  changes: { added: number; modified: number; deleted: number };
  /** What lint predicted statically for this step. */
  predicted: VerdictLevel;
  /** Files of the final image this step wrote, and how many of them are unattributed. */
  observed: { files: number; unattributed: number };
  /** The image id after the step. */
  snapshot: string;
  /** The stage a COPY --from (or a mount) of this step read from. */
  fromStage?: number;
  /** Diff id of the image layer the step produced, when the image's layers are known. */
  layer?: string;
}

export interface StageRecord {
  index: number;
  name?: string;
  base:
    | { kind: 'image'; ref: string; imageId: string; digest?: string }
    | { kind: 'stage'; stage: number }
    | { kind: 'scratch' };
  /** The stage produces the image (the target). */
  target: boolean;
  /** The stage's FROM instruction: base-image packages point at it. */
  from?: StepRef;
}

export interface Problem {
  path: string;
  reason: string;
}

export interface Provenance {
  tool: { name: string; version: string };
  /** RFC 3339; SOURCE_DATE_EPOCH when set. */
  created: string;
  dockerfile: { path: string; sha256: string };
  image: {
    id: string;
    tags: string[];
    config: ImageConfig;
    os: string;
    architecture: string;
    /** Diff ids of the image's layers, base first. */
    layers: string[];
  };
  stages: StageRecord[];
  steps: StepRecord[];
  /** Packages in the final image. */
  packages: PackageRecord[];
  /** Packages present only in build stages (compilers, build dependencies). */
  buildPackages: PackageRecord[];
  /** Regular files, symlinks and hardlinks of the final image. */
  files: FileRecord[];
  coverage: Coverage;
  /** Metadata the tracker could not read, with why. */
  problems: Problem[];
}

export interface Coverage {
  /** Regular files and symlinks considered. */
  files: number;
  /** Of those, files whose origin is not `unattributed`. */
  attributed: number;
  /** attributed / files (1 for an empty image). */
  ratio: number;
  byOrigin: Record<OriginKind, number>;
}

const ORIGIN_KINDS: readonly OriginKind[] = [
  'base',
  'package',
  'context',
  'remote',
  'inline',
  'stage',
  'built',
  'generated',
  'unattributed',
];

export function computeCoverage(files: readonly FileRecord[]): Coverage {
  const byOrigin = Object.fromEntries(ORIGIN_KINDS.map((k) => [k, 0])) as Record<OriginKind, number>;
  let unattributed = 0;
  for (const f of files) {
    byOrigin[f.origin.kind]++;
    // A stage copy of an untraced file is still untraced.
    if (rootOrigin(f.origin).kind === 'unattributed') unattributed++;
  }
  const attributed = files.length - unattributed;
  return { files: files.length, attributed, ratio: files.length === 0 ? 1 : attributed / files.length, byOrigin };
}

/** The origin a stage copy ultimately rests on (through any number of stage copies). */
export function rootOrigin(o: Origin): Origin {
  let cur = o;
  while (cur.kind === 'stage') cur = cur.origin;
  return cur;
}
