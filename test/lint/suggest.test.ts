import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { levenshtein, suggest } from '../../src/common/suggest.js';
import { boundedDistance, closestName } from '../../src/lint/suggest.js';

const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '_', 'A'), maxLength: 9 });

describe('bounded suggestions', () => {
  it('boundedDistance is the edit distance when below the limit', () => {
    fc.assert(
      fc.property(word, word, fc.integer({ min: 1, max: 4 }), (a, b, limit) => {
        expect(boundedDistance(a, b, limit)).toBe(Math.min(levenshtein(a, b), limit));
      }),
      { numRuns: 3000 },
    );
  });
  it('closestName agrees with the full search (BuildKit semantics) in iteration order', () => {
    fc.assert(
      fc.property(word, fc.array(word, { maxLength: 8 }), (value, options) => {
        expect(closestName(value, options)).toBe(suggest(value, options, true));
      }),
      { numRuns: 3000 },
    );
  });
  it('a rank decides ties', () => {
    expect(closestName('FOO', ['FOO1', 'FOO2'])).toBe('FOO1');
    expect(closestName('FOO', ['FOO1', 'FOO2'], (k) => (k === 'FOO2' ? 0 : 1))).toBe('FOO2');
    expect(closestName('FOO', ['FO', 'FOO'])).toBeUndefined();
  });
});
