/**
 * The build cache: a step is reused when its parent snapshot, the op and the
 * content of its inputs are the same as before — and its provenance record is
 * reused with it, so a cached rebuild yields the same SBOM.
 *
 * Records live in a directory (default <cache>/steps, see common/cache-dir.ts), one JSON file
 * per key, written atomically; the snapshot they name must still exist in the
 * engine, or the record is ignored. The tracker's results (a whole image's
 * files each) are kept in tracks/ below it, the most recently used few only.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { replaceFileAtomic } from '../common/atomic.js';
import { defaultCacheDir, keepNewest, markUsed } from '../common/cache-dir.js';
import { UserError } from '../common/diagnostics.js';
import { lazyField } from '../common/lazy-field.js';
import type { ChangeKind, PlacedSource, StepIntents, TrackResult } from '../track/tracker.js';
import type { LayerRecord } from '../snapshot/layer-dir.js';

export interface CachedStep {
  /** Format version: records from another version are ignored. */
  version: number;
  snapshot: string;
  /** The snapshot's intended config when it is a draft (`Engine.draftRecord`). */
  draft?: string;
  changes: Array<{ path: string; kind: ChangeKind }>;
  placed?: Array<[string, PlacedSource]>;
  archiveMembers?: Array<[string, string[]]>;
  intents?: StepIntents;
  durationMs: number;
}

export const CACHE_VERSION = 1;

/** How a tracker result is laid out in its file (the figures on a line, then files and packages). */
const TRACK_FORMAT = 2;

/** Tracker results kept (each is megabytes); the least recently used go first. */
export const KEEP_TRACKS = 32;

/** Base-image layers whose records are kept (a Debian base's is ~5 MB; see getLayerRecord), the most recently used. */
export const KEEP_LAYER_RECORDS = 16;

/** How a layer record is laid out. */
const LAYER_FORMAT = 1;

/** The step cache's directory inside scannable's cache. */
export function defaultStepCacheDir(): string {
  return path.join(defaultCacheDir(), 'steps');
}

/** A stable digest of a JSON-like value (object keys sorted). */
export function digest(value: unknown): string {
  const canon = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canon);
    if (v && typeof v === 'object' && !(v instanceof Buffer)) {
      return Object.fromEntries(
        Object.keys(v as object)
          .sort()
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return createHash('sha256')
    .update(JSON.stringify(canon(value)))
    .digest('hex');
}

export class StepCache {
  constructor(
    readonly dir: string,
    readonly enabled: boolean,
  ) {}

  private file(key: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  get(key: string): CachedStep | undefined {
    if (!this.enabled) return undefined;
    try {
      const rec = JSON.parse(readFileSync(this.file(key), 'utf8')) as CachedStep;
      return rec.version === CACHE_VERSION ? rec : undefined;
    } catch {
      return undefined;
    }
  }

  put(key: string, rec: Omit<CachedStep, 'version'>): void {
    this.write(this.file(key), JSON.stringify({ version: CACHE_VERSION, ...rec }));
  }

  /**
   * The tracker's result for a set of snapshots (maps stored as entry lists).
   * Its files and packages (megabytes: every file, license texts) are parsed
   * when first read: a rebuild whose SBOM comes from the memo reads only the
   * steps' figures (a JSON line of its own before them).
   */
  getTrack(key: string): TrackResult | undefined {
    if (!this.enabled) return undefined;
    const file = this.trackFile(key);
    let text: string;
    let head: {
      version: number;
      format: number;
      observed: Array<[string, { files: number; unattributed: number }]>;
      problems: TrackResult['problems'];
    };
    let lineEnd: number;
    try {
      text = readFileSync(file, 'utf8');
      lineEnd = text.indexOf('\n');
      if (lineEnd < 0) return undefined;
      head = JSON.parse(text.slice(0, lineEnd)) as typeof head;
      if (head.version !== CACHE_VERSION || head.format !== TRACK_FORMAT) return undefined;
    } catch {
      return undefined;
    }
    markUsed(file);
    let body: Pick<TrackResult, 'files' | 'packages' | 'buildPackages'> | undefined;
    const load = () => {
      try {
        return (body ??= JSON.parse(text.slice(lineEnd + 1)) as NonNullable<typeof body>);
      } catch (e) {
        throw new UserError(
          `the tracker result kept in ${file} cannot be read (${(e as Error).message}): remove it, or build with --no-cache`,
        );
      }
    };
    const result = { problems: head.problems, observed: new Map(head.observed) } as TrackResult;
    for (const k of ['files', 'packages', 'buildPackages'] as const) lazyField(result, k, () => load()[k]);
    return result;
  }

  /**
   * Keeps a tracker result (megabytes: every file of an image, every package
   * with its license texts), and cuts the kept ones down to the
   * `KEEP_TRACKS` most recently used.
   */
  putTrack(key: string, r: TrackResult): void {
    const first = !existsSync(path.join(this.dir, 'tracks'));
    const head = JSON.stringify({
      version: CACHE_VERSION,
      format: TRACK_FORMAT,
      observed: [...r.observed],
      problems: r.problems,
    });
    const body = JSON.stringify({ files: r.files, packages: r.packages, buildPackages: r.buildPackages });
    this.write(this.trackFile(key), `${head}\n${body}`);
    this.pruneTracks(first);
  }

  private trackFile(key: string): string {
    // JSON lines: the figures, then the files and packages (see getTrack).
    return path.join(this.dir, 'tracks', `${key}.jsonl`);
  }

  private pruneTracks(first: boolean): void {
    keepNewest(path.join(this.dir, 'tracks'), KEEP_TRACKS, '.jsonl');
    // Results in the earlier layout (one JSON document each) are never read again.
    keepNewest(path.join(this.dir, 'tracks'), 0, '.json');
    try {
      // Earlier versions kept these among the step records (track-<key>.json), never cut down:
      // removed when tracks/ is first made.
      if (first) {
        for (const sub of readdirSync(this.dir)) {
          if (!/^[0-9a-f]{2}$/.test(sub)) continue;
          for (const f of readdirSync(path.join(this.dir, sub)))
            if (f.startsWith('track-')) rmSync(path.join(this.dir, sub, f), { force: true });
        }
      }
    } catch {
      // Only disk space is lost.
    }
  }

  /**
   * A base layer as an earlier build read it (its listing, its files' sha256,
   * what the catalogers parsed from them), by the layer's diff id: the digest
   * of its content, so the same id means the same files. Read whether or not
   * the cache is enabled: it is no step's result, only facts about files that
   * cannot change, and reading, hashing and cataloging a Debian base's 5,000
   * files took most of a second of CPU in every cold build, while its first
   * RUN needed the cores. The caller checks that the directory is the same.
   */
  getLayerRecord(diffId: string): LayerRecord | undefined {
    try {
      const file = this.layerRecordFile(diffId);
      const raw = deserialize(readFileSync(file)) as {
        version: number;
        format: number;
        diffId: string;
        record: LayerRecord;
      };
      if (raw.version !== CACHE_VERSION || raw.format !== LAYER_FORMAT || raw.diffId !== diffId) return undefined;
      markUsed(file);
      return raw.record;
    } catch {
      return undefined;
    }
  }

  putLayerRecord(diffId: string, record: LayerRecord): void {
    let data: Buffer;
    try {
      // v8's format: the parsed values are kept exactly as they were (undefined, maps), and read fast.
      data = serialize({ version: CACHE_VERSION, format: LAYER_FORMAT, diffId, record });
    } catch {
      return; // a value that cannot be cloned: nothing is kept
    }
    const dir = path.join(this.dir, 'layers');
    this.write(this.layerRecordFile(diffId), data);
    keepNewest(dir, KEEP_LAYER_RECORDS, '.v8');
    // Hashes in the earlier layout (JSON, hashes only) are never read again.
    keepNewest(dir, 0, '.json');
  }

  private layerRecordFile(diffId: string): string {
    return path.join(this.dir, 'layers', `${diffId.replace(/^sha256:/, '')}.v8`);
  }

  /** Atomic: a concurrent build sees the old record or the new one, never half of one. */
  private write(file: string, data: string | Uint8Array): void {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      replaceFileAtomic(file, data);
    } catch {
      // A cache that cannot be written only costs speed.
    }
  }
}
