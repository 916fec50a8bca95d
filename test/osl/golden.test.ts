/**
 * Golden files for the three renderers. Inputs are SBOMs the real writer makes
 * from the sample provenance and variations of it, plus every SBOM checked in
 * under golden/examples/ (the end-to-end SBOMs of examples/, from
 * `scannable build`). Regenerate the expected outputs after a deliberate change:
 *
 *   UPDATE_GOLDEN=1 npx vitest run test/osl/golden.test.ts
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  buildAttribution,
  loadSbom,
  parseSbom,
  renderAttribution,
  type OslFormat,
  type Sbom,
} from '../../src/osl/index.js';
import { completeProvenance, sampleSbom, sbomOf, unknownsProvenance } from './helpers/sboms.js';

const GOLDEN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden');
const EXAMPLES = path.join(GOLDEN, 'examples');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const EXT: Record<OslFormat, string> = { text: 'txt', markdown: 'md', html: 'html' };

const cases: Array<[string, () => Sbom]> = [
  ['sample', () => parseSbom(JSON.stringify(sampleSbom()), 'sample.cdx.json')],
  ['complete', () => parseSbom(JSON.stringify(sbomOf(completeProvenance())), 'complete.cdx.json')],
  ['unknowns', () => parseSbom(JSON.stringify(sbomOf(unknownsProvenance())), 'unknowns.cdx.json')],
];
if (existsSync(EXAMPLES)) {
  for (const f of readdirSync(EXAMPLES)
    .filter((n) => n.endsWith('.cdx.json'))
    .sort()) {
    cases.push([`examples/${f.replace(/\.cdx\.json$/, '')}`, () => loadSbom(path.join(EXAMPLES, f))]);
  }
}

describe('osl golden files', () => {
  for (const [name, load] of cases) {
    for (const format of ['text', 'markdown', 'html'] as const) {
      it(`${name} (${format})`, () => {
        const out = renderAttribution(buildAttribution(load()), format);
        const file = path.join(GOLDEN, `${name}.${EXT[format]}`);
        if (UPDATE) {
          mkdirSync(path.dirname(file), { recursive: true });
          writeFileSync(file, out);
          return;
        }
        if (!existsSync(file))
          throw new Error(
            `${path.relative(process.cwd(), file)} is missing: run UPDATE_GOLDEN=1 npx vitest run test/osl/golden.test.ts`,
          );
        expect(out).toBe(readFileSync(file, 'utf8'));
      });
    }
  }
});
