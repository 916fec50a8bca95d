/**
 * The test-suite slice of `npm run fuzz`: 10,000 generated and mutated inputs
 * per parser (both grammars and every package-database parser), from the same
 * seeds and with the same invariants (bench/fuzz-targets.ts). `npm run fuzz`
 * runs a million per parser; SCANNABLE_FUZZ_INPUTS changes the count here.
 */
import { describe, expect, it } from 'vitest';
import { fuzz } from '../../bench/fuzz.js';
import { targets } from '../../bench/fuzz-targets.js';

const INPUTS = Number(process.env.SCANNABLE_FUZZ_INPUTS ?? 10_000);
// A different seed from `npm run fuzz`'s default, so the suite covers other inputs.
const SEED = Number(process.env.SCANNABLE_FUZZ_SEED ?? 7);

describe('fuzzing slice: every parser, no crash', () => {
  it('covers both grammars and every package-database parser', () => {
    expect(targets.map((t) => t.name).sort()).toEqual(
      [
        'apk-installed',
        'dep5-copyright',
        'dockerfile',
        'dpkg-status',
        'gemspec',
        'go-buildinfo',
        'npm-package-json',
        'python',
        'rpm-db',
        'shell',
        'word-expansion',
      ].sort(),
    );
  });

  for (const t of targets) {
    it(`${t.name}: ${INPUTS} inputs`, () => {
      const r = fuzz(t, INPUTS, SEED);
      process.stdout.write(
        `[fuzz] ${t.name}: ${r.inputs} inputs from ${r.seeds} seeds, ${Math.round(r.perSecond)}/s, crashes ${r.crashCount}, slowest ${r.slowest.nsPerByte.toFixed(0)} ns/B (${r.slowest.bytes} B)\n`,
      );
      expect(r.seeds).toBeGreaterThan(0);
      expect(r.crashes.map((c) => `#${c.index} ${c.error}\n  input (base64): ${c.input.slice(0, 400)}`)).toEqual([]);
    }, 300_000);
  }
});
