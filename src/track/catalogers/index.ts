/**
 * The catalogers and the runner: one pass over the snapshot's entries finds
 * every path a cataloger declared, then each parser runs on its matches.
 */
import type { FileEntry, SnapshotFs } from '../../snapshot/fs.js';
import type { Package } from '../package.js';
import { compileGlobs } from './glob.js';
import type { Cataloger, Problem } from './types.js';
import { apkCataloger } from './apk.js';
import { dpkgCataloger } from './dpkg.js';
import { gemCataloger } from './gem.js';
import { goBinaryCataloger } from './golang.js';
import { npmCataloger } from './npm.js';
import { pythonCataloger } from './python.js';
import { rpmCataloger } from './rpm.js';

export type { Cataloger, ParseResult, Problem } from './types.js';

/** OS package managers first: ownership prefers them when a language package lists the same file. */
export const allCatalogers: readonly Cataloger[] = [
  dpkgCataloger,
  apkCataloger,
  rpmCataloger,
  pythonCataloger,
  npmCataloger,
  gemCataloger,
  goBinaryCataloger,
];

/** Problems kept per file and cataloger; a hostile file (a million duplicate entries) gets one more line saying how many were left out. */
export const MAX_PROBLEMS_PER_FILE = 20;

export interface CatalogResult {
  packages: Package[];
  problems: Problem[];
}

export interface CatalogOptions {
  catalogers?: readonly Cataloger[];
}

export function catalog(fs: SnapshotFs, opts: CatalogOptions = {}): CatalogResult {
  const catalogers = opts.catalogers ?? allCatalogers;
  const matchers = catalogers.map((c) => compileGlobs(c.globs));
  const matches: FileEntry[][] = catalogers.map(() => []);
  for (const e of fs.entries()) {
    if (e.kind === 'dir') continue;
    for (let i = 0; i < catalogers.length; i++) {
      if (!matchers[i]!(e.path)) continue;
      const c = catalogers[i]!;
      if (c.accept && !c.accept(e)) continue;
      matches[i]!.push(e);
    }
  }
  const packages: Package[] = [];
  const problems: Problem[] = [];
  catalogers.forEach((c, i) => {
    for (const file of matches[i]!) {
      try {
        const r = c.parse(file, fs);
        packages.push(...r.packages);
        const perPath = new Map<string, number>();
        for (const p of r.problems) {
          const n = (perPath.get(p.path) ?? 0) + 1;
          perPath.set(p.path, n);
          if (n <= MAX_PROBLEMS_PER_FILE) problems.push({ ...p, cataloger: c.name });
        }
        for (const [path, n] of perPath) {
          if (n > MAX_PROBLEMS_PER_FILE)
            problems.push({
              path,
              reason: `${n - MAX_PROBLEMS_PER_FILE} more problems in this file not listed`,
              cataloger: c.name,
            });
        }
      } catch (err) {
        // Parsers are written not to throw; this keeps one bug from losing every other package.
        problems.push({ path: file.path, reason: `parser failed: ${(err as Error).message}`, cataloger: c.name });
      }
    }
  });
  return { packages, problems };
}
