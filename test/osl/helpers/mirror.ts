/** A small Debian mirror (InRelease, Sources.gz, pool files) to serve from the loopback server. */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Route } from './server.js';

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

export interface FakeSource {
  name: string;
  version: string;
  files: Record<string, string>;
  /** Index entries whose sha256 is deliberately wrong. */
  corrupt?: string[];
}

export function pool(name: string): string {
  return `pool/main/${name.startsWith('lib') ? name.slice(0, 4) : name[0]}/${name}`;
}

/** Routes of a mirror at `prefix` (e.g. `/debian`) with one suite. */
export function fakeMirror(prefix: string, suite: string, sources: FakeSource[]): Record<string, Route> {
  const routes: Record<string, Route> = {};
  const paras: string[] = [];
  for (const s of sources) {
    const dir = pool(s.name);
    const lines = Object.entries(s.files).map(([n, content]) => {
      routes[`${prefix}/${dir}/${n}`] = { body: content };
      const hash = s.corrupt?.includes(n) ? sha256('something else') : sha256(content);
      return ` ${hash} ${Buffer.byteLength(content)} ${n}`;
    });
    paras.push(
      [
        `Package: ${s.name}`,
        'Binary: ' + s.name,
        `Version: ${s.version}`,
        'Maintainer: Someone <x@example.org>',
        'Checksums-Sha256:',
        ...lines,
        `Directory: ${dir}`,
        'Priority: optional',
      ].join('\n'),
    );
  }
  const index = gzipSync(Buffer.from(paras.join('\n\n') + '\n'));
  routes[`${prefix}/dists/${suite}/main/source/Sources.gz`] = { body: index };
  const release = [
    '-----BEGIN PGP SIGNED MESSAGE-----',
    'Hash: SHA512',
    '',
    `Suite: ${suite}`,
    'SHA256:',
    ` ${sha256(index)} ${index.length} main/source/Sources.gz`,
    ` ${sha256('unused')} 6 main/source/Sources`,
    '',
  ].join('\n');
  routes[`${prefix}/dists/${suite}/InRelease`] = { body: release };
  return routes;
}
