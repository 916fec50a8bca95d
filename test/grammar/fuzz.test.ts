/**
 * Property tests: no input makes the Dockerfile parser or the IR builder
 * throw, and every failure is a diagnostic with a position inside the file.
 * Inputs are random text over Dockerfile-ish alphabets and mutations of real
 * corpus files. (npm run fuzz runs far more of them.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dumpTree, parseDockerfile } from '../../grammar/dockerfile/index.js';
import { buildIR } from '../../src/ir/index.js';
import { corpusDir, corpusFiles, hasShared } from '../helpers/shared.js';
import { dockerfileLike, mutate } from '../helpers/generators.js';

function check(text: string): void {
  const out = parseDockerfile(text, 'fuzz');
  if (!out.ok) {
    expect(out.diagnostics.length).toBeGreaterThan(0);
    const lines = text.split('\n').length;
    for (const d of out.diagnostics) {
      expect(d.range.start.line).toBeGreaterThanOrEqual(1);
      expect(d.range.start.line).toBeLessThanOrEqual(lines + 1);
      expect(d.message.length).toBeGreaterThan(0);
    }
    return;
  }
  dumpTree(out.tree);
  const ir = buildIR(out.tree);
  for (const d of ir.diagnostics) expect(d.range.start.line).toBeGreaterThanOrEqual(1);
}

describe('Dockerfile parser fuzzing', () => {
  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => check(s)),
      { numRuns: 2000 },
    );
  });

  it('never throws on Dockerfile-shaped text', () => {
    fc.assert(
      fc.property(dockerfileLike(), (s) => check(s)),
      { numRuns: 3000 },
    );
  });

  const seeds = hasShared
    ? corpusFiles()
        .filter((_, i) => i % 17 === 0)
        .map((rel) => readFileSync(path.join(corpusDir, rel), 'utf8'))
    : [];
  it.skipIf(!hasShared)('never throws on mutated corpus files', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        fc.string({ maxLength: 8 }),
        (seed, cuts, insert) => check(mutate(seed, cuts, insert)),
      ),
      { numRuns: 3000 },
    );
  });
});
