/**
 * rpm databases: a real rpmdb.sqlite written by rpm 4.18 (Debian's), a real
 * Berkeley DB hash file written by db5.3_load with the same headers, and an
 * ndb Packages.db laid out by the test (Debian's rpm cannot write ndb).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../src/track/catalogers/index.js';
import { rpmCataloger, bdbHashBlobs, ndbBlobs, sqliteBlobs } from '../../src/track/catalogers/rpm.js';
import { DirFs } from '../../src/snapshot/dir-fs.js';
import { isValidSpdx } from '../../src/track/licenses/spdx.js';
import { MemoryFs } from '../../src/snapshot/memory-fs.js';
import type { Package } from '../../src/track/package.js';
import { hasApt, isRoot } from './helpers/debian.js';
import { makeRpmFixture, ndbFromHeaders, type RpmFixture } from './helpers/rpm.js';

function summary(p: Package): string {
  const [version, release] = [
    p.version!.slice(0, p.version!.lastIndexOf('-')),
    p.version!.slice(p.version!.lastIndexOf('-') + 1),
  ];
  return `${p.name}|${p.properties.epoch ?? '(none)'}|${version}|${release}|${p.arch}|${p.licenses[0]?.original}|${p.properties.sourcerpm}|${p.files.length}`;
}

describe.skipIf(!(hasApt && isRoot))('rpm databases written by rpm itself', () => {
  let fx: RpmFixture;
  beforeAll(() => {
    const f = makeRpmFixture();
    if (!f) throw new Error('rpm tools could not be installed');
    fx = f;
  });

  it('reads rpmdb.sqlite exactly as rpm -qa reports it', () => {
    const fs = new DirFs(path.dirname(path.dirname(path.dirname(path.dirname(fx.sqlite)))));
    const r = catalog(fs, { catalogers: [rpmCataloger] });
    expect(r.problems).toEqual([]);
    expect(r.packages.map(summary).sort()).toEqual(fx.expected);
    const small = r.packages.find((p) => p.name === 'scannable-small')!;
    expect(small.purl).toBe('pkg:rpm/scannable/scannable-small@1.2.0-3.test?arch=noarch');
    expect(small.licenseExpression).toBe('MIT AND (GPL-2.0-or-later OR Apache-2.0)');
    expect(small.source).toEqual({ name: 'scannable-small', version: '1.2.0-3.test' });
    expect(small.homepage).toBe('https://example.org/scannable-small');
    expect(small.supplier).toBe('Scannable Tests');
    expect(small.dependencies).toEqual(['bash', 'coreutils']);
    const big = r.packages.find((p) => p.name === 'scannable-big')!;
    expect(big.purl).toBe('pkg:rpm/scannable/scannable-big@1.400.0-3.test?arch=noarch&epoch=1');
    expect(big.files).toContain('/usr/share/scannable-big/file-with-a-rather-long-name-400.txt');
    expect(Object.values(big.fileDigests ?? {}).every((d) => /^sha256:[0-9a-f]{64}$/.test(d))).toBe(true);
    for (const p of r.packages) expect(isValidSpdx(p.licenseExpression!)).toBe(true);
  });

  it('reads the same headers from a Berkeley DB hash file made by db5.3_load', () => {
    expect(fx.bdb).toBeDefined();
    const blobs = bdbHashBlobs(readFileSync(fx.bdb!));
    expect(blobs.map((b) => b.toString('hex')).sort()).toEqual(fx.headers.map((h) => h.toString('hex')).sort());
    const fs = new DirFs(path.dirname(path.dirname(path.dirname(path.dirname(fx.bdb!)))));
    const r = catalog(fs, { catalogers: [rpmCataloger] });
    expect(r.packages.map(summary).sort()).toEqual(fx.expected);
  });

  it('reads an ndb Packages.db', () => {
    const fs = new MemoryFs({ '/usr/lib/sysimage/rpm/Packages.db': ndbFromHeaders(fx.headers) });
    const r = catalog(fs, { catalogers: [rpmCataloger] });
    expect(r.problems).toEqual([]);
    expect(r.packages.map(summary).sort()).toEqual(fx.expected);
  });

  it('sees the same blobs through every reader', () => {
    const sq = sqliteBlobs(readFileSync(fx.sqlite));
    expect(sq.map((b) => b.toString('hex')).sort()).toEqual(fx.headers.map((h) => h.toString('hex')).sort());
    expect(ndbBlobs(ndbFromHeaders(fx.headers)).length).toBe(fx.headers.length);
  });

  it('reports corrupt databases instead of throwing', () => {
    const good = readFileSync(fx.sqlite);
    const truncated = good.subarray(0, Math.floor(good.length / 3));
    const fs = new MemoryFs({
      '/var/lib/rpm/rpmdb.sqlite': truncated,
      '/usr/lib/sysimage/rpm/Packages': Buffer.alloc(4096, 7),
      '/usr/lib/sysimage/rpm/Packages.db': Buffer.from('RpmP nonsense'),
    });
    const r = catalog(fs, { catalogers: [rpmCataloger] });
    expect(r.packages.length).toBeLessThanOrEqual(fx.headers.length);
    expect(r.problems.map((p) => p.path).sort()).toEqual([
      '/usr/lib/sysimage/rpm/Packages',
      '/usr/lib/sysimage/rpm/Packages.db',
      '/var/lib/rpm/rpmdb.sqlite',
    ]);
    expect(r.problems.every((p) => /unsupported or corrupt rpm database/.test(p.reason))).toBe(true);
  });
});
