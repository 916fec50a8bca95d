/**
 * The SBOM of a rebuild served from the cache. Every step cached, the
 * provenance is the previous build's but for what the document does not show
 * (when it was made, which steps were cached), and so is the document: the
 * rendered JSON is kept by a digest of the provenance without those (and of
 * what else shapes the document), and handed out again with the new
 * metadata.timestamp put in. That skips loading the
 * CycloneDX library and rendering, a fifth of a cached rebuild.
 *
 * Only the last few documents are kept (each is megabytes). Anything that
 * does not read back exactly as written is a miss: the caller renders.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { replaceFileAtomic } from '../common/atomic.js';
import { keepNewest } from '../common/cache-dir.js';
import type { Provenance } from '../track/provenance.js';
import { timestampIn } from './timestamp.js';

/** Bumped when the document rendered from the same provenance changes (cyclonedx.ts). */
const RENDERING = 1;
const KEEP = 8;

let libraryVersion: string | undefined;

function cyclonedxLibraryVersion(): string {
  if (libraryVersion === undefined) {
    try {
      const require = createRequire(import.meta.url);
      libraryVersion = String(
        (
          JSON.parse(readFileSync(require.resolve('@cyclonedx/cyclonedx-library/package.json'), 'utf8')) as {
            version?: string;
          }
        ).version,
      );
    } catch {
      libraryVersion = 'unknown';
    }
  }
  return libraryVersion;
}

/** Whether a memoized document can be the answer: every step that makes a snapshot came from the cache. */
export function servedFromCache(prov: Provenance): boolean {
  return prov.steps.length > 0 && prov.steps.every((s) => s.cached || s.op === 'config' || s.op === 'base');
}

/** What a build derives from the snapshots it tracked (BuildOutcome.trackedFrom). */
const TRACKED: ReadonlyArray<keyof Provenance> = ['files', 'packages', 'buildPackages', 'problems', 'coverage'];

/**
 * What the document does not show: when it was made, and whether a step came
 * from the cache and how long it took (so the document a build rendered is
 * the one its rebuild from the cache gets). test/sbom/memo.test.ts checks
 * that changing these changes no byte of the document. With `trackedFrom`
 * (a build's digest of its tracker's inputs), the files, packages and
 * problems are keyed by it instead of read: they follow from it, and hashing
 * every file record was most of a cached rebuild's SBOM time.
 */
export function sbomKey(prov: Provenance, options: { imageRef?: string }, trackedFrom?: string): string {
  // The bulk of the provenance (every file) follows from what was tracked: its digest stands in for it
  // (and those fields are not even read: a rebuild's cached tracker result parses them when first read).
  const shown: Record<string, unknown> = {};
  for (const k of Object.keys(prov) as Array<keyof Provenance>)
    shown[k] = trackedFrom !== undefined && TRACKED.includes(k) ? undefined : prov[k];
  shown.created = undefined;
  shown.steps = prov.steps.map((s) => ({ ...s, cached: undefined, durationMs: undefined }));
  if (trackedFrom !== undefined) shown.trackedFrom = trackedFrom;
  return createHash('sha256')
    .update(JSON.stringify({ rendering: RENDERING, library: cyclonedxLibraryVersion(), options }))
    .update('\0')
    .update(JSON.stringify(shown))
    .digest('hex');
}

/** The kept document for `key`, with metadata.timestamp set to `created`; undefined on a miss. */
export function recallSbom(dir: string, key: string, created: string): string | undefined {
  let json: string;
  try {
    json = readFileSync(path.join(dir, `${key}.json`), 'utf8');
  } catch {
    return undefined;
  }
  const head = timestampIn(json);
  const timestamp = new Date(created);
  if (!head || Number.isNaN(timestamp.getTime()) || !json.endsWith('}\n')) return undefined;
  return head.replacedBy(timestamp.toISOString());
}

/** Keeps a rendered document; a cache that cannot be written only costs the next rebuild time. */
export function keepSbom(dir: string, key: string, json: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    replaceFileAtomic(path.join(dir, `${key}.json`), json);
    keepNewest(dir, KEEP, '.json');
  } catch {
    // only speed is lost
  }
}
