import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
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
  const bad = JSON.parse(JSON.stringify(good)) as {
    components: Array<Record<string, unknown>>;
    metadata: Record<string, unknown>;
  };
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
        expect(
          errors.map((e) => [e.instancePath, e.keyword]),
          round,
        ).toEqual((expected[1] as typeof errors).map((e) => [e.instancePath, e.keyword]));
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
    const expected = (await validateCycloneDX(dup as Record<string, unknown>)) as Array<{
      instancePath: string;
      keyword: string;
    }>;
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

  it('tells items apart by their nested values when their scalar fields are equal, and looks inside items told apart by scalars', async () => {
    const doc = JSON.parse(JSON.stringify(good)) as { components: Array<Record<string, unknown>> };
    const first = doc.components[0]!;
    // The same scalars, another nested value: distinct items, no finding.
    doc.components.push({ ...first, properties: [{ name: 'scannable:twin', value: 'yes' }] });
    // Told apart by a scalar (its bom-ref), with a duplicate in a unique array inside.
    const part = { type: 'file', name: 'part.txt' };
    doc.components.push({ ...first, 'bom-ref': 'another-ref', components: [part, { ...part }] });
    const expected = (await validateCycloneDX(doc as Record<string, unknown>)) as Array<{
      instancePath: string;
      keyword: string;
    }> | null;
    const paths = (errors: Array<{ instancePath: string; keyword: string }> | null) =>
      (errors ?? []).filter((e) => e.keyword === 'uniqueItems').map((e) => e.instancePath);
    const last = `/components/${doc.components.length - 1}/components`;
    expect(paths(expected)).toEqual([last]);
    const v = startValidator(dir);
    try {
      expect(
        paths((await v.validate(JSON.stringify(doc))) as Array<{ instancePath: string; keyword: string }> | null),
      ).toEqual([last]);
    } finally {
      await v.close();
    }
  });

  it("finds duplicates at several depths, an array's own before its items", async () => {
    const dup = JSON.parse(JSON.stringify(good)) as {
      components: Array<Record<string, unknown>>;
      dependencies?: Array<{ ref: string; dependsOn?: string[] }>;
    };
    const first = dup.components[0]!;
    dup.components.push({ ...first });
    // A nested unique array (dependsOn) with a duplicate, inside the unique dependencies array.
    const ref = String(first['bom-ref']);
    dup.dependencies = [
      { ref, dependsOn: [ref, ref] },
      { ref: 'other', dependsOn: [ref] },
      { ref: 'other', dependsOn: [ref] },
    ];
    const expected = (await validateCycloneDX(dup as Record<string, unknown>)) as Array<{
      instancePath: string;
      keyword: string;
    }>;
    const unique = (errors: Array<{ instancePath: string; keyword: string }>) =>
      errors.filter((e) => e.keyword === 'uniqueItems').map((e) => e.instancePath);
    // The library's Ajv stops at its first finding; ours lists them all, that one first.
    expect(unique(expected)).toEqual(['/components']);
    const v = startValidator(dir);
    try {
      const errors = (await v.validate(JSON.stringify(dup))) as Array<{ instancePath: string; keyword: string }>;
      expect(unique(errors)).toEqual(['/components', '/dependencies', '/dependencies/0/dependsOn']);
    } finally {
      await v.close();
    }
  });

  it('remembers only the most recent valid documents', async () => {
    const own = mkdtempSync(path.join(os.tmpdir(), 'scannable-validator-keep-'));
    try {
      const v = startValidator(own);
      try {
        for (let i = 0; i < 70; i++) expect(await v.validate(JSON.stringify({ ...good, version: i + 1 }))).toBeNull();
      } finally {
        await v.close();
      }
      const memoDir = readdirSync(path.join(own, 'validators')).find((f) => f.startsWith('valid-'))!;
      expect(readdirSync(path.join(own, 'validators', memoDir)).length).toBe(64);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('remembers the digests of valid documents only, and answers for them without validating again', async () => {
    const own = mkdtempSync(path.join(os.tmpdir(), 'scannable-validator-memo-'));
    try {
      const goodJson = JSON.stringify(good);
      const badJson = JSON.stringify(bad);
      const v = startValidator(own);
      try {
        expect(await v.validate(goodJson)).toBeNull();
        expect(await v.validate(badJson)).not.toBeNull();
      } finally {
        await v.close();
      }
      const memoDir = readdirSync(path.join(own, 'validators')).find((f) => f.startsWith('valid-'))!;
      // Remembered without its timestamp (the first one in the document is metadata's).
      const digest = createHash('sha256')
        .update(goodJson.replace(/"timestamp":"[^"]*"/, '"timestamp":"TIMESTAMP"'))
        .digest('hex');
      expect(readdirSync(path.join(own, 'validators', memoDir))).toEqual([digest]);
      // The remembered digest answers: make it name the bad document's bytes, and it passes unvalidated.
      renameSync(
        path.join(own, 'validators', memoDir, digest),
        path.join(own, 'validators', memoDir, createHash('sha256').update(badJson).digest('hex')),
      );
      const again = startValidator(own);
      try {
        expect(await again.validate(badJson)).toBeNull();
        expect(await again.validate(goodJson)).toBeNull();
      } finally {
        await again.close();
      }
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it("answers for a rebuild's document, the same but made later, from the memo; a timestamp that is no date-time is validated", async () => {
    const own = mkdtempSync(path.join(os.tmpdir(), 'scannable-validator-memo-'));
    const at = (timestamp: string) =>
      JSON.stringify({ ...good, metadata: { ...(good as { metadata: object }).metadata, timestamp } });
    try {
      const v = startValidator(own);
      try {
        expect(await v.validate(at('2026-11-27T10:00:00.000Z'))).toBeNull();
        const memoDir = path.join(
          own,
          'validators',
          readdirSync(path.join(own, 'validators')).find((f) => f.startsWith('valid-'))!,
        );
        expect(readdirSync(memoDir)).toHaveLength(1);
        expect(await v.validate(at('2030-01-02T03:04:05.678Z'))).toBeNull();
        expect(readdirSync(memoDir)).toHaveLength(1);
        // February 30th: not a date-time, so the schema is asked, and says no.
        expect(await v.validate(at('2026-02-30T00:00:00.000Z'))).not.toBeNull();
        expect(readdirSync(memoDir)).toHaveLength(1);
      } finally {
        await v.close();
      }
    } finally {
      rmSync(own, { recursive: true, force: true });
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
