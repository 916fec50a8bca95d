/**
 * An image built elsewhere, traced like a build: each layer is a step whose
 * changes are the layer's entries (whiteouts as deletions), the base image's
 * layers are the base, and — with the Dockerfile — each layer is the
 * instruction whose history entry produced it. The tracker then gives every
 * file one origin and every package the step (line) that installed it, and
 * the result is the same `Provenance` a build produces.
 */
import { createHash } from 'node:crypto';
import { UserError } from '../common/diagnostics.js';
import type { Engine, ImageHistoryEntry, ImageInfo } from '../engine/types.js';
import { EngineUnreachableError } from '../engine/types.js';
import type { VerdictLevel } from '../lower/types.js';
import {
  computeCoverage,
  type PackageRecord,
  type Provenance,
  type StageRecord,
  type StepRecord,
  type StepRef,
} from '../track/provenance.js';
import { installMarker, Tracker, type PlacedSource, type StageTrace, type TracedStep } from '../track/tracker.js';
import type { ImageArchive } from './archive.js';
import type { ContextMatcher } from './context-match.js';
import { stepRefOf, type DockerfileChain } from './dockerfile.js';
import {
  alignHistory,
  layersOfHistory,
  parseCreatedBy,
  type Builder,
  type ExpectedOp,
  type ParsedHistory,
  type Strength,
} from './history.js';
import type { LayerIndex } from '../snapshot/layer-index.js';
import { LayeredFs } from '../snapshot/layered-fs.js';

export interface TraceOptions {
  archive: ImageArchive;
  /** How the user named the image (a ref or a tarball path). */
  label: string;
  tags: string[];
  dockerfile?: DockerfileChain;
  context?: ContextMatcher;
  /** To look up the Dockerfile's base image (optional: without it the base is found from the history). */
  engine?: Engine;
  tool: { name: string; version: string };
}

/** How the image's layers were told apart and tied to the Dockerfile. */
export interface HistoryMapping {
  builder: Builder;
  base: {
    ref?: string;
    imageId?: string;
    /** Layers and history entries that belong to the base image. */
    layers: number;
    history: number;
    /** How the base was delimited. */
    how: 'local image' | 'history' | 'none';
  };
  steps: Array<{ history?: number; layer?: number; step: StepRef; strength?: Strength; createdBy?: string }>;
  /** History entries no Dockerfile instruction accounts for. */
  unmatchedHistory: Array<{ history: number; layer?: number; createdBy: string }>;
  /** Instructions the history does not record. */
  unmatchedOps: StepRef[];
}

export interface TraceResult {
  provenance: Provenance;
  mapping: HistoryMapping;
  /** What could not be tied to its source, in words. */
  notes: string[];
}

const OP_OF: Record<string, TracedStep['op']> = { RUN: 'exec', COPY: 'copy', ADD: 'copy', WORKDIR: 'mkdir' };

/** OCI chain id of a stack of layers: identifies a base image's file system when its image id is unknown. */
export function chainId(diffIds: readonly string[]): string {
  let id = diffIds[0] ?? '';
  for (const d of diffIds.slice(1)) id = `sha256:${createHash('sha256').update(`${id} ${d}`).digest('hex')}`;
  return id;
}

function historyOf(archive: ImageArchive): ImageHistoryEntry[] {
  return (archive.config.history ?? []).map((h) => ({
    ...(h.created ? { created: h.created } : {}),
    ...(h.created_by ? { createdBy: h.created_by } : {}),
    ...(h.comment ? { comment: h.comment } : {}),
    emptyLayer: h.empty_layer === true,
  }));
}

async function lookupBase(engine: Engine | undefined, ref: string): Promise<ImageInfo | undefined> {
  if (!engine) return undefined;
  try {
    return await engine.inspectImage(ref);
  } catch (e) {
    // A tarball can be read without an engine; the history then delimits the base.
    if (e instanceof EngineUnreachableError) return undefined;
    throw e;
  }
}

interface PlannedStep {
  ref: StepRef;
  op: TracedStep['op'];
  stage: number;
  layer?: number;
  history?: number;
  expected?: ExpectedOp;
  strength?: Strength;
  createdBy?: string;
}

function timeOf(h: ImageHistoryEntry | undefined): number | undefined {
  const t = h?.created ? Date.parse(h.created) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

export async function traceImage(o: TraceOptions): Promise<TraceResult> {
  const { archive, dockerfile: df } = o;
  const notes: string[] = [];
  const diffIds = archive.layers.map((l) => l.diffId);
  const history = historyOf(archive);
  const parsed: ParsedHistory[] = history.map((h) => parseCreatedBy(h.createdBy));
  const layerOf = layersOfHistory(history, archive.layers.length);
  if (!layerOf)
    notes.push(
      `the image history records ${history.filter((h) => !h.emptyLayer).length} layers but the image has ${archive.layers.length}: layers are not tied to history entries`,
    );
  const builder: Builder = parsed.find((p) => p.builder !== 'unknown')?.builder ?? 'unknown';

  // 1. The base: the FROM image's own layers when the engine has it and they are a prefix of ours.
  let base: HistoryMapping['base'] = { layers: 0, history: 0, how: 'none' };
  if (df?.root.kind === 'image') {
    const info = await lookupBase(o.engine, df.root.ref);
    if (info && info.layers.length <= diffIds.length && info.layers.every((d, i) => d === diffIds[i])) {
      let hist = info.history.length;
      // The base's history must account for exactly its layers in ours; else count entries up to its last layer.
      if (!layerOf || layerOf.slice(0, hist).filter((l) => l !== undefined).length !== info.layers.length) {
        hist = layerOf ? layerOf.findIndex((l) => l !== undefined && l >= info.layers.length) : 0;
        if (hist < 0) hist = history.length;
      }
      base = { ref: df.root.ref, imageId: info.id, layers: info.layers.length, history: hist, how: 'local image' };
    } else {
      if (info)
        notes.push(
          `the engine's ${df.root.ref} (${info.id.slice(7, 19)}) is not the base this image was built on (its layers differ); the base is delimited from the history`,
        );
      base = { ref: df.root.ref, layers: 0, history: 0, how: 'history' };
    }
  }

  // 2. History entries after the base, matched to the Dockerfile's instructions.
  const planned: PlannedStep[] = [];
  const mapping: HistoryMapping = { builder, base, steps: [], unmatchedHistory: [], unmatchedOps: [] };
  const targetStage = df ? df.plan.target : 0;
  const generic = (h: number, stage: number): PlannedStep => {
    const layer = layerOf?.[h];
    const createdBy = history[h]!.createdBy ?? '';
    return {
      ref: {
        id: `layer${layer ?? `-h${h}`}`,
        stage,
        line: 0,
        endLine: 0,
        instruction: createdBy || `(layer ${layer} has no history)`,
      },
      op: OP_OF[parsed[h]!.keyword] ?? 'exec',
      stage,
      ...(layer !== undefined ? { layer } : {}),
      history: h,
      createdBy,
    };
  };
  if (df && layerOf) {
    const start = base.how === 'local image' ? base.history : 0;
    const events = alignHistory(parsed.slice(start), df.expected);
    // An instruction keyword alone proves little; at least one entry must match an instruction's content.
    if (
      history.length > start &&
      df.expected.length &&
      !events.some((e) => e.kind === 'match' && e.strength === 'strong')
    ) {
      const shown = history
        .slice(-4)
        .map((h) => JSON.stringify(h.createdBy ?? ''))
        .join(', ');
      throw new UserError(
        `no history entry of ${o.label} matches an instruction of ${df.path}: was it built from this Dockerfile? (last history entries: ${shown})`,
      );
    }
    if (base.how === 'history') {
      const first = events.find((e) => e.kind === 'match');
      if (!first || first.kind !== 'match') throw new Error('internal: a strong match was found above');
      base.history = first.history;
      base.layers = layerOf.slice(0, first.history).filter((l) => l !== undefined).length;
      base.imageId = chainId(diffIds.slice(0, base.layers));
      notes.push(
        `base image ${base.ref} is not in the engine: its ${base.layers} layer(s) were told apart by the history and are identified by their chain id`,
      );
    }
    let stage = df.chain[0]?.index ?? targetStage;
    for (const ev of events) {
      if (ev.kind === 'match') {
        const e = df.expected[ev.op]!;
        stage = e.stage;
        const h = ev.history + start;
        if (h < base.history) continue;
        const layer = layerOf[h];
        planned.push({
          ref: stepRefOf(e),
          op: e.op.kind,
          stage,
          ...(layer !== undefined ? { layer } : {}),
          history: h,
          expected: e,
          strength: ev.strength,
          createdBy: history[h]!.createdBy ?? '',
        });
      } else if (ev.kind === 'history') {
        const h = ev.history + start;
        if (h < base.history) continue;
        mapping.unmatchedHistory.push({
          history: h,
          ...(layerOf[h] !== undefined ? { layer: layerOf[h] } : {}),
          createdBy: history[h]!.createdBy ?? '',
        });
        if (layerOf[h] !== undefined) planned.push(generic(h, stage));
      } else {
        const e = df.expected[ev.op]!;
        stage = e.stage;
        mapping.unmatchedOps.push(stepRefOf(e));
        planned.push({ ref: stepRefOf(e), op: e.op.kind, stage, expected: e });
      }
    }
  } else {
    // No Dockerfile (or no usable history): every layer after a known base is a step of its own.
    for (let h = 0; h < history.length; h++)
      if (layerOf?.[h] !== undefined && layerOf[h]! >= base.layers) planned.push(generic(h, targetStage));
    if (!layerOf) {
      for (let i = base.layers; i < archive.layers.length; i++) {
        planned.push({
          ref: { id: `layer${i}`, stage: targetStage, line: 0, endLine: 0, instruction: `layer ${i}` },
          op: 'exec',
          stage: targetStage,
          layer: i,
        });
      }
    }
  }
  for (const p of planned) {
    if (p.layer !== undefined || p.history !== undefined) {
      mapping.steps.push({
        ...(p.history !== undefined ? { history: p.history } : {}),
        ...(p.layer !== undefined ? { layer: p.layer } : {}),
        step: p.ref,
        ...(p.strength ? { strength: p.strength } : {}),
        ...(p.createdBy !== undefined ? { createdBy: p.createdBy } : {}),
      });
    }
  }
  if (mapping.unmatchedHistory.length) {
    notes.push(
      `${mapping.unmatchedHistory.length} history entr${mapping.unmatchedHistory.length === 1 ? 'y' : 'ies'} after the base match no instruction: ` +
        mapping.unmatchedHistory.map((u) => JSON.stringify(u.createdBy.slice(0, 100))).join(', '),
    );
  }
  const silent = mapping.unmatchedOps.filter((r) => !/^ARG\b/i.test(r.instruction));
  if (silent.length)
    notes.push(
      `instructions the image history does not record: ${silent.map((r) => `line ${r.line} (${r.instruction.slice(0, 60)})`).join(', ')}`,
    );

  // 3. Layers stacked: the final file system, and what each layer changed.
  const layerFs = archive.layers.map((l) => l.fs);
  const fs = new LayeredFs(layerFs);

  // 4. Traced steps, with the context files copy layers placed.
  const traced = new Map<PlannedStep, TracedStep>();
  for (const p of planned) {
    const step: TracedStep = { ref: p.ref, op: p.op, changes: p.layer !== undefined ? fs.changes[p.layer]! : [] };
    traced.set(p, step);
    if (p.layer === undefined || !o.context) continue;
    const placed = await placedByLayer(o.context, p, archive, layerFs, builder, notes);
    if (placed?.size) step.placed = placed;
  }

  // 5. Stages: the chain from the root image to the target, each with its steps.
  const stageIds = df ? df.chain.map((s) => s.index) : [targetStage];
  const rootBase: StageRecord['base'] =
    base.ref !== undefined && base.imageId !== undefined
      ? { kind: 'image', ref: base.ref, imageId: base.imageId }
      : { kind: 'scratch' };
  const traces: StageTrace[] = stageIds.map((index, k) => ({
    index,
    ...(df?.ir.stages[index]?.name ? { name: df.ir.stages[index]!.name! } : {}),
    base: k === 0 ? rootBase : { kind: 'stage', stage: stageIds[k - 1]! },
    steps: planned.filter((p) => p.stage === index).map((p) => traced.get(p)!),
    ...(index === targetStage ? { fs } : {}),
  }));
  const tracker = new Tracker(traces);
  const r = tracker.result(targetStage, { hashIdentified: false });

  // 6. Provenance: packages with the layer that installed them, steps with their layers.
  const packages: PackageRecord[] = r.packages.map((rec) => {
    const layer = installMarker(rec.package)
      .map((m) => fs.layerOf(m))
      .find((l) => l !== undefined);
    return layer !== undefined ? { ...rec, layer: diffIds[layer]! } : rec;
  });
  const steps: StepRecord[] = planned.map((p, k) => {
    const changes = { added: 0, modified: 0, deleted: 0 };
    for (const c of traced.get(p)!.changes) changes[c.kind]++;
    const prev = k > 0 ? planned[k - 1] : undefined;
    const t0 = timeOf(prev?.history !== undefined ? history[prev.history] : undefined);
    const t1 = timeOf(p.history !== undefined ? history[p.history] : undefined);
    const predicted: VerdictLevel = p.expected?.op.verdict.level ?? 'partial';
    return {
      step: p.ref,
      op: p.op,
      cached: false,
      durationMs: t0 !== undefined && t1 !== undefined && t1 >= t0 ? t1 - t0 : 0,
      changes,
      predicted,
      observed: r.observed.get(p.ref.id) ?? { files: 0, unattributed: 0 },
      snapshot: '',
      ...(p.layer !== undefined ? { layer: diffIds[p.layer]! } : {}),
      ...(p.expected?.op.kind === 'copy' &&
      p.expected.op.from.kind === 'stage' &&
      stageIds.includes(p.expected.op.from.stage)
        ? { fromStage: p.expected.op.from.stage }
        : {}),
    };
  });
  // Only the stages the image is made of: other stages (read through COPY --from) left nothing else in it.
  const stages: StageRecord[] = stageIds.map((index, k) => {
    const from = df?.from.get(index);
    return {
      index,
      ...(df?.ir.stages[index]?.name ? { name: df.ir.stages[index]!.name! } : {}),
      base: k === 0 ? rootBase : { kind: 'stage', stage: stageIds[k - 1]! },
      target: index === targetStage,
      ...(from ? { from } : {}),
    };
  });

  const epoch = process.env.SOURCE_DATE_EPOCH;
  const created =
    epoch && /^\d+$/.test(epoch)
      ? new Date(Number(epoch) * 1000).toISOString()
      : (archive.config.created ?? new Date(0).toISOString());
  const provenance: Provenance = {
    tool: o.tool,
    created: new Date(created).toISOString(),
    dockerfile: df ? { path: df.path, sha256: df.sha256 } : { path: '', sha256: '' },
    image: {
      id: archive.id,
      tags: o.tags,
      config: archive.config.config ?? {},
      os: archive.config.os ?? '',
      architecture: archive.config.architecture ?? '',
      layers: diffIds,
    },
    stages,
    steps,
    packages,
    buildPackages: r.buildPackages,
    files: r.files,
    coverage: computeCoverage(r.files),
    problems: r.problems,
  };
  return { provenance, mapping, notes };
}

/** Context files a copy layer placed, matched as precisely as the step allows. */
async function placedByLayer(
  context: ContextMatcher,
  p: PlannedStep,
  archive: ImageArchive,
  layers: LayerIndex[],
  builder: Builder,
  notes: string[],
): Promise<Map<string, PlacedSource> | undefined> {
  const layer = archive.layers[p.layer!]!.fs;
  const op = p.expected?.op;
  const where = p.ref.line > 0 ? `line ${p.ref.line} (${p.ref.instruction.slice(0, 60)})` : `layer ${p.layer}`;
  let match;
  if (op && (op.kind === 'extract' || (op.kind === 'copy' && op.from.kind === 'context'))) {
    match = await context.matchCopy(op, layer, new LayeredFs(layers, p.layer!), builder === 'legacy');
  } else if ((op?.kind === 'copy' && op.from.kind !== 'context') || (!op && p.op === 'copy')) {
    // A copy from a stage the image does not contain, or a layer without its Dockerfile: content is all there is to go on.
    match = await context.matchByContent(layer);
  } else return undefined;
  if (match.differs.length) {
    notes.push(
      `${where}: ${match.differs.length} file(s) differ from the context file the copy names (was the context changed since the build?): ${match.differs
        .slice(0, 5)
        .map((d) => `${d.path} <- ${d.source}`)
        .join(', ')}`,
    );
  }
  if (match.unmatched.length && !match.differs.length) {
    notes.push(
      `${where}: ${match.unmatched.length} file(s) match no context file: ${match.unmatched.slice(0, 5).join(', ')}${match.unmatched.length > 5 ? ', ...' : ''}`,
    );
  }
  return match.placed;
}
