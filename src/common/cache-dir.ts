/** Where scannable keeps its caches: $SCANNABLE_CACHE_DIR, else $XDG_CACHE_HOME/scannable, else ~/.cache/scannable. */
import { readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SCANNABLE_CACHE_DIR) return env.SCANNABLE_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'scannable');
}

/**
 * Removes all but the `keep` most recently modified files of `dir` whose names
 * end with `suffix` (a cache that keeps the last few of something). Never
 * throws: a cache that cannot be cut down only costs disk space.
 */
export function keepNewest(dir: string, keep: number, suffix = ''): void {
  try {
    const files = readdirSync(dir).filter((f) => f.endsWith(suffix));
    if (files.length <= keep) return;
    const byAge = files.map((f) => ({ f, t: statSync(path.join(dir, f)).mtimeMs })).sort((a, b) => b.t - a.t);
    for (const { f } of byAge.slice(keep)) rmSync(path.join(dir, f), { force: true });
  } catch {
    // Only disk space is lost.
  }
}

/** Marks a kept file as just used: `keepNewest` removes it last. */
export function markUsed(file: string): void {
  const now = new Date();
  utimesSync(file, now, now);
}
