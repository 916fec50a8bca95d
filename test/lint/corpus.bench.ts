/**
 * Lint speed on the 680 corpus files, warm and repeated, next to what it is
 * made of: parsing alone (the yardstick: lint should cost at most 3x), the
 * IR, the RUN analysis of src/lower and src/shell, and BuildKit's checks
 * without the provenance rules.
 *
 *   npx vitest bench --run test/lint/corpus.bench.ts
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bench, describe } from 'vitest';
import { parseDockerfile } from '../../grammar/dockerfile/index.js';
import { buildIR } from '../../src/ir/index.js';
import { defaultAnalysis, lint, rules } from '../../src/lint/index.js';
import { corpusDir, corpusFiles, hasShared } from '../helpers/shared.js';

const files = corpusFiles().map((rel) => ({ file: rel, text: readFileSync(path.join(corpusDir, rel), 'utf8') }));
const withoutProvenance = rules.filter((r) => r.family !== 'scannable');
const options = { time: 3000, warmupIterations: 3 };

(hasShared ? describe : describe.skip)(`corpus: ${files.length} files`, () => {
  bench(
    'parse',
    () => {
      for (const f of files) parseDockerfile(f.text, f.file);
    },
    options,
  );
  bench(
    'parse + IR',
    () => {
      for (const f of files) {
        const p = parseDockerfile(f.text, f.file);
        if (p.ok) buildIR(p.tree);
      }
    },
    options,
  );
  bench(
    'parse + IR + analysis of every RUN',
    () => {
      for (const f of files) {
        const p = parseDockerfile(f.text, f.file);
        if (!p.ok) continue;
        const ir = buildIR(p.tree);
        const a = defaultAnalysis(ir);
        for (const s of ir.stages) for (const i of s.instructions) if (i.kind === 'run') a.runAnalysis!(i);
      }
    },
    options,
  );
  bench(
    'lint: core + BuildKit checks',
    () => {
      lint(files, { rules: withoutProvenance });
    },
    options,
  );
  bench(
    'lint: every rule',
    () => {
      lint(files);
    },
    options,
  );
});
