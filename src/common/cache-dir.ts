/** Where scannable keeps its caches: $SCANNABLE_CACHE_DIR, else $XDG_CACHE_HOME/scannable, else ~/.cache/scannable. */
import os from 'node:os';
import path from 'node:path';

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SCANNABLE_CACHE_DIR) return env.SCANNABLE_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'scannable');
}
