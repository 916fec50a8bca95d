/** The real corpus (../shared/corpus/real) loaded into memory for benchmarks. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The checkout, whether this runs compiled (dist/bench) or from source (bench, under vitest). */
export const repoRoot =
  path.basename(path.dirname(here)) === 'dist' ? path.resolve(here, '..', '..') : path.resolve(here, '..');
export const sharedDir = process.env.SCANNABLE_SHARED ?? path.resolve(repoRoot, '..', 'shared');
export const corpusDir = path.join(sharedDir, 'corpus', 'real');

export interface CorpusFile {
  rel: string;
  text: string;
}

export function loadCorpus(): CorpusFile[] {
  if (!existsSync(corpusDir))
    throw new Error(`${corpusDir} not found: the benchmarks need ../shared (set SCANNABLE_SHARED)`);
  const out: CorpusFile[] = [];
  for (const repo of readdirSync(corpusDir).sort()) {
    const dir = path.join(corpusDir, repo);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir).sort())
      out.push({ rel: `${repo}/${f}`, text: readFileSync(path.join(dir, f), 'utf8') });
  }
  return out;
}

export function corpusBytes(files: CorpusFile[]): number {
  return files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
}

/** Median wall time (ms) of `runs` calls after `warmup` untimed ones. */
export function timeIt(fn: () => void, runs = 7, warmup = 3): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export const mbps = (bytes: number, ms: number): string => `${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s`;
