/**
 * Hostile image content, without an engine: the tracker over a directory of
 * broken package metadata (test/helpers/hostile-image.ts) reads what it can,
 * records every file it could not read (path and reason) in the SBOM, never
 * invents a license, and the SBOM still validates. The same root goes through
 * a real build in test/e2e/hostile-image.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_PROBLEMS_PER_FILE, catalog } from '../../src/track/catalogers/index.js';
import { provenanceToCycloneDX, validateCycloneDX, MAX_SBOM_PROBLEMS } from '../../src/sbom/cyclonedx.js';
import { DirFs } from '../../src/snapshot/dir-fs.js';
import { MemoryFs } from '../../src/snapshot/memory-fs.js';
import { computeCoverage, type Provenance } from '../../src/track/provenance.js';
import { Tracker } from '../../src/track/tracker.js';
import { EXPECTED_PACKAGES, EXPECTED_PROBLEMS, makeHostileRoot } from '../helpers/hostile-image.js';
import { sampleProvenance } from '../helpers/provenance.js';

/** The provenance a build of this root would have, the tracker's part real. */
function provenanceOf(root: string): Provenance {
  const tracker = new Tracker([
    {
      index: 0,
      base: { kind: 'image', ref: 'hostile:1', imageId: 'sha256:' + 'e'.repeat(64) },
      steps: [],
      fs: new DirFs(root),
    },
  ]);
  const r = tracker.result(0);
  const sample = sampleProvenance();
  return {
    ...sample,
    stages: [
      { index: 0, base: { kind: 'image', ref: 'hostile:1', imageId: 'sha256:' + 'e'.repeat(64) }, target: true },
    ],
    steps: [],
    packages: r.packages,
    buildPackages: r.buildPackages,
    files: r.files,
    coverage: computeCoverage(r.files),
    problems: r.problems,
  };
}

type Doc = {
  metadata: { component: { properties: Array<{ name: string; value: string }> } };
  components: Array<Record<string, unknown>>;
};

describe('hostile image content (no engine)', () => {
  let prov: Provenance;
  let doc: Doc;
  beforeAll(() => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'scannable-hostile-'));
    makeHostileRoot(root);
    prov = provenanceOf(root);
    doc = provenanceToCycloneDX(prov) as unknown as Doc;
  }, 60_000);

  it('reads every package it can, with the license exactly as declared or none', () => {
    const got = prov.packages
      .map((r) => ({
        ecosystem: r.package.ecosystem,
        name: r.package.name,
        version: r.package.version,
        license: r.package.licenseExpression,
      }))
      .sort((a, b) => `${a.ecosystem}/${a.name}/${a.version}`.localeCompare(`${b.ecosystem}/${b.name}/${b.version}`));
    const want = [...EXPECTED_PACKAGES].sort((a, b) =>
      `${a.ecosystem}/${a.name}/${a.version}`.localeCompare(`${b.ecosystem}/${b.name}/${b.version}`),
    );
    expect(got).toEqual(want);
    for (const r of prov.packages) {
      // Unknown licenses say why; known ones come from a statement in the metadata.
      if (r.package.licenseExpression) expect(r.package.licenses.length, r.package.name).toBeGreaterThan(0);
      else expect(r.package.licenseUnknownReason, r.package.name).toBeTruthy();
    }
  });

  it('records each file it could not read, with the reason', () => {
    for (const [file, reason] of EXPECTED_PROBLEMS) {
      expect(
        prov.problems.some((p) => p.path === file && reason.test(p.reason)),
        `${file} ${reason}`,
      ).toBe(true);
    }
  });

  it('puts those problems in the SBOM, which still validates', async () => {
    const props = doc.metadata.component.properties;
    expect(props.find((p) => p.name === 'scannable:problems')?.value).toBe(String(prov.problems.length));
    const listed = props.filter((p) => p.name === 'scannable:problem').map((p) => p.value);
    for (const [file, reason] of EXPECTED_PROBLEMS)
      expect(
        listed.some((l) => l.startsWith(`${file}: `) && reason.test(l)),
        `${file}`,
      ).toBe(true);
    expect(await validateCycloneDX(doc as unknown as Record<string, unknown>)).toBeNull();
  });

  it("lists only files that exist as a package's evidence (a list naming missing files invents none)", () => {
    const good = doc.components.find((c) => c.name === 'good') as {
      evidence?: { occurrences?: Array<{ location: string }> };
    };
    expect(good.evidence?.occurrences?.map((o) => o.location)).toEqual(['/usr/bin/good']);
    const prop = prov.packages.find((r) => r.package.name === 'prop')!;
    expect(prop.files).toEqual(
      [
        '/usr/lib/python3/dist-packages/prop-1.0.dist-info/METADATA',
        '/usr/lib/python3/dist-packages/prop-1.0.dist-info/RECORD',
        '/usr/lib/python3/dist-packages/prop/__init__.py',
      ].filter((f) => prop.files.includes(f)),
    );
    expect(prov.files.some((f) => f.path.endsWith('/gone.py') || f.path === '/usr/bin/ghost')).toBe(false);
  });

  it('makes one component of a package installed twice, with the files and metadata of both copies', () => {
    const dups = doc.components.filter((c) => c.name === 'dup') as Array<{
      properties: Array<{ name: string; value: string }>;
      evidence?: { occurrences?: Array<{ location: string }> };
    }>;
    expect(dups).toHaveLength(1);
    expect(
      dups[0]!.properties
        .filter((p) => p.name === 'scannable:metadata-path')
        .map((p) => p.value)
        .sort(),
    ).toEqual(['/srv/a/node_modules/dup/package.json', '/srv/b/node_modules/dup/package.json']);
    const where = dups[0]!.evidence?.occurrences?.map((o) => o.location) ?? [];
    expect(where).toContain('/srv/a/node_modules/dup/index.js');
    expect(where).toContain('/srv/b/node_modules/dup/index.js');
  });

  it('caps what one file can report (a status file of a million duplicate entries)', () => {
    const status = Array.from({ length: 5000 }, () => 'Package: x\nStatus: install ok installed\nVersion: 1\n').join(
      '\n',
    );
    const r = catalog(new MemoryFs({ '/var/lib/dpkg/status': status }));
    expect(r.packages).toHaveLength(1);
    const mine = r.problems.filter((p) => p.path === '/var/lib/dpkg/status');
    expect(mine).toHaveLength(MAX_PROBLEMS_PER_FILE + 1);
    expect(mine[mine.length - 1]!.reason).toBe(`${4999 - MAX_PROBLEMS_PER_FILE} more problems in this file not listed`);
  });

  it('caps the problems listed in the SBOM, and says how many more there were', () => {
    const many = {
      ...prov,
      problems: Array.from({ length: MAX_SBOM_PROBLEMS + 5 }, (_, i) => ({
        path: `/p/${String(i).padStart(5, '0')}`,
        reason: 'unreadable',
      })),
    };
    const props = (provenanceToCycloneDX(many) as unknown as Doc).metadata.component.properties.filter(
      (p) => p.name === 'scannable:problem',
    );
    expect(props).toHaveLength(MAX_SBOM_PROBLEMS + 1);
    expect(props.map((p) => p.value)).toContain('(5 more problems not listed)');
    expect(props.map((p) => p.value)).not.toContain(`/p/${MAX_SBOM_PROBLEMS + 4}: unreadable`);
  });
});
