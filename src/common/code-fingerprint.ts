/**
 * A fingerprint of the code that is running: what is kept from one build for
 * the next and was computed by our code (the catalogers' parses of a base
 * layer's files) is valid only for the same code.
 *
 * It is a digest of the name, size and mtime of every module file: the
 * bundle's chunk names carry a digest of their content, and an edited source
 * file has a new mtime. Read from the directory this module was loaded from
 * (dist/bundle, or the source tree when the sources run directly).
 */
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let memo: string | undefined;

export function codeFingerprint(): string {
  return (memo ??= fingerprintOf(codeRoot()));
}

/** The bundle's directory, or the source tree's root (src/, this module's parent's parent). */
function codeRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.basename(here) === 'common' ? path.dirname(here) : here;
}

export function fingerprintOf(root: string): string {
  const hash = createHash('sha256');
  const visit = (dir: string, rel: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const p = path.join(dir, name);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) visit(p, `${rel}${name}/`);
      else if (/\.(m?js|ts)$/.test(name)) hash.update(`${rel}${name}\0${st.size}\0${st.mtimeMs}\n`);
    }
  };
  visit(root, '');
  return hash.digest('hex');
}
