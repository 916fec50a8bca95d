import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startValidator } from '../../src/sbom/validate.js';
import { provenanceToCycloneDX, validateCycloneDX } from '../../src/sbom/cyclonedx.js';
import { sampleProvenance } from '../helpers/provenance.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-validator-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('startValidator', () => {
  const good = provenanceToCycloneDX(sampleProvenance());
  const bad = JSON.parse(JSON.stringify(good)) as { components: Array<Record<string, unknown>>; metadata: Record<string, unknown> };
  bad.components[0]!.type = 'not-a-type';
  bad.metadata.timestamp = 'yesterday';

  it('agrees with the library validator, compiled fresh and loaded from the cache', async () => {
    const expected = [await validateCycloneDX(good), await validateCycloneDX(bad)];
    expect(expected[0]).toBeNull();
    expect(expected[1]).not.toBeNull();
    for (const round of ['compiled', 'cached']) {
      const v = startValidator(dir);
      try {
        expect(await v.validate(JSON.stringify(good)), round).toBeNull();
        const errors = (await v.validate(JSON.stringify(bad))) as Array<{ instancePath: string; keyword: string }>;
        expect(errors.map((e) => [e.instancePath, e.keyword]), round).toEqual((expected[1] as typeof errors).map((e) => [e.instancePath, e.keyword]));
      } finally {
        await v.close();
      }
      expect(readdirSync(path.join(dir, 'validators')).filter((f) => f.endsWith('.cjs')).length, round).toBe(2);
    }
  });

  it('finds duplicate items in arrays the schema marks unique, as the library validator does', async () => {
    const dup = JSON.parse(JSON.stringify(good)) as { components: Array<Record<string, unknown>> };
    const first = dup.components[0]!;
    // The same item twice, its keys in another order: equal for JSON Schema.
    dup.components.push(Object.fromEntries(Object.entries(first).reverse()));
    const expected = (await validateCycloneDX(dup as Record<string, unknown>)) as Array<{ instancePath: string; keyword: string }>;
    expect(expected.some((e) => e.keyword === 'uniqueItems')).toBe(true);
    const v = startValidator(dir);
    try {
      const errors = (await v.validate(JSON.stringify(dup))) as Array<{ instancePath: string; keyword: string }>;
      expect(errors.filter((e) => e.keyword === 'uniqueItems').map((e) => e.instancePath)).toEqual(
        expected.filter((e) => e.keyword === 'uniqueItems').map((e) => e.instancePath),
      );
    } finally {
      await v.close();
    }
  });

  it('works without a cache directory', async () => {
    const v = startValidator(undefined);
    try {
      expect(await v.validate(JSON.stringify(good))).toBeNull();
    } finally {
      await v.close();
    }
  });
});
