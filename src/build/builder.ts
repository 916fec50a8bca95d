/**
 * `scannable build`: the Plan executed one primitive op at a time on an
 * Engine — a container from the current snapshot, one change (put files, or
 * run a process), the change list, a commit — while everything the tracker
 * needs is recorded. Config-only instructions cost no container.
 *
 * Failure is clean: every container the build creates carries the build's
 * label and is removed whatever happens; nothing is written until the build
 * has succeeded.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { parseDockerfile, type SyntaxTree } from '../../grammar/dockerfile/index.js';
import { UserError, formatDiagnostic } from '../common/diagnostics.js';
import { REDACTED, looksSecret, redactInstruction, scrub, scrubText, secretValues } from '../common/secrets.js';
import { phase } from '../common/timing.js';
import { planPairs } from '../plan/redact.js';
import { buildIR } from '../ir/index.js';
import { lower } from '../lower/index.js';
import type { CopyOp, ExecOp, FetchOp, GitFetchOp, ExtractOp, MkdirOp, Op, Plan, PlanStage } from '../lower/types.js';
import { removedByScript } from '../shell/index.js';
import { normalizePath } from '../snapshot/paths.js';
import type { FileEntry, SnapshotFs } from '../snapshot/fs.js';
import {
  computeCoverage,
  type Provenance,
  type StageRecord,
  type StepRecord,
  type StepRef,
} from '../track/provenance.js';
import type { PlacedSource, StageTrace, StepIntents, TracedStep } from '../track/tracker.js';
import { BuildContext } from '../context/context.js';
import { planCopy, type DestView, type ManifestEntry } from '../context/copy.js';
import { idLookupFromFiles } from '../context/ids.js';
import { readArchive } from '../context/archive.js';
import {
  LABEL_BUILD,
  snapshotLabel,
  StepCanceledError,
  type ChangeKind,
  type ContainerRef,
  type ContainerSpec,
  type Engine,
  type ImageConfig,
  type MountSpec,
} from '../engine/types.js';
import { LayeredFs, type LayerChange, type LayerView } from '../snapshot/layered-fs.js';
import { lazyField } from '../common/lazy-field.js';
import { dirStamp, type KnownHash, LayerDirView, opaqueDirsOf } from '../snapshot/layer-dir.js';
import { codeFingerprint } from '../common/code-fingerprint.js';
import { WrittenFileHasher, sharedWritableMappings } from './written-hashes.js';
import { TarSnapshotFs } from '../snapshot/tar-fs.js';
import { subtreeArchive } from '../snapshot/subtree-tar.js';
import { StepCache, defaultStepCacheDir, digest, type CachedStep } from './cache.js';
import { applyPatch, cloneConfig, runEnv, type StageConfig } from './config.js';
import type { Progress, StepInfo } from './progress.js';
import { intentsForTracking } from './intents.js';

export const TOOL = { name: 'scannable', version: '0.1.0' };
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Bump when the tracker's output for the same snapshots changes, to retire cached results. */
const TRACK_VERSION = 1;

export interface BuildRequest {
  engine: Engine;
  /** Build context directory. */
  context: string;
  /** Dockerfile path (as given; relative to the working directory). */
  dockerfile: string;
  tags: string[];
  buildArgs: Record<string, string>;
  target?: string;
  labels: Record<string, string>;
  /** Network of RUN steps that do not set --network (docker build --network). */
  network?: string;
  noCache: boolean;
  /** `--secret id=ID,src=PATH` (a file) or `id=ID,env=VAR` (an environment variable). */
  secrets: Record<string, { file: string } | { env: string }>;
  progress: Progress;
  cacheDir?: string;
  signal?: AbortSignal;
  /** SOURCE_DATE_EPOCH, seconds. */
  sourceDateEpoch?: number;
  /** Per-step timeout for RUN, milliseconds. */
  stepTimeoutMs?: number;
  /** The value of every container's `LABEL_BUILD` label (default: random); tests pass their own to find leftovers. */
  buildId?: string;
  /**
   * Read the layers this build made from the engine's storage when it is on
   * this machine (default true; SCANNABLE_SNAPSHOT_READ=export turns it off).
   * False: export every snapshot the tracker needs through the API.
   */
  readLayerDirs?: boolean;
  /**
   * Called once, when the first RUN that is not in the cache starts: the build
   * then waits on the engine for a while, a good moment for work the caller
   * needs only at the end (the CLI loads the SBOM library).
   */
  whileWaiting?: () => void;
  /**
   * Called once, when the first RUN expected to take long (installs,
   * downloads, builds) starts: time for work that costs CPU now to save it at
   * the end (the CLI warms the SBOM writer and validator).
   */
  whileLongStep?: () => void;
  /**
   * Runs work the build leaves for the next one (writing the tracker's
   * result to the step cache, ~50 ms) when the caller has nothing more
   * urgent for the main thread (the CLI: while the SBOM validates on its
   * own thread). Default: as soon as the event loop is free.
   */
  later?: (work: () => void) => void;
}

export interface BuildOutcome {
  imageId: string;
  plan: Plan;
  provenance: Provenance;
  /**
   * A digest of what the provenance's files, packages, problems and coverage
   * were derived from (the tracked snapshots and steps, the secrets redacted):
   * equal digests, equal values. The SBOM memo keys on it.
   */
  trackedFrom: string;
}

/** A failing step, with what the user needs to fix it. */
export class BuildStepError extends UserError {
  constructor(
    readonly step: StepRef,
    readonly reason: string,
    readonly outputTail: string[] = [],
    exitCode = 1,
  ) {
    const tail = outputTail.length ? `\n  last output:\n${outputTail.map((l) => `    ${l}`).join('\n')}` : '';
    super(`${step.instruction.split('\n')[0]}\n  at line ${step.line}: ${reason}${tail}`, exitCode);
    this.name = 'BuildStepError';
  }
}

interface StageState {
  stage: PlanStage;
  image: string;
  cfg: StageConfig;
  /** Config changes not yet in `image`. */
  dirty: boolean;
  trace: StageTrace;
  baseRecord: StageRecord['base'];
  /** The image the stage started from. */
  root: string;
  /** The layers this build's steps put on `root`, in order: each step's snapshot and the paths the engine said it deleted. */
  layers: Array<{ snapshot: string; deleted: string[] }>;
}

/**
 * docker's predefined ARGs: a RUN sees them when they are given with
 * --build-arg, with no ARG instruction, and they stay out of the image, its
 * history and the step cache's key (a proxy is where the build runs, not what
 * it makes).
 */
const PROXY_ARGS = [
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'FTP_PROXY',
  'ftp_proxy',
  'NO_PROXY',
  'no_proxy',
  'ALL_PROXY',
  'all_proxy',
];

function withProxyArgs(env: string[], buildArgs: Readonly<Record<string, string>>): string[] {
  const set = new Set(env.map((e) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e)));
  const extra = PROXY_ARGS.filter((k) => Object.hasOwn(buildArgs, k) && !set.has(k)).map((k) => `${k}=${buildArgs[k]}`);
  return extra.length ? [...env, ...extra] : env;
}

/** A RUN expected to take a while: it installs, downloads, builds or clones. */
function expectedLong(op: ExecOp): boolean {
  return op.analysis.intents.some(
    (i) => i.kind === 'PackageInstall' || i.kind === 'Download' || i.kind === 'Build' || i.kind === 'Clone',
  );
}

/** Symlinks followed while looking at a COPY destination (the kernel's limit is 40). */
const MAX_DEST_LINK_HOPS = 40;

/** "/a/b/c" -> "/a", "/a/b", "/a/b/c". */
function prefixesOf(p: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const seg of p.split('/')) {
    if (!seg) continue;
    cur += '/' + seg;
    out.push(cur);
  }
  return out;
}

/** Keeps the last lines of a step's output for the error message. */
class Tail {
  private lines: string[] = [];
  private partial = '';
  push(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString('utf8')).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    if (this.lines.length > 40) this.lines = this.lines.slice(-20);
  }
  last(n = 15): string[] {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.slice(-n);
  }
}

function instructionText(tree: SyntaxTree, op: Op): string {
  const ins = tree.instructions.find((i) => i.range.start.line === op.range.start.line);
  return ins?.original ?? op.keyword;
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export class Builder {
  private readonly buildId: string;
  private readonly cache: StepCache;
  private readonly tmp: string[] = [];
  private tree!: SyntaxTree;
  private ctx!: BuildContext;
  private readonly stages = new Map<number, StageState>();
  private readonly steps: StepRecord[] = [];
  private stepIndex = 0;
  private totalSteps = 0;
  /** The container of the step being prepared, when it exists already (copy-like steps). */
  private probe: string | undefined;
  /** Sources of COPY --from unpacked into a scratch context, by snapshot and sources. */
  private readonly unpacked = new Map<string, BuildContext>();
  /** Values of secret-looking build arguments and ARG/ENV values: never written anywhere scannable writes. */
  private secrets: string[] = [];
  /** Steps' changes() still being asked for; every one is in before tracking. */
  private readonly pendingChanges: Promise<void>[] = [];
  /** Removals of step containers, finished before the build returns. */
  private readonly removals: Promise<unknown>[] = [];
  /** Stages whose final file system the tracker reads: the target and every stage copied from. */
  private readonly needFs = new Set<number>();
  /** Diff ids of the layers of the images stages start from (not of this build's own snapshots): only these get records. */
  private readonly baseLayers = new Set<string>();
  /** Base layers read from storage, to be kept for the next build (keepLayerRecords); `loaded`: what their record knew. */
  private readonly layerRecords: Array<{
    diffId: string;
    stamp: string;
    view: LayerDirView;
    visible: ReadonlySet<string>;
    loaded: { hashes: number; derived: number } | undefined;
  }> = [];
  /** Layers this build committed, read (and for the target, hashed) while later steps run, by snapshot. */
  private readonly layerReads = new Map<string, Promise<LayerDirView | undefined>>();
  private targetStage = -1;
  /** `whileWaiting` has been called. */
  private waited = false;
  /** `whileLongStep` has been called. */
  private waitedLong = false;
  /** What the tracker's result was keyed by (`track`). */
  private trackKey = '';
  /** Stage root images read in the background while the steps run (as their layers, every file shown hashed), by image id. */
  private readonly rootReads = new Map<string, Promise<Array<LayerView & { close?(): void }>>>();
  /** Roots of finished stages copied from, to be read while the next RUN runs. */
  private readonly rootsWanted = new Set<string>();
  /** Roots cataloged ahead of the tracker (`warmCatalog`). */
  private readonly warmed = new Set<string>();
  /** Every step of every needed stage has run. */
  private stepsDone = false;
  /** The snapshots of this build's steps in the step cache: put there, or found there. */
  private readonly knownSnapshots = new Set<string>();
  /** Each committed step's pending changes(), by snapshot. */
  private readonly changesOf = new Map<string, Promise<void>>();
  /**
   * Steps whose changes come from stacking their stage's layers, by snapshot;
   * `alone` tells them from the step's layer by itself, for a stage that is
   * not stacked (exported instead, or the build failed first).
   */
  private readonly unaskedChanges = new Map<
    string,
    { fromLayers: (changes: readonly LayerChange[]) => void; alone: () => Promise<void> }
  >();

  constructor(private readonly req: BuildRequest) {
    this.buildId = req.buildId ?? randomBytes(8).toString('hex');
    this.cache = new StepCache(req.cacheDir ?? defaultStepCacheDir(), !req.noCache);
  }

  private get engine(): Engine {
    return this.req.engine;
  }

  private tempDir(): string {
    const d = mkdtempSync(path.join(os.tmpdir(), 'scannable-build-'));
    this.tmp.push(d);
    return d;
  }

  async run(): Promise<BuildOutcome> {
    let failed = true;
    try {
      const out = await this.build();
      failed = false;
      return out;
    } finally {
      // Every container of this build goes, whatever happened; after a failure,
      // so do images only this build made (a commit whose answer was lost).
      const label = { [LABEL_BUILD]: this.buildId };
      const cleanup = async () => {
        await this.engine.removeContainers(label);
        if (!failed) return;
        await this.engine.removeImages(label);
        // Snapshots in the step cache stay; others go (a commit that never answered, a step whose changes are unknown).
        const drafts = await this.engine.listImages({ [LABEL_BUILD]: snapshotLabel(this.buildId) });
        for (const image of drafts)
          if (!this.knownSnapshots.has(image.id)) await this.engine.removeImage(image.id).catch(() => undefined);
      };
      await Promise.allSettled(this.pendingChanges);
      // Steps that finished before the failure go into the step cache with what their layers say they changed.
      if (failed && !this.req.signal?.aborted) await this.fillFromLayersAlone().catch(() => undefined);
      await Promise.all(this.removals);
      // A root image still being read has a container of its own: let it finish first.
      for (const read of this.rootReads.values())
        await read.then(
          (views) => views.forEach((v) => v.close?.()),
          () => undefined,
        );
      await cleanup().catch((e: unknown) => {
        this.req.progress.message(
          `warning: could not remove this build's containers: ${e instanceof Error ? e.message : String(e)}\n` +
            `  remove them with: docker rm -f $(docker ps -aq --filter label=${LABEL_BUILD}=${this.buildId})`,
        );
      });
      for (const d of this.tmp) rmSync(d, { recursive: true, force: true });
      phase('clean-up');
    }
  }

  private async build(): Promise<BuildOutcome> {
    const dockerfileText = readDockerfile(this.req.dockerfile);
    const parsed = parseDockerfile(dockerfileText, this.req.dockerfile);
    if (!parsed.ok) throw new UserError(parsed.diagnostics.map(formatDiagnostic).join('\n'), 2);
    this.tree = parsed.tree;
    phase('read and parse');
    await this.engine.ping();
    phase('ping');
    this.req.progress.begin(this.buildId);

    // The base images' environments make expansion exact; they must exist locally.
    const irFirst = buildIR(this.tree, {
      buildArgs: this.req.buildArgs,
      ...(this.req.target ? { target: this.req.target } : {}),
    });
    const baseInfo = new Map<string, { env: string[]; shell?: string[] }>();
    for (const st of irFirst.stages) {
      if (st.base.kind !== 'image' || baseInfo.has(st.base.ref) || st.base.ref === '') continue;
      const info = await this.engine.inspectImage(st.base.ref);
      if (info)
        baseInfo.set(st.base.ref, {
          env: info.config.Env ?? [],
          ...(info.config.Shell ? { shell: info.config.Shell } : {}),
        });
    }
    phase('inspect bases');
    const ir = buildIR(this.tree, {
      buildArgs: this.req.buildArgs,
      ...(this.req.target ? { target: this.req.target } : {}),
      baseImageEnv: (ref) => baseInfo.get(ref)?.env,
      baseImageShell: (ref) => baseInfo.get(ref)?.shell,
    });
    const plan = lower(ir, this.req.target ? { target: this.req.target } : {});
    const errors = plan.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) throw new UserError(errors.map(formatDiagnostic).join('\n'), 2);
    this.secrets = secretValues([...planPairs(plan), ...Object.entries(this.req.buildArgs)]);

    const relDockerfile = path.relative(path.resolve(this.req.context), path.resolve(this.req.dockerfile));
    this.ctx = BuildContext.open(this.req.context, {
      dockerfile: relDockerfile.startsWith('..') ? 'Dockerfile' : relDockerfile,
    });
    for (const w of this.ctx.warnings) this.req.progress.message(`warning: ${w}`);

    this.totalSteps = plan.stages.reduce((n, s) => n + s.ops.length, 0);
    this.needFs.add(plan.target);
    this.targetStage = plan.target;
    for (const s of plan.stages)
      for (const op of s.ops) if (op.kind === 'copy' && op.from.kind === 'stage') this.needFs.add(op.from.stage);
    phase('parse, IR, plan, context');
    for (const stage of plan.stages) await this.buildStage(stage);
    this.stepsDone = true;
    phase('steps');

    const target = this.stages.get(plan.target)!;
    if (Object.keys(this.req.labels).length) {
      target.cfg.config.Labels = { ...(target.cfg.config.Labels ?? {}), ...this.req.labels };
      target.dirty = true;
    }
    const lastOp = target.stage.ops[target.stage.ops.length - 1];
    // The stages' snapshots as tracked: the final config commit below changes no file.
    const snapshots = new Map([...this.stages.values()].map((s) => [s.stage.index, s.image]));
    // That commit and the tags go on while the files are tracked.
    const finished = (async () => {
      await this.flushConfig(target, true).catch((e: unknown) =>
        Promise.reject(lastOp ? this.stepError(target.stage, lastOp, e) : e),
      );
      for (const tag of this.req.tags) await this.engine.tag(target.image, tag);
    })();
    finished.catch(() => undefined); // awaited below, whatever else fails first
    let tracked: Provenance;
    try {
      for (const changed of this.pendingChanges) await changed;
      phase('changes');
      tracked = await this.track(plan, target, dockerfileText, snapshots, finished);
    } catch (e) {
      // A failed config commit names its step: that is the error to report.
      await finished;
      if (e instanceof UserError && !(e instanceof BuildStepError) && !this.req.signal?.aborted) {
        throw new UserError(`tracking the built image ${target.image.slice(7, 19)}: ${e.message}`, e.exitCode);
      }
      throw e;
    }
    const imageId = target.image;
    phase('tracking');
    // Written while the SBOM validates, like the other cache writes (or at once, for a caller with no such time).
    if (this.req.later) this.req.later(() => this.keepLayerRecords());
    else this.keepLayerRecords();
    // Secret-looking values appear nowhere in the provenance (a URL or note a RUN expanded them into, the image's Env).
    const redactedEnv = (tracked.image.config.Env ?? []).map((e) => {
      const eq = e.indexOf('=');
      return eq > 0 && looksSecret(e.slice(0, eq)) ? `${e.slice(0, eq)}=${REDACTED}` : e;
    });
    // Replaced in place: a copy of the whole would read the files and packages a cached result has not parsed.
    tracked.image = {
      ...tracked.image,
      config: { ...tracked.image.config, ...(tracked.image.config.Env ? { Env: redactedEnv } : {}) },
    };
    const provenance = scrub(tracked, this.secrets);
    return { imageId, plan, provenance, trackedFrom: digest({ track: this.trackKey, secrets: this.secrets }) };
  }

  /** An op's instruction as written, with secret-looking ARG/ENV values and build arguments redacted (progress, history, SBOM). */
  private text(op: Op): string {
    return scrubText(redactInstruction(instructionText(this.tree, op)), this.secrets);
  }

  private stepRef(stage: PlanStage, op: Op): StepRef {
    return {
      id: op.id,
      stage: stage.index,
      line: op.range.start.line,
      endLine: op.range.end.line,
      instruction: this.text(op),
    };
  }

  private info(stage: PlanStage, op: Op): StepInfo {
    this.stepIndex++;
    return {
      index: this.stepIndex,
      total: this.totalSteps,
      id: op.id,
      stage: stage.index,
      ...(stage.name ? { stageName: stage.name } : {}),
      instruction: this.text(op),
      line: op.range.start.line,
    };
  }

  private async buildStage(stage: PlanStage): Promise<void> {
    let state: StageState | undefined;
    for (const op of stage.ops) {
      this.req.signal?.throwIfAborted();
      const info = this.info(stage, op);
      this.req.progress.step(info);
      const started = Date.now();
      try {
        if (op.kind === 'base') {
          state = await this.base(stage, op);
          this.req.progress.done(info, {
            cached: false,
            durationMs: Date.now() - started,
            note: state.image.slice(7, 19),
          });
          continue;
        }
        const st = state!;
        const ref = this.stepRef(stage, op);
        if (op.kind === 'config') {
          // An ARG (or an ENV to the value it has) changes no image: nothing to write before the next step.
          const before = JSON.stringify([st.cfg.config, st.cfg.author]);
          applyPatch(st.cfg, op.patch);
          if (JSON.stringify([st.cfg.config, st.cfg.author]) !== before) st.dirty = true;
          this.record(st, op, ref, { cached: false, durationMs: Date.now() - started, changes: [] });
          this.req.progress.done(info, { cached: false, durationMs: Date.now() - started, note: 'config' });
          continue;
        }
        const outcome = await this.containerStep(st, op, ref, info);
        this.req.progress.done(info, { cached: outcome.cached, durationMs: outcome.durationMs, note: outcome.note });
      } catch (e) {
        const err = this.stepError(stage, op, e);
        this.req.progress.failed(
          info,
          err instanceof BuildStepError
            ? err.reason.split('\n')[0]!
            : err instanceof Error
              ? err.message.split('\n')[0]!
              : String(err),
        );
        throw err;
      }
    }
    const last = stage.ops[stage.ops.length - 1];
    if (
      state &&
      stage.index !== this.targetStage &&
      this.needFs.has(stage.index) &&
      this.layerDirsUsable() &&
      !this.rootReads.has(state.root)
    )
      this.rootsWanted.add(state.root);
    // The target's config is committed while its files are tracked (build()).
    if (state && stage.index !== this.targetStage)
      await this.flushConfig(state).catch((e: unknown) => Promise.reject(last ? this.stepError(stage, last, e) : e));
  }

  /**
   * A failure inside a step, as one error that names the step: what the engine
   * or the context said becomes the reason. An interrupt stays what it is.
   */
  private stepError(stage: PlanStage, op: Op, e: unknown): unknown {
    // Interrupted: the reason the caller aborted with (the CLI's carries 130 or 143), whatever the step threw.
    if (this.req.signal?.aborted) return this.req.signal.reason instanceof Error ? this.req.signal.reason : e;
    if (e instanceof BuildStepError || e instanceof StepCanceledError) return e;
    if (!(e instanceof UserError)) return e;
    return new BuildStepError(this.stepRef(stage, op), e.message, [], e.exitCode);
  }

  private async base(stage: PlanStage, op: Extract<Op, { kind: 'base' }>): Promise<StageState> {
    let image: string;
    let config: ImageConfig;
    let baseRecord: StageRecord['base'];
    let parentTrace: StageState | undefined;
    if (op.source.kind === 'stage') {
      parentTrace = this.stages.get(op.source.stage);
      if (!parentTrace) throw new UserError(`stage ${op.source.stage} was not built`);
      await this.flushConfig(parentTrace, true);
      image = parentTrace.image;
      config = cloneConfig(parentTrace.cfg.config);
      baseRecord = { kind: 'stage', stage: op.source.stage };
    } else if (op.source.kind === 'scratch') {
      image = await this.engine.scratchImage({}, { [LABEL_BUILD]: this.buildId });
      config = {};
      baseRecord = { kind: 'scratch' };
    } else {
      image = await this.engine.resolveImage(op.source.ref);
      const info = await this.engine.inspectImage(image);
      for (const layer of info?.layers ?? []) this.baseLayers.add(layer);
      config = cloneConfig(info?.config ?? {});
      baseRecord = {
        kind: 'image',
        ref: op.source.ref,
        imageId: image,
        ...(info?.repoDigests[0] ? { digest: info.repoDigests[0].split('@')[1]! } : {}),
      };
    }
    // Docker's builders give every stage a PATH when its base image has none.
    if (!(config.Env ?? []).some((e) => e.startsWith('PATH=')))
      config.Env = [...(config.Env ?? []), `PATH=${DEFAULT_PATH}`];
    const cfg: StageConfig = { config, cmdSet: false, args: new Map() };
    const trace: StageTrace = {
      index: stage.index,
      ...(stage.name ? { name: stage.name } : {}),
      base: baseRecord,
      steps: [],
    };
    const state: StageState = { stage, image, cfg, dirty: false, trace, baseRecord, root: image, layers: [] };
    this.stages.set(stage.index, state);
    if (config.OnBuild?.length) await this.onbuild(state, op, config.OnBuild);
    return state;
  }

  /** The base image's ONBUILD triggers run first, attributed to the FROM line. */
  private async onbuild(st: StageState, fromOp: Op, triggers: string[]): Promise<void> {
    const text = `FROM scratch\n${triggers.join('\n')}\n`;
    const p = parseDockerfile(text, `${this.req.dockerfile} (ONBUILD of the base image)`);
    if (!p.ok) throw new UserError(`the base image's ONBUILD triggers do not parse: ${p.diagnostics[0]!.message}`);
    const sub = lower(buildIR(p.tree, { buildArgs: this.req.buildArgs }));
    // The triggers run here and are not inherited further (as in docker).
    delete st.cfg.config.OnBuild;
    st.dirty = true;
    for (const [i, op] of sub.stages[0]!.ops.entries()) {
      if (op.kind === 'base') continue;
      const ref: StepRef = {
        id: `${fromOp.id}.onbuild${i}`,
        stage: st.stage.index,
        line: fromOp.range.start.line,
        endLine: fromOp.range.end.line,
        instruction: scrubText(`ONBUILD ${redactInstruction(triggers[i - 1] ?? op.keyword)}`, this.secrets),
      };
      if (op.kind === 'config') {
        applyPatch(st.cfg, op.patch);
        continue;
      }
      const info: StepInfo = {
        index: this.stepIndex,
        total: this.totalSteps,
        id: ref.id,
        stage: st.stage.index,
        instruction: ref.instruction,
        line: ref.line,
      };
      await this.containerStep(st, { ...op, id: ref.id } as Op, ref, info);
    }
  }

  /**
   * Commits pending config changes as a config-only snapshot; `handedOn` (the
   * image the build ends with, a stage another one starts from) also writes a
   * draft's intended config (see `Engine.commit`).
   */
  private async flushConfig(st: StageState, handedOn = false): Promise<void> {
    if (!st.dirty && !handedOn) return;
    const options = {
      config: st.cfg.config,
      ...this.commitMeta('config'),
      ...(st.cfg.author ? { author: st.cfg.author } : {}),
    };
    // Cached like any step, so an unchanged rebuild ends at the same image id.
    const key = st.dirty
      ? digest({ parent: st.image, configure: options.config, author: options.author, created: options.created })
      : digest({ parent: st.image, materialize: true });
    const hit = this.cache.get(key);
    if (hit && (await this.engine.inspectImage(hit.snapshot))) st.image = hit.snapshot;
    else {
      const image = st.dirty ? await this.engine.configure(st.image, options) : await this.engine.materialize(st.image);
      if (image !== st.image) this.cache.put(key, { snapshot: image, changes: [], durationMs: 0 });
      st.image = image;
    }
    st.dirty = false;
  }

  private commitMeta(createdBy: string): { createdBy: string; created?: string } {
    return {
      createdBy,
      ...(this.req.sourceDateEpoch !== undefined
        ? { created: new Date(this.req.sourceDateEpoch * 1000).toISOString() }
        : {}),
    };
  }

  private record(
    st: StageState,
    op: Op,
    ref: StepRef,
    r: { cached: boolean; durationMs: number; changes: Array<{ kind: string }>; fromStage?: number },
  ): StepRecord {
    const rec: StepRecord = {
      step: ref,
      op: op.kind,
      cached: r.cached,
      durationMs: r.durationMs,
      changes: changeCounts(r.changes),
      predicted: op.verdict.level,
      observed: { files: 0, unattributed: 0 },
      snapshot: st.image,
      ...(r.fromStage !== undefined ? { fromStage: r.fromStage } : {}),
    };
    this.steps.push(rec);
    return rec;
  }

  /** One container step, or its cached result. */
  private async containerStep(
    st: StageState,
    op: Op,
    ref: StepRef,
    info: StepInfo,
  ): Promise<{ cached: boolean; durationMs: number; note: string }> {
    await this.flushConfig(st);
    // WORKDIR's directory and its config change land in the same snapshot.
    if (op.kind === 'mkdir') st.cfg.config.WorkingDir = op.path;
    // The cache key needs the inputs' content, not the destination's state (the
    // parent snapshot fixes that), so the snapshot is only looked at on a miss.
    let prepared = await this.prepare(st, op, false);
    const key = digest({
      parent: st.image,
      op: opKey(op),
      inputs: prepared.inputKey,
      env: op.kind === 'exec' ? runEnv(st.cfg) : undefined,
      config: op.kind === 'exec' ? { u: st.cfg.config.User, w: st.cfg.config.WorkingDir } : undefined,
    });
    phase(`prepare ${op.id}`);
    const hit = this.cache.get(key);
    // A draft is of use only with its intended config.
    if (
      hit &&
      (hit.draft === undefined || this.engine.restoreDraft(hit.snapshot, hit.draft, cloneConfig(st.cfg.config))) &&
      (await this.engine.inspectImage(hit.snapshot))
    ) {
      st.image = hit.snapshot;
      this.knownSnapshots.add(hit.snapshot);
      st.layers.push({ snapshot: hit.snapshot, deleted: deletedPaths(hit.changes) });
      // What the step meant to do is static analysis of this build's Dockerfile, not part of the cached result.
      this.addTraced(st, op, ref, {
        ...hit,
        ...(prepared.intents ? { intents: prepared.intents } : {}),
        ...(prepared.archiveMembers
          ? { archiveMembers: [...prepared.archiveMembers].map(([k, v]) => [k, [...v]] as [string, string[]]) }
          : {}),
      });
      this.record(st, op, ref, { cached: true, durationMs: hit.durationMs, changes: hit.changes, ...fromStageOf(op) });
      return { cached: true, durationMs: hit.durationMs, note: `${hit.changes.length} changes` };
    }
    const started = Date.now();
    let container: ContainerRef;
    if (prepared.partial) {
      // Copy-like steps need no process: their own container answers the destination questions.
      container = await this.engine.createContainer({ image: st.image, buildId: this.buildId });
      this.probe = container.id;
      try {
        prepared = await this.prepare(st, op, true);
      } catch (e) {
        await this.engine.removeContainer(container.id).catch(() => undefined);
        throw e;
      } finally {
        this.probe = undefined;
      }
    } else {
      container = await this.engine.createContainer({ image: st.image, buildId: this.buildId, ...prepared.spec });
    }
    const long = op.kind === 'exec' && expectedLong(op as ExecOp);
    // Whether this stage's files are read from the engine's storage (its root, each step's layer).
    const readsLayers = this.needFs.has(st.stage.index) && this.layerDirsUsable();
    const inTarget = st.stage.index === this.targetStage;
    // Work done while a RUN's process runs. Begun only once the engine has started it: the first
    // parts are synchronous (reading a root's directories, compiling modules) and would hold back
    // the start request by a few hundred milliseconds.
    const whileRunning = () => {
      // The tracker will need this stage's root: read it while a RUN (the long kind of step) runs, not after the build.
      // In a stage copied from, only while one expected to be long runs, or the next RUN after the stage's end:
      // reading and hashing a root takes both cores for a while, which a short RUN and its commit would wait for.
      if (readsLayers) {
        if (inTarget || long) void this.rootSnapshot(st.root);
        if (long) this.warmCatalog(st.root);
      }
      for (const root of this.rootsWanted) void this.rootSnapshot(root);
      this.rootsWanted.clear();
      if (!this.waited) {
        this.waited = true;
        void trackerModule().catch(() => undefined); // needed at the end; loaded while the engine works
        this.req.whileWaiting?.();
      }
      if (long && !this.waitedLong) {
        this.waitedLong = true;
        this.req.whileLongStep?.();
      }
    };
    // A long RUN's files are hashed while it runs, where all of them will be hashed (prefetchLayer).
    const watching =
      long && inTarget && readsLayers
        ? this.watchWrites(container.id, removedByScript((op as ExecOp).analysis.commands))
        : undefined;
    try {
      if (prepared.tar) await this.engine.putArchive(container.id, '/', prepared.tar);
      if (op.kind === 'exec') {
        const tail = new Tail();
        const result = await this.engine.run(container.id, {
          onStdout: (c) => {
            tail.push(c);
            this.req.progress.output(info, 'stdout', c);
          },
          onStderr: (c) => {
            tail.push(c);
            this.req.progress.output(info, 'stderr', c);
          },
          ...(this.req.signal ? { signal: this.req.signal } : {}),
          ...(this.req.stepTimeoutMs ? { timeoutMs: this.req.stepTimeoutMs } : {}),
          onStarted: whileRunning,
        });
        if (result.exitCode !== 0) {
          throw new BuildStepError(ref, `the command exited with code ${result.exitCode}`, tail.last());
        }
      }
      phase(`run ${op.id}`);
      const written = watching?.then((w) => w?.finish());
      const snapshot = await this.engine.commit(container.id, {
        config: st.cfg.config,
        ...this.commitMeta(ref.instruction.slice(0, 1000)),
        ...(st.cfg.author ? { author: st.cfg.author } : {}),
      });
      phase(`commit ${op.id}`);
      const durationMs = Date.now() - started;
      const draft = this.engine.draftRecord(snapshot);
      const rec: Omit<CachedStep, 'version'> = {
        snapshot,
        ...(draft !== undefined ? { draft } : {}),
        changes: [],
        ...(prepared.placed ? { placed: [...prepared.placed] } : {}),
        ...(prepared.archiveMembers
          ? { archiveMembers: [...prepared.archiveMembers].map(([k, v]) => [k, [...v]] as [string, string[]]) }
          : {}),
        ...(prepared.intents ? { intents: prepared.intents } : {}),
        durationMs,
      };
      const parent = st.image;
      st.image = snapshot;
      // Whether this step's changes can be read from its layer (copy-like steps: always; a RUN's: with its opaque directories).
      const fromLayer = readsLayers
        ? this.prefetchLayer(snapshot, parent, inTarget, op.kind === 'exec', written)
        : undefined;
      const layer = { snapshot, deleted: [] as string[] };
      st.layers.push(layer);
      this.addTraced(st, op, ref, { version: 0, ...rec });
      const stepRecord = this.record(st, op, ref, { cached: false, durationMs, changes: [], ...fromStageOf(op) });
      // The records above share `rec.changes`.
      const fill = (list: ReadonlyArray<{ path: string; kind: ChangeKind }>) => {
        rec.changes.push(
          ...list.filter((c) => !container.mountpoints.includes(c.path)).map((c) => ({ path: c.path, kind: c.kind })),
        );
        layer.deleted.push(...deletedPaths(rec.changes));
        stepRecord.changes = changeCounts(rec.changes);
        this.cache.put(key, rec);
        this.knownSnapshots.add(snapshot);
      };
      // Nothing waits for the removal; the build's end does (and its clean-up sweeps whatever is left).
      // (Not before its write directory has been walked a last time: its files would vanish under the walk.)
      const remove = () =>
        void this.removals.push(
          Promise.resolve(written)
            .then(() => this.engine.removeContainer(container.id))
            .catch(() => undefined),
        );
      const ask = () =>
        this.engine
          .changes(container.id)
          .then(fill)
          .catch((e: unknown) => Promise.reject(this.stepError(st.stage, op, e)))
          .finally(remove);
      // A copy-like step ran no process: its layer holds exactly what it put there, and a
      // whiteout for each path that replaced (no opaque directory: a tar never turns a directory
      // into a new one). A RUN's layer says as much once its opaque directories are read
      // (getfattr). Then the step's changes are what stacking the stage's layers says this layer
      // changed, and the container can go at once. Otherwise the engine is asked after the
      // commit, while the next steps run: it takes ~0.3 s over it however little changed, and
      // longer for a large layer, competing with those steps.
      const changed = fromLayer
        ? fromLayer.then((complete) => {
            if (complete === 'unreadable') return ask();
            remove();
            // The engine adds no layer for a step that changed nothing.
            if (complete === 'no layer') return fill([]);
            this.unaskedChanges.set(snapshot, {
              fromLayers: fill,
              alone: async () => {
                const view = await this.layerReads.get(snapshot);
                if (!view)
                  throw this.stepError(
                    st.stage,
                    op,
                    new UserError(`the layer of ${snapshot.slice(7, 19)} could not be read`),
                  );
                fill(changesOfLayerAlone(view));
              },
            });
          })
        : ask();
      changed.catch(() => undefined); // awaited (and reported) before tracking
      this.pendingChanges.push(changed);
      this.changesOf.set(snapshot, changed);
      return { cached: false, durationMs, note: snapshot.slice(7, 19) };
    } catch (e) {
      void watching?.then((w) => w?.stop());
      await this.engine.removeContainer(container.id).catch(() => undefined);
      throw e;
    }
  }

  /** Hashes what a RUN writes as it writes it (see WrittenFileHasher); undefined where its directory cannot be read. */
  private async watchWrites(
    containerId: string,
    removed: (path: string) => boolean,
  ): Promise<WrittenFileHasher | undefined> {
    try {
      const dir = await this.engine.containerWriteDir?.(containerId);
      return dir ? new WrittenFileHasher(dir, () => sharedWritableMappings(containerId), { removed }) : undefined;
    } catch {
      return undefined; // only a head start
    }
  }

  private addTraced(st: StageState, op: Op, ref: StepRef, rec: Omit<CachedStep, 'version'> | CachedStep): void {
    const traced: TracedStep = {
      ref,
      op: op.kind,
      changes: rec.changes,
      ...(rec.placed ? { placed: new Map(rec.placed) } : {}),
      ...(rec.intents ? { intents: rec.intents } : {}),
      ...(rec.archiveMembers ? { archiveMembers: new Map(rec.archiveMembers.map(([k, v]) => [k, new Set(v)])) } : {}),
    };
    st.trace.steps.push(traced);
  }

  /** What a step needs before its container exists: files to put, the process to run. */
  private async prepare(st: StageState, op: Op, final: boolean): Promise<Prepared> {
    switch (op.kind) {
      case 'mkdir':
        return final ? this.prepareMkdir(st, op) : { spec: {}, inputKey: op.path, partial: true };
      case 'copy':
      case 'extract':
        return this.prepareCopy(st, op, final);
      case 'fetch':
        return this.prepareFetch(op);
      case 'gitFetch':
        return this.prepareGit(st, op);
      case 'exec':
        return this.prepareExec(st, op);
      default:
        throw new Error(`internal: ${op.kind} is not a container step`);
    }
  }

  /**
   * A view of the current snapshot's paths for COPY's destination rules: each
   * path's components, and where a component is a symlink (merged /usr's
   * /bin -> usr/bin), the components of the path it leads to.
   */
  private async destView(st: StageState, paths: string[]): Promise<DestView> {
    const known = new Map<string, FileEntry | undefined>();
    const own = this.probe === undefined;
    const id = this.probe ?? (await this.engine.createContainer({ image: st.image, buildId: this.buildId })).id;
    try {
      let pending = new Set(paths.map(normalizePath));
      for (let hops = 0; pending.size > 0 && hops <= MAX_DEST_LINK_HOPS; hops++) {
        const want = new Set<string>();
        for (const p of pending) for (const prefix of prefixesOf(p)) if (!known.has(prefix)) want.add(prefix);
        const stats = await Promise.all([...want].map(async (p) => [p, await this.engine.statPath(id, p)] as const));
        for (const [p, e] of stats) known.set(p, e);
        // A symlink on the way: the rest of the path continues from its target.
        const next = new Set<string>();
        for (const p of pending) {
          for (const prefix of prefixesOf(p)) {
            const e = known.get(prefix);
            if (!e) break;
            if (e.kind === 'symlink' && e.linkTarget) {
              const target = e.linkTarget.startsWith('/')
                ? e.linkTarget
                : `${path.posix.dirname(prefix)}/${e.linkTarget}`;
              next.add(normalizePath(`${target}/${p.slice(prefix.length)}`));
              break;
            }
          }
        }
        pending = next;
      }
    } finally {
      if (own) await this.engine.removeContainer(id);
    }
    const stat = (p: string) => known.get(normalizePath(p));
    const resolve = (p: string): string | undefined => {
      const parts = normalizePath(p).split('/').filter(Boolean);
      let cur = '';
      for (let i = 0; i < parts.length; i++) {
        const next = cur + '/' + parts[i];
        const e = stat(next);
        if (!e) return undefined;
        if (e.kind === 'symlink' && e.linkTarget) {
          const target = e.linkTarget.startsWith('/') ? e.linkTarget : (cur || '') + '/' + e.linkTarget;
          cur = normalizePath(target);
        } else cur = next;
      }
      return cur || '/';
    };
    return { stat, resolve };
  }

  private async prepareMkdir(st: StageState, op: MkdirOp): Promise<Prepared> {
    const view = await this.destView(st, [op.path]);
    const missing: string[] = [];
    let cur = '';
    for (const seg of op.path.split('/').filter(Boolean)) {
      cur += '/' + seg;
      const e = view.stat(cur);
      if (e?.kind === 'symlink') {
        const real = view.resolve(cur);
        if (real) cur = real;
        continue;
      }
      if (!e) missing.push(cur);
    }
    if (missing.length === 0) return { spec: {}, inputKey: op.path, tar: undefined };
    const pack = tar.pack();
    for (const d of missing)
      pack.entry({
        name: d.slice(1),
        type: 'directory',
        mode: 0o755,
        uid: 0,
        gid: 0,
        mtime: new Date(this.mtimeSeconds() * 1000),
      });
    pack.finalize();
    return { spec: {}, inputKey: op.path, tar: await streamToBuffer(pack) };
  }

  private mtimeSeconds(): number {
    return this.req.sourceDateEpoch ?? Math.floor(Date.now() / 1000);
  }

  private async idsOf(st: StageState): Promise<ReturnType<typeof idLookupFromFiles>> {
    const read = async (p: string): Promise<string | undefined> => {
      try {
        const fs = await TarSnapshotFs.fromStream(await this.engine.readImage(st.image, p, this.buildId), {
          at: path.posix.dirname(p),
        });
        try {
          return fs.readFile(p)?.toString('utf8');
        } finally {
          fs.close();
        }
      } catch {
        return undefined;
      }
    };
    return idLookupFromFiles(await read('/etc/passwd'), await read('/etc/group'));
  }

  private async prepareCopy(st: StageState, op: CopyOp | ExtractOp, final: boolean): Promise<Prepared> {
    const sources = op.kind === 'extract' ? [op.source] : op.sources;
    const inline = op.kind === 'copy' ? op.inline : [];
    let ctx = this.ctx;
    let stageSource: { stage: number } | undefined;
    let imageSource: { ref: string; imageId: string } | undefined;
    if (op.kind === 'copy' && op.from.kind !== 'context') {
      // Files from another snapshot: unpack the sources into a scratch context.
      let image: string;
      if (op.from.kind === 'stage') {
        const from = this.stages.get(op.from.stage);
        if (!from) throw new UserError(`COPY --from: stage ${op.from.stage} was not built`);
        await this.flushConfig(from);
        image = from.image;
        stageSource = { stage: op.from.stage };
      } else {
        image = await this.engine.resolveImage(op.from.ref);
        imageSource = { ref: op.from.ref, imageId: image };
      }
      // Both preparation passes read the same snapshot: unpack it once.
      const key = JSON.stringify([image, sources]);
      const cached = this.unpacked.get(key);
      if (cached) ctx = cached;
      else {
        const dir = this.tempDir();
        const fromFs =
          op.from.kind === 'stage' ? await this.finishedStageFs(this.stages.get(op.from.stage)!) : undefined;
        for (const src of sources) await this.unpackInto(image, src, dir, fromFs);
        ctx = BuildContext.open(dir, { ignore: [] });
        this.unpacked.set(key, ctx);
      }
    }
    const dest = op.dest;
    const view = final
      ? await this.destView(st, [
          dest.endsWith('/') ? dest.slice(0, -1) || '/' : dest,
          ...sources.map((s) => path.posix.join(dest, path.posix.basename(s))),
        ])
      : undefined;
    const chown = op.chown;
    const ids = final && chown && !/^\d+(:\d+)?$/.test(chown) ? await this.idsOf(st) : undefined;
    const plan = await planCopy(ctx, {
      sources: sources.map((s) => (stageSource || imageSource ? s.replace(/^\/+/, '') : s)),
      dest,
      workdir: st.cfg.config.WorkingDir ?? '/',
      ...(chown ? { chown } : {}),
      ...(op.chmod ? { chmod: op.chmod } : {}),
      ...(op.kind === 'copy' ? { exclude: op.exclude, parents: op.parents } : {}),
      ...(stageSource || imageSource ? { keepOwners: true } : {}),
      add: op.kind === 'extract' || (op.kind === 'copy' && op.unpackArchives),
      ...(ids ? { ids } : {}),
      ...(view ? { image: view } : {}),
      mtime: this.mtimeSeconds(),
    });
    if (final) for (const w of plan.warnings) this.req.progress.message(`warning: ${w}`);
    let tarBuf = plan.tar;
    const placed = new Map<string, PlacedSource>();
    for (const m of plan.manifest) {
      const src = placedSource(m, stageSource, imageSource);
      if (src) placed.set(m.dest, src);
    }
    if (inline.length) {
      // COPY <<EOF: the Dockerfile's own text becomes files.
      tarBuf = await appendInline(tarBuf, inline, dest, this.mtimeSeconds());
      for (const f of inline)
        placed.set(normalizePath(dest.endsWith('/') ? dest + f.name : dest), { kind: 'inline', name: f.name });
    }
    // Sources by content and metadata; destinations come from the (keyed) parent snapshot.
    const inputKey = plan.manifest
      .filter((m) => m.source.kind !== 'created')
      .map((m) => [m.source, m.kind, m.mode, m.uid, m.gid, m.sha256 ?? m.linkTarget ?? '']);
    return { spec: {}, tar: tarBuf, placed, inputKey: [inputKey, inline, op.chown], partial: !final };
  }

  /**
   * Puts `src` (a path in `image`, maybe with wildcards in its last part) under
   * `dir` at the same path, as the engine's archive of it has it; from `fs`,
   * the image's files already read here, when it can say the same.
   */
  private async unpackInto(image: string, src: string, dir: string, fs?: SnapshotFs): Promise<void> {
    const p = normalizePath(src);
    const wild = /[*?[]/.test(p);
    const fetchPath = wild ? path.posix.dirname(p) : p;
    const stream =
      (fs && subtreeArchive(fs, fetchPath)) ?? (await this.engine.readImage(image, fetchPath, this.buildId));
    const parent = path.join(dir, path.posix.dirname(fetchPath));
    mkdirSync(parent, { recursive: true });
    await extractTar(stream, parent);
  }

  private async prepareFetch(op: FetchOp): Promise<Prepared> {
    const res = await fetch(op.url, ...(this.req.signal ? [{ signal: this.req.signal }] : [])).catch((e: Error) => {
      throw new UserError(`ADD ${op.url}: download failed: ${e.message}`);
    });
    if (!res.ok) throw new UserError(`ADD ${op.url}: download failed: HTTP ${res.status} ${res.statusText}`);
    const data = Buffer.from(await res.arrayBuffer());
    const hex = sha256(data);
    if (op.checksum) {
      const [algo, want] = op.checksum.includes(':')
        ? (op.checksum.split(':', 2) as [string, string])
        : ['sha256', op.checksum];
      if (algo !== 'sha256') throw new UserError(`ADD --checksum: unsupported digest algorithm ${algo} (sha256 only)`);
      if (want.toLowerCase() !== hex)
        throw new UserError(`ADD ${op.url}: digest mismatch: expected sha256:${want}, got sha256:${hex}`);
    }
    const name = decodeURIComponent(new URL(op.url).pathname.split('/').pop() || 'download');
    const dest = normalizePath(op.dest.endsWith('/') ? op.dest + name : op.dest);
    const lastModified = res.headers.get('last-modified');
    const mtime = lastModified ? Math.floor(new Date(lastModified).getTime() / 1000) : this.mtimeSeconds();
    const pack = tar.pack();
    // Parent directories, then the file: docker gives downloaded files mode 0600.
    let cur = '';
    for (const seg of path.posix.dirname(dest).split('/').filter(Boolean)) {
      cur += '/' + seg;
      pack.entry({ name: cur.slice(1), type: 'directory', mode: 0o755, mtime: new Date(mtime * 1000) });
    }
    pack.entry(
      {
        name: dest.slice(1),
        mode: op.chmod ? parseInt(op.chmod, 8) : 0o600,
        mtime: new Date(mtime * 1000),
        uid: 0,
        gid: 0,
      },
      data,
    );
    pack.finalize();
    const placed = new Map<string, PlacedSource>([
      [dest, { kind: 'remote', url: op.url, sha256: hex, verified: op.checksum !== undefined }],
    ]);
    return { spec: {}, tar: await streamToBuffer(pack), placed, inputKey: [op.url, hex, op.chown, op.chmod] };
  }

  private async prepareGit(st: StageState, op: GitFetchOp): Promise<Prepared> {
    const { execFileSync } = await import('node:child_process');
    const dir = this.tempDir();
    const repo = path.join(dir, 'repo');
    try {
      execFileSync(
        'git',
        [
          'clone',
          '--quiet',
          ...(op.ref && !/^[0-9a-f]{40}$/.test(op.ref) ? ['--depth', '1', '--branch', op.ref] : []),
          op.url,
          repo,
        ],
        { stdio: 'pipe' },
      );
      if (op.ref && /^[0-9a-f]{40}$/.test(op.ref))
        execFileSync('git', ['-C', repo, 'checkout', '--quiet', op.ref], { stdio: 'pipe' });
    } catch (e) {
      const err = (e as { stderr?: Buffer }).stderr?.toString().trim();
      throw new UserError(`ADD ${op.url}: git clone failed${err ? `: ${err}` : ''}`);
    }
    const commit = execFileSync('git', ['-C', repo, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    if (!op.keepGitDir) rmSync(path.join(repo, '.git'), { recursive: true, force: true });
    const root = op.subdir ? path.join(repo, op.subdir) : repo;
    const ctx = BuildContext.open(root, { ignore: [] });
    const view = await this.destView(st, [op.dest]);
    const plan = await planCopy(ctx, {
      sources: ['.'],
      dest: op.dest,
      workdir: st.cfg.config.WorkingDir ?? '/',
      ...(op.chown ? { chown: op.chown } : {}),
      ...(op.chmod ? { chmod: op.chmod } : {}),
      image: view,
      mtime: this.mtimeSeconds(),
    });
    const placed = new Map<string, PlacedSource>();
    for (const m of plan.manifest) {
      if (m.source.kind === 'context' && m.kind !== 'dir')
        placed.set(m.dest, {
          kind: 'remote',
          url: `${op.url}#${commit}`,
          ...(m.sha256 ? { sha256: m.sha256 } : {}),
          verified: op.ref === commit,
          member: m.source.path,
        });
    }
    return {
      spec: {},
      tar: plan.tar,
      placed,
      inputKey: [op.url, commit, plan.manifest.map((m) => [m.dest, m.sha256])],
    };
  }

  private async prepareExec(st: StageState, op: ExecOp): Promise<Prepared> {
    const mounts: MountSpec[] = [];
    for (const m of op.mounts) {
      const target = m.target ?? '/';
      switch (m.type) {
        case 'cache':
          mounts.push({ type: 'cache', id: m.id ?? target, target, ...(m.readOnly ? { readOnly: true } : {}) });
          break;
        case 'tmpfs':
          mounts.push({ type: 'tmpfs', target, ...(m.sizeLimit ? { sizeBytes: m.sizeLimit } : {}) });
          break;
        case 'bind': {
          let source: string;
          if (m.from === undefined) {
            source = path.join(this.ctx.root, normalizePath(m.source ?? '/').slice(1));
          } else {
            const dir = this.tempDir();
            const fromStage = [...this.stages.values()].find(
              (s) => s.stage.name === m.from!.toLowerCase() || String(s.stage.index) === m.from,
            );
            const image = fromStage ? fromStage.image : await this.engine.resolveImage(m.from);
            await this.unpackInto(image, m.source ?? '/', dir);
            source = path.join(dir, normalizePath(m.source ?? '/').slice(1));
          }
          mounts.push({ type: 'bind', source, target, readOnly: m.readOnly });
          break;
        }
        case 'secret': {
          const id = m.id ?? '';
          const given = this.req.secrets[id];
          if (given === undefined) {
            if (m.required)
              throw new UserError(
                `RUN --mount=type=secret,id=${id}: no secret with id ${JSON.stringify(id)} was given; pass --secret id=${id},src=PATH`,
              );
            break;
          }
          let content: Buffer;
          if ('env' in given) {
            const v = process.env[given.env];
            if (v === undefined)
              throw new UserError(`--secret id=${id},env=${given.env}: the environment variable is not set`);
            content = Buffer.from(v, 'utf8');
          } else {
            try {
              content = readFileSync(given.file);
            } catch {
              throw new UserError(`--secret id=${id}: cannot read ${given.file}`);
            }
          }
          mounts.push({
            type: 'secret',
            target,
            content,
            ...(m.mode !== undefined ? { mode: m.mode } : {}),
            ...(m.uid !== undefined ? { uid: m.uid } : {}),
            ...(m.gid !== undefined ? { gid: m.gid } : {}),
          });
          break;
        }
        case 'ssh':
          if (m.required) throw new UserError('RUN --mount=type=ssh is not supported by scannable build');
          break;
      }
    }
    if (op.scriptFile) {
      const dir = this.tempDir();
      const f = path.join(dir, op.scriptFile.name);
      writeFileSync(f, op.scriptFile.content, { mode: 0o755 });
      mounts.push({ type: 'bind', source: f, target: `/dev/pipes/${op.scriptFile.name}`, readOnly: true });
    }
    const cmd =
      op.command.form === 'exec' ? op.command.argv : [...(st.cfg.config.Shell ?? op.shell), op.command.script];
    if (cmd.length === 0) throw new UserError('RUN has no command');
    const network = op.network === 'default' ? (this.req.network ?? 'default') : op.network;
    const spec: Partial<ContainerSpec> = {
      cmd,
      entrypoint: [],
      env: withProxyArgs(runEnv(st.cfg), this.req.buildArgs),
      ...(st.cfg.config.User ? { user: st.cfg.config.User } : {}),
      ...(st.cfg.config.WorkingDir ? { workingDir: st.cfg.config.WorkingDir } : {}),
      networkMode: network,
      mounts,
    };
    const intents = intentsForTracking(op);
    const archiveMembers = await this.archiveMembersFor(st, intents);
    return {
      spec,
      inputKey: [cmd, network, op.mounts, op.scriptFile?.content],
      intents,
      ...(archiveMembers.size ? { archiveMembers } : {}),
    };
  }

  /** Members of the context archives a RUN unpacks, to attribute exactly the files that came from them. */
  private async archiveMembersFor(st: StageState, intents: StepIntents): Promise<Map<string, Set<string>>> {
    const out = new Map<string, Set<string>>();
    for (const x of intents.extracts) {
      if (!x.archive) continue;
      for (const step of [...st.trace.steps].reverse()) {
        for (const [dest, src] of step.placed ?? []) {
          if (src.kind !== 'context' || src.member || !globLike(x.archive, dest)) continue;
          const key = `context:${src.path}`;
          if (out.has(key)) continue;
          try {
            const data = readFileSync(path.join(this.ctx.root, src.path));
            const listing = await readArchive(data, src.path);
            if (listing)
              out.set(key, new Set(listing.members.map((m) => m.name.replace(/^\.\//, '').replace(/\/$/, ''))));
          } catch {
            // Unreadable: the tracker then attributes everything under the destination.
          }
        }
      }
    }
    return out;
  }

  private layerDirsUsable(): boolean {
    return (
      this.req.readLayerDirs !== false &&
      process.env.SCANNABLE_SNAPSHOT_READ !== 'export' &&
      this.engine.localLayerDirs !== undefined
    );
  }

  /**
   * A stage's root image, as the stack of its layers, with every file it
   * shows hashed; read once per build, shared by stages with the same root.
   * From the engine's storage when its layers can be read there, opaque
   * directories included (getfattr; overlay keeps them in an xattr Node
   * cannot read, and the bottom layer needs none): no export, whose tar the
   * engine writes while the stage's first RUN needs the CPU. An export would
   * also show the container's init layer (/.dockerenv, an empty /etc/hosts
   * and /etc/hostname), which is not in the image. Otherwise exported.
   */
  private rootSnapshot(image: string): Promise<Array<LayerView & { close?(): void }>> {
    let read = this.rootReads.get(image);
    if (!read) {
      read = (async () => {
        const fromStorage = await this.rootFromStorage(image);
        if (fromStorage) return fromStorage;
        return [
          await TarSnapshotFs.fromStream(await this.engine.readImage(image, undefined, this.buildId), {
            hashAll: true,
          }),
        ];
      })();
      read.catch(() => undefined); // reported where it is awaited
      this.rootReads.set(image, read);
    }
    return read;
  }

  /**
   * Catalogs a root read from storage, once, on the main thread while a long
   * RUN keeps it idle: the tracker's catalog of the stage then reuses what the
   * root's files parsed to (about two thirds of its time on a Debian base).
   */
  private warmCatalog(image: string): void {
    if (this.warmed.has(image)) return;
    this.warmed.add(image);
    Promise.all([this.rootSnapshot(image), trackerModule()]).then(
      ([views, { warmCatalog }]) => {
        // Once the steps are done, the tracker catalogs at once: warming first would only delay it.
        if (this.stepsDone || !views.every((v) => v instanceof LayerDirView)) return;
        try {
          warmCatalog(new LayeredFs(views));
        } catch {
          // Only a head start: the tracker's own catalog meets the same problem and reports it.
        }
      },
      () => undefined, // reported where the root is needed
    );
  }

  private async rootFromStorage(image: string): Promise<LayerDirView[] | undefined> {
    const dirs = await this.engine.localLayerDirs?.(image);
    if (!dirs?.length) return undefined;
    // A base image's layers are the same from build to build: each is read, hashed and cataloged once per installation.
    const diffIds = (await this.engine.inspectImage(image))?.layers;
    const byDiffId = diffIds?.length === dirs.length ? diffIds : undefined;
    const code = codeFingerprint();
    const stamps = dirs.map((d) => {
      try {
        return dirStamp(d);
      } catch {
        return undefined;
      }
    });
    const records = dirs.map((d, i) => {
      // Only base-image layers are given records (see below): no other is looked for.
      const rec = byDiffId && this.baseLayers.has(byDiffId[i]!) ? this.cache.getLayerRecord(byDiffId[i]!) : undefined;
      return rec && rec.dir === d && stamps[i] !== undefined && rec.stamp === stamps[i] ? rec : undefined;
    });
    const opaque = await Promise.all(dirs.map((d, i) => (i === 0 ? [] : (records[i]?.opaqueDirs ?? opaqueDirsOf(d)))));
    if (opaque.some((o) => o === undefined)) return undefined;
    const views = dirs.map((d, i) =>
      records[i] ? LayerDirView.fromRecord(records[i]!, code) : LayerDirView.read(d).withOpaqueDirs(opaque[i]!),
    );
    // Only what the image shows is hashed: a file a later layer replaced or deleted never reaches the SBOM.
    const shown = new LayeredFs(views);
    const visible = views.map(() => new Set<string>());
    for (const e of shown.entries()) if (e.kind === 'file') visible[shown.layerOf(e.path)!]!.add(e.path);
    await Promise.all(views.map((v, i) => v.hashAll((p) => visible[i]!.has(p))));
    byDiffId?.forEach((diffId, i) => {
      const stamp = stamps[i];
      // A stage started from another one has that stage's layers too: new ones in every cold build, never read again.
      if (stamp === undefined || !this.baseLayers.has(diffId) || this.layerRecords.some((r) => r.diffId === diffId))
        return;
      const view = views[i]!;
      const loaded = records[i] && records[i]!.code === code ? view.knowledge : undefined;
      this.layerRecords.push({ diffId, stamp, view, visible: visible[i]!, loaded });
    });
    return views;
  }

  /**
   * Keeps the base layers read this build for the next one (see
   * StepCache.getLayerRecord), where it learnt something: a layer read for the
   * first time, files hashed or parsed that the record lacked.
   */
  private keepLayerRecords(): void {
    const code = codeFingerprint();
    for (const r of this.layerRecords.splice(0)) {
      const now = r.view.knowledge;
      if (r.loaded && now.hashes <= r.loaded.hashes && now.derived <= r.loaded.derived) continue;
      this.cache.putLayerRecord(
        r.diffId,
        r.view.toRecord(r.stamp, code, (p) => r.visible.has(p)),
      );
    }
  }

  /**
   * Reads a layer this build committed while the next steps run; the
   * target's files are hashed too (all of them go into the SBOM). With
   * `opaque`, the layer's opaque directories are read as well (a RUN's
   * layer: `rm -rf d && mkdir d` makes one). Resolves to whether the layer
   * was read with everything its changes can be told from, or whether the
   * step added no layer at all (the engine adds none for an empty change).
   * `written`: hashes of the step's files taken while it ran.
   */
  private prefetchLayer(
    snapshot: string,
    parent: string,
    hash: boolean,
    opaque: boolean,
    written?: Promise<ReadonlyMap<string, KnownHash> | undefined>,
  ): Promise<'complete' | 'unreadable' | 'no layer'> {
    const layers = Promise.all([this.engine.localLayerDirs?.(snapshot), this.engine.localLayerDirs?.(parent)]);
    const walked = (async () => {
      const [dirs, below] = await layers;
      const top = dirs?.[dirs.length - 1];
      if (!top || !below || dirs!.length === below.length) return undefined;
      const opaqueDirs = opaque ? opaqueDirsOf(top) : undefined;
      const view = LayerDirView.read(top);
      if (!opaqueDirs) return { view, complete: true };
      const found = await opaqueDirs;
      return found ? { view: view.withOpaqueDirs(found), complete: true } : { view, complete: false };
    })();
    const read = walked.then(async (w) => {
      if (w && hash) {
        // What the step's container wrote was hashed while it ran; the layer is a copy of it.
        const known = await written?.catch(() => undefined);
        if (known) w.view.seedHashes(known);
        await w.view.hashAll();
      }
      return w?.view;
    });
    read.catch(() => undefined); // a failed read is done again where it is needed
    this.layerReads.set(snapshot, read);
    return walked.then(
      async (w) => {
        if (w) return w.complete ? 'complete' : 'unreadable';
        const [dirs, below] = await layers;
        return dirs && below && dirs.length === below.length ? 'no layer' : 'unreadable';
      },
      () => 'unreadable' as const,
    );
  }

  /**
   * A finished stage's file system from the layers already read, for COPY
   * --from: its steps' changes() answered long ago in a multi-stage build, and
   * its root image was read while its RUN steps ran (the tracker needs that
   * read anyway). Undefined when the root was never read (a stage without a
   * RUN) or anything fails: the engine's archive API then serves the copy.
   */
  private async finishedStageFs(st: StageState): Promise<SnapshotFs | undefined> {
    if (!this.layerDirsUsable() || !this.rootReads.has(st.root)) return undefined;
    try {
      await Promise.all(st.layers.map((l) => this.changesOf.get(l.snapshot)));
      return await this.layeredSnapshot(st);
    } catch {
      return undefined; // the tracker meets it again and reports it, naming the step
    }
  }

  /**
   * A stage's final file system as its root image plus the layers this build
   * put on it, those read from the engine's storage on this machine: the
   * bytes a build adds are read once, and the root was read while the steps
   * ran. Undefined when the layers are not readable here (a remote or rootless
   * engine, another storage driver); the caller then exports the image.
   */
  private async layeredSnapshot(st: StageState): Promise<SnapshotFs | undefined> {
    if (!this.layerDirsUsable()) return undefined;
    try {
      return await this.stackLayers(st);
    } catch (e) {
      // The engine's storage changed under us (or cannot be read after all): the API still can.
      if (e instanceof UserError || (e as NodeJS.ErrnoException).code === undefined) throw e;
      return undefined;
    }
  }

  /** Steps whose stage was not stacked from its layers (it was exported): their layers alone say what they changed. */
  private async fillFromLayersAlone(): Promise<void> {
    const pending = [...this.unaskedChanges.values()];
    this.unaskedChanges.clear();
    const failure = (await Promise.allSettled(pending.map((p) => p.alone()))).find((r) => r.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private async stackLayers(st: StageState): Promise<SnapshotFs | undefined> {
    const [all, below] = await Promise.all([
      this.engine.localLayerDirs?.(st.image),
      this.engine.localLayerDirs?.(st.root),
    ]);
    if (!all || !below || below.some((d, i) => all[i] !== d)) return undefined;
    const byDir = new Map<string, { read?: LayerDirView; deleted: string[]; snapshot: string }>();
    for (const layer of st.layers) {
      const read = await this.layerReads.get(layer.snapshot)?.catch(() => undefined);
      const dirs = read ? undefined : await this.engine.localLayerDirs?.(layer.snapshot);
      const top = read?.dir ?? dirs?.[dirs.length - 1];
      // A step that changed nothing added no layer: the directory on top is its parent's.
      if (top && !byDir.has(top))
        byDir.set(top, { ...(read ? { read } : {}), deleted: layer.deleted, snapshot: layer.snapshot });
    }
    const views: LayerView[] = [];
    const snapshots: Array<string | undefined> = [];
    for (const dir of all.slice(below.length)) {
      const known = byDir.get(dir);
      // A layer no step accounts for (a config-only commit) must be empty: its deletions would be unknown.
      if (!known && readdirSync(dir).length > 0) return undefined;
      views.push(known?.read ? known.read.withDeleted(known.deleted) : LayerDirView.read(dir, known?.deleted ?? []));
      snapshots.push(known?.snapshot);
    }
    const roots = await this.rootSnapshot(st.root);
    const fs = new LayeredFs([...roots, ...views]);
    snapshots.forEach((snapshot, i) => {
      const unasked = snapshot === undefined ? undefined : this.unaskedChanges.get(snapshot);
      if (!unasked) return;
      this.unaskedChanges.delete(snapshot!);
      unasked.fromLayers(fs.changes[roots.length + i]!);
    });
    return fs;
  }

  /**
   * The final image and the stages copied from, read and tracked. `snapshots`
   * are the stages' images with their files final; the target's config
   * commit (`configured`) may still be under way, and is awaited before the
   * image's own record is made.
   */
  private async track(
    plan: Plan,
    target: StageState,
    dockerfileText: string,
    snapshots: ReadonlyMap<number, string>,
    configured: Promise<void>,
  ): Promise<Provenance> {
    const needFs = this.needFs;
    const opened: SnapshotFs[] = [];
    // The tracker's result depends only on the snapshots and the steps that made them.
    const trackKey = digest({
      track: TRACK_VERSION,
      stages: [...this.stages.values()].map((s) => [
        s.stage.index,
        snapshots.get(s.stage.index),
        s.baseRecord,
        s.trace.steps.map((t) => [
          t.ref,
          t.op,
          t.intents,
          t.placed ? [...t.placed] : null,
          t.archiveMembers ? [...t.archiveMembers].map(([k, v]) => [k, [...v]]) : null,
        ]),
      ]),
      target: plan.target,
    });
    this.trackKey = trackKey;
    try {
      let r = this.cache.getTrack(trackKey);
      if (!r) {
        for (const idx of needFs) {
          const st = this.stages.get(idx);
          if (!st) continue;
          let fs = await this.layeredSnapshot(st);
          if (!fs) {
            // Every file of the target is hashed for the SBOM; other stages only for what is copied out of them.
            const exported = await TarSnapshotFs.fromStream(
              await this.engine.readImage(snapshots.get(idx) ?? st.image, undefined, this.buildId),
              { hashAll: idx === plan.target },
            );
            opened.push(exported);
            fs = exported;
          }
          phase(`read stage ${idx}`);
          st.trace.fs = fs;
        }
        await this.fillFromLayersAlone();
        const { Tracker } = await trackerModule();
        const tracker = new Tracker(
          [...this.stages.values()].sort((a, b) => a.stage.index - b.stage.index).map((s) => s.trace),
        );
        r = tracker.result(plan.target);
        phase('tracker');
        // Kept for the next build once this one has nothing more urgent to do.
        const result = r;
        const keep = () => this.cache.putTrack(trackKey, result);
        if (this.req.later) this.req.later(keep);
        else setImmediate(keep);
      }
      // With the result cached, the steps still need their changes for the step cache.
      await this.fillFromLayersAlone();
      for (const s of this.steps) {
        const ob = r.observed.get(s.step.id);
        if (ob) s.observed = ob;
      }
      await configured;
      const info = await this.engine.inspectImage(target.image);
      const created =
        this.req.sourceDateEpoch !== undefined
          ? new Date(this.req.sourceDateEpoch * 1000).toISOString()
          : new Date().toISOString();
      const tracked = r;
      const provenance: Provenance = {
        tool: TOOL,
        created,
        dockerfile: {
          path: path.relative(path.resolve(this.req.context), path.resolve(this.req.dockerfile)) || this.req.dockerfile,
          sha256: sha256(dockerfileText),
        },
        image: {
          id: target.image,
          tags: this.req.tags,
          config: target.cfg.config,
          os: info?.os ?? plan.platform.os,
          architecture: info?.architecture ?? plan.platform.architecture,
          layers: info?.layers ?? [],
        },
        stages: plan.stages.map((s) => ({
          index: s.index,
          ...(s.name ? { name: s.name } : {}),
          base: this.stages.get(s.index)!.baseRecord,
          target: s.index === plan.target,
        })),
        steps: this.steps,
        // Read from the cached result when first asked for (see StepCache.getTrack); in place, so the order stays.
        packages: undefined as never,
        buildPackages: undefined as never,
        files: undefined as never,
        coverage: undefined as never,
        problems: r.problems,
      };
      lazyField(provenance, 'packages', () => tracked.packages);
      lazyField(provenance, 'buildPackages', () => tracked.buildPackages);
      lazyField(provenance, 'files', () => tracked.files);
      lazyField(provenance, 'coverage', () => computeCoverage(tracked.files));
      return provenance;
    } finally {
      for (const fs of opened) (fs as TarSnapshotFs).close();
    }
  }
}

interface Prepared {
  /** Enough for the cache key only: prepare again (final) before running. */
  partial?: boolean;
  spec: Partial<ContainerSpec>;
  tar?: Buffer | Readable | undefined;
  placed?: Map<string, PlacedSource>;
  archiveMembers?: Map<string, Set<string>>;
  intents?: StepIntents;
  inputKey: unknown;
}

/**
 * What one layer changed, told from the layer by itself (no layers below to
 * compare with): what it deletes (whiteouts; an opaque directory and all
 * below it), then everything it holds, as added. The tracker needs no more.
 */
function changesOfLayerAlone(view: LayerDirView): LayerChange[] {
  return [
    ...[...view.deleted, ...view.opaqueDirs].map((path) => ({ path, kind: 'deleted' as const })),
    ...[...view.entries()].filter((e) => e.path !== '/').map((e) => ({ path: e.path, kind: 'added' as const })),
  ];
}

/**
 * The tracker and its catalogers, loaded when first needed: a rebuild served
 * from the cache (its tracking result kept) never needs them, and a cold
 * build loads them while its first RUN runs.
 */
let trackerLoad: Promise<typeof import('../track/tracker.js')> | undefined;
const trackerModule = () => (trackerLoad ??= import('../track/tracker.js'));

function changeCounts(changes: ReadonlyArray<{ kind: string }>): StepRecord['changes'] {
  const count = (k: string) => changes.filter((c) => c.kind === k).length;
  return { added: count('added'), modified: count('modified'), deleted: count('deleted') };
}

function deletedPaths(changes: ReadonlyArray<{ path: string; kind: string }>): string[] {
  return changes.filter((c) => c.kind === 'deleted').map((c) => c.path);
}

function fromStageOf(op: Op): { fromStage?: number } {
  return op.kind === 'copy' && op.from.kind === 'stage' ? { fromStage: op.from.stage } : {};
}

/** The parts of an op that decide its result (ids and ranges do not). */
function opKey(op: Op): unknown {
  const { id, range, verdict, inputs, ...rest } = op as Op & { analysis?: unknown };
  void id;
  void range;
  void verdict;
  void inputs;
  delete (rest as { analysis?: unknown }).analysis;
  return rest;
}

function placedSource(
  m: ManifestEntry,
  stageSource: { stage: number } | undefined,
  imageSource: { ref: string; imageId: string } | undefined,
): PlacedSource | undefined {
  if (m.kind === 'dir') return undefined;
  const s = m.source;
  if (s.kind === 'created') return undefined;
  if (stageSource)
    return { kind: 'stage', stage: stageSource.stage, path: '/' + (s.kind === 'context' ? s.path : s.archive) };
  if (imageSource)
    return {
      kind: 'image',
      ref: imageSource.ref,
      imageId: imageSource.imageId,
      path: '/' + (s.kind === 'context' ? s.path : s.archive),
    };
  if (s.kind === 'context') return { kind: 'context', path: s.path, sha256: m.sha256 ?? '' };
  return { kind: 'context', path: s.archive, sha256: s.archiveSha256, member: s.member };
}

function globLike(pattern: string, p: string): boolean {
  let re = '^';
  for (const ch of pattern) re += ch === '*' ? '[^/]*' : ch === '?' ? '[^/]' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(re + '$').test(p);
}

async function streamToBuffer(s: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Appends inline (heredoc) files to a tar (a buffer, or a copy's stream). */
async function appendInline(
  existing: Buffer | Readable,
  files: Array<{ name: string; content: string }>,
  dest: string,
  mtime: number,
): Promise<Buffer> {
  const pack = tar.pack();
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      stream.pipe(pack.entry(header, next));
    });
    extract.on('finish', () => resolve());
    extract.on('error', reject);
  });
  (Buffer.isBuffer(existing) ? Readable.from([existing]) : existing).pipe(extract);
  await done;
  for (const f of files) {
    const target = normalizePath(dest.endsWith('/') ? dest + f.name : dest);
    let cur = '';
    for (const seg of path.posix.dirname(target).split('/').filter(Boolean)) {
      cur += '/' + seg;
      pack.entry({ name: cur.slice(1), type: 'directory', mode: 0o755, mtime: new Date(mtime * 1000) });
    }
    pack.entry({ name: target.slice(1), mode: 0o644, mtime: new Date(mtime * 1000) }, Buffer.from(f.content, 'utf8'));
  }
  pack.finalize();
  return streamToBuffer(pack);
}

/** Extracts a tar stream into a directory (as the engine's archive API hands it out). */
async function extractTar(stream: NodeJS.ReadableStream, dir: string): Promise<void> {
  const { execFile } = await import('node:child_process');
  await new Promise<void>((resolve, reject) => {
    let streamError: Error | undefined;
    const child = execFile('tar', ['-x', '-C', dir, '--same-owner', '-p'], (err) =>
      streamError
        ? reject(
            streamError instanceof UserError
              ? streamError
              : new UserError(`cannot read files from the image: ${streamError.message}`),
          )
        : err
          ? reject(new UserError(`cannot unpack files from the image: ${err.message}`))
          : resolve(),
    );
    // A broken stream from the engine must end tar too, or it waits for input forever.
    (stream as Readable).on('error', (e: Error) => {
      streamError = e;
      child.stdin?.destroy();
      child.kill();
    });
    child.stdin?.on('error', () => undefined);
    (stream as Readable).pipe(child.stdin!);
  });
}

function readDockerfile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read the Dockerfile ${file}: ${code === 'ENOENT' ? 'no such file' : String(code)}`, 2);
  }
}

export async function build(req: BuildRequest): Promise<BuildOutcome> {
  return new Builder(req).run();
}
