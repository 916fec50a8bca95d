/**
 * The IR refuses exactly the corpus files BuildKit refuses, with BuildKit's
 * message for the first error (shared/conformance/buildkit-checks).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { parseDockerfile } from '../../grammar/dockerfile/index.js';
import { buildIR } from '../../src/ir/index.js';
import { conformanceDir, corpusDir, corpusFiles, describeShared } from '../helpers/shared.js';

describeShared('IR validation agrees with BuildKit on the real corpus', () => {
  const files = corpusFiles();
  it.each(files)('%s', (rel) => {
    const parsed = parseDockerfile(readFileSync(path.join(corpusDir, rel), 'utf8'), rel);
    if (!parsed.ok) throw new Error(parsed.diagnostics[0]!.message);
    const ir = buildIR(parsed.tree);
    const errors = ir.diagnostics.filter((d) => d.severity === 'error');
    const ref = JSON.parse(readFileSync(path.join(conformanceDir, 'buildkit-checks', `${rel}.json`), 'utf8')) as {
      ok: boolean;
      error?: string;
    };
    if (ref.ok) {
      expect(errors.map((e) => `${e.range.start.line}: ${e.message}`)).toEqual([]);
    } else {
      expect(errors.length).toBeGreaterThan(0);
      // BuildKit prefixes instruction errors with "dockerfile parse error on line N: ".
      expect(ref.error!.replace(/^dockerfile parse error on line \d+: /, '')).toBe(errors[0]!.message);
    }
  });
});
