/**
 * Hostile image content through a real build: a busybox image with broken
 * package metadata copied in (malformed, truncated, binary, a 100 MB copyright
 * file, missing files, duplicates, licenses that are not SPDX). The build
 * succeeds, the SBOM validates, lists what could not be read with the reason,
 * and gives no package a license its metadata did not declare.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { provenanceToCycloneDX, validateCycloneDX } from '../../src/sbom/cyclonedx.js';
import { buildExample } from '../helpers/build.js';
import { EXPECTED_PACKAGES, EXPECTED_PROBLEMS, makeHostileRoot } from '../helpers/hostile-image.js';
import { describeEngine } from '../engine/helpers.js';

describeEngine('hostile image content in a real build', () => {
  it('builds, reads what it can, reports the rest in the SBOM, invents no license', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-hostile-build-'));
    mkdirSync(path.join(dir, 'root'));
    makeHostileRoot(path.join(dir, 'root'));
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      'FROM busybox:latest\nCOPY root/ /\nRUN test -s /usr/share/doc/hugecopy/copyright\n',
    );
    const { provenance } = await buildExample(dir);

    const got = provenance.packages
      .map(
        (r) =>
          `${r.package.ecosystem}/${r.package.name}@${r.package.version ?? ''} ${r.package.licenseExpression ?? '(unknown)'}`,
      )
      .sort();
    expect(got).toEqual(
      EXPECTED_PACKAGES.map((p) => `${p.ecosystem}/${p.name}@${p.version ?? ''} ${p.license ?? '(unknown)'}`).sort(),
    );

    const doc = provenanceToCycloneDX(provenance) as {
      metadata: { component: { properties: Array<{ name: string; value: string }> } };
    };
    const listed = doc.metadata.component.properties.filter((p) => p.name === 'scannable:problem').map((p) => p.value);
    for (const [file, reason] of EXPECTED_PROBLEMS)
      expect(
        listed.some((l) => l.startsWith(`${file}: `) && reason.test(l)),
        `${file} ${reason}`,
      ).toBe(true);
    expect(await validateCycloneDX(doc as unknown as Record<string, unknown>)).toBeNull();

    // The hostile files themselves are still accounted for: context files, with their sha256.
    const huge = provenance.files.find((f) => f.path === '/usr/share/doc/hugecopy/copyright')!;
    expect(huge.size).toBe(100 * 1024 * 1024);
    expect(huge.origin).toMatchObject({ kind: 'context', path: 'root/usr/share/doc/hugecopy/copyright' });
  }, 300_000);
});
