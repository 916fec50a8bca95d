/**
 * dpkg, DEP-5 and license mapping on the real database of this Debian 12 host:
 * /var/lib/dpkg/status, info/*.list, /usr/share/doc/<pkg>/copyright.
 */
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDpkgStatus } from '../../src/track/catalogers/dpkg.js';
import type { ParseResult } from '../../src/track/catalogers/types.js';
import { DirFs } from '../../src/snapshot/dir-fs.js';
import { isValidSpdx } from '../../src/track/licenses/spdx.js';
import type { Package } from '../../src/track/package.js';

const onDebian = existsSync('/var/lib/dpkg/status') && existsSync('/etc/debian_version');

describe.skipIf(!onDebian)('dpkg on this host', () => {
  let result: ParseResult;
  let byName: Map<string, Package>;
  const fs = new DirFs('/');
  beforeAll(() => {
    const t0 = performance.now();
    result = parseDpkgStatus(fs.stat('/var/lib/dpkg/status')!, fs);
    const ms = performance.now() - t0;
    byName = new Map(result.packages.map((p) => [p.name, p]));
    const dep5 = result.packages.filter((p) => p.properties['copyright-format'] === 'dep5').length;
    const withRef = result.packages.filter((p) => p.licenseExpression?.includes('LicenseRef-')).length;
    const onlyRef = result.packages.filter(
      (p) => p.licenseExpression && !/(^|[ (])(?!LicenseRef-)[A-Za-z0-9]/.test(p.licenseExpression),
    ).length;
    const unknown = result.packages.filter((p) => !p.licenseExpression).length;
    console.log(
      `[host dpkg] ${result.packages.length} packages in ${ms.toFixed(0)} ms; DEP-5 copyright: ${dep5} ` +
        `(${((100 * dep5) / result.packages.length).toFixed(1)}%); expression has a LicenseRef: ${withRef}; ` +
        `only LicenseRefs: ${onlyRef}; license unknown: ${unknown}; problems: ${result.problems.length}`,
    );
  });

  it('finds every installed package of the status database', () => {
    expect(result.packages.length).toBeGreaterThan(50);
    for (const n of ['dpkg', 'libc6', 'bash', 'coreutils']) expect(byName.has(n)).toBe(true);
  });

  it('gives every package a valid SPDX expression or records why it is unknown', () => {
    for (const p of result.packages) {
      if (p.licenseExpression) {
        expect(isValidSpdx(p.licenseExpression), `${p.name}: ${p.licenseExpression}`).toBe(true);
        expect(p.licenseUnknownReason).toBeUndefined();
        for (const l of p.licenses) expect(isValidSpdx(l.expression)).toBe(true);
      } else {
        expect(p.licenseUnknownReason, p.name).toMatch(/copyright/);
      }
    }
  });

  it('maps well-known packages to the expected licenses', () => {
    const dpkg = byName.get('dpkg')!;
    expect(dpkg.licenseExpression).toMatch(/GPL-2\.0-or-later/);
    const libc6 = byName.get('libc6')!;
    expect(libc6.source?.name).toBe('glibc');
    expect(libc6.licenseExpression).toMatch(/^LGPL-2\.1-or-later\b/);
    expect(libc6.purl).toMatch(/^pkg:deb\/debian\/libc6@[^?]+\?arch=amd64&distro=debian-12$/);
    const bash = byName.get('bash')!;
    expect(bash.licenseExpression).toMatch(/^GPL-3\.0-or-later\b/);
    expect(bash.licenses[0]).toMatchObject({
      original: 'GPL-3+',
      path: '/usr/share/doc/bash/copyright',
      confidence: 'declared',
    });
    for (const [name, expected] of [
      ['jq', 'MIT'],
      ['curl', 'curl'],
    ] as const) {
      const p = byName.get(name);
      if (!p) continue; // not installed on every Debian host
      expect(p.licenseExpression?.split(' AND ')[0]).toBe(expected);
      expect(p.properties['copyright-format']).toBe('dep5');
    }
  });

  it('keeps license texts from the image and the file they came from', () => {
    const withText = result.packages.filter((p) => p.licenseTexts.length > 0);
    expect(withText.length).toBeGreaterThan(result.packages.length / 4);
    for (const p of withText)
      for (const t of p.licenseTexts) expect(t.path).toMatch(/^\/usr\/share\/doc\/[^/]+\/copyright$/);
  });

  it('reads owned files from info/*.list (multi-arch names too) and they exist', () => {
    const libc6 = byName.get('libc6')!;
    expect(libc6.evidencePaths.some((p) => /libc6:amd64\.list$/.test(p))).toBe(true);
    expect(libc6.files.some((f) => f.endsWith('/libc.so.6'))).toBe(true);
    expect(Object.keys(libc6.fileDigests ?? {}).length).toBeGreaterThan(10);
    const bash = byName.get('bash')!;
    const existing = bash.files.filter((f) => fs.resolve(f) !== undefined);
    expect(existing.length / bash.files.length).toBeGreaterThan(0.95);
  });
});
