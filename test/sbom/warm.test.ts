import { describe, expect, it } from 'vitest';
import { provenanceToCycloneDX, validateCycloneDX } from '../../src/sbom/cyclonedx.js';
import { startValidator } from '../../src/sbom/validate.js';
import { warmupProvenance } from '../../src/sbom/warm.js';

describe('warm-up document', () => {
  it('is a valid CycloneDX 1.6 document with every kind of component a build writes', async () => {
    const doc = provenanceToCycloneDX(warmupProvenance()) as { components: Array<{ type: string }> };
    expect(await validateCycloneDX(doc as unknown as Record<string, unknown>)).toBeNull();
    // Packages and files: the validator's code for both gets compiled.
    expect(new Set(doc.components.map((c) => c.type))).toEqual(new Set(['container', 'library', 'file']));
    expect(doc.components.length).toBeGreaterThan(60);
  });

  it('leaves the validator answering as before', async () => {
    const v = startValidator();
    try {
      v.warm(JSON.stringify(provenanceToCycloneDX(warmupProvenance())));
      v.warm('not json');
      const bad = provenanceToCycloneDX(warmupProvenance()) as { components: Array<Record<string, unknown>> };
      bad.components[0]!.type = 'not-a-type';
      expect(await v.validate(JSON.stringify(bad))).not.toBeNull();
      expect(await v.validate(JSON.stringify(provenanceToCycloneDX(warmupProvenance())))).toBeNull();
    } finally {
      await v.close();
    }
  });
});
