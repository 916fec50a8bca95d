/**
 * Where a rule's documentation lives: BuildKit's checks link to
 * docs.docker.com; scannable's own rules to docs/rules/<ID>.md of the
 * installed package, as a file: URL (the package ships docs/).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Rule } from './types.js';

let root: string | undefined;

/** The package directory: the nearest parent of this module holding package.json (src/ when run from source, dist/src/ when built). */
export function packageRoot(): string {
  if (root === undefined) {
    let dir = path.dirname(fileURLToPath(import.meta.url));
    while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    root = dir;
  }
  return root;
}

const cache = new WeakMap<Rule, string>();

export function docsUrl(rule: Rule): string {
  let url = cache.get(rule);
  if (url === undefined) {
    url = /^https?:\/\//.test(rule.docs) ? rule.docs : pathToFileURL(path.join(packageRoot(), rule.docs)).href;
    cache.set(rule, url);
  }
  return url;
}
