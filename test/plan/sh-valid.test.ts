/**
 * `plan --format sh` is valid bash for every corpus file BuildKit accepts and
 * that does not switch to a Windows shell.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { parseDockerfile } from '../../grammar/dockerfile/index.js';
import { buildIR } from '../../src/ir/index.js';
import { lower } from '../../src/lower/index.js';
import { planToSh } from '../../src/plan/sh.js';
import { corpusDir, corpusFiles, describeShared } from '../helpers/shared.js';

const windowsShell = (argv: string[]) => /(^|[\\/])(pwsh|powershell|cmd)(\.exe)?$/i.test(argv[0] ?? '');

describeShared('plan --format sh is valid bash on the corpus', () => {
  const checked: string[] = [];
  const skipped: Record<string, number> = { 'BuildKit refuses the file': 0, 'Windows SHELL': 0 };
  it('bash -n accepts every generated script', () => {
    for (const rel of corpusFiles()) {
      const p = parseDockerfile(readFileSync(path.join(corpusDir, rel), 'utf8'), rel);
      if (!p.ok) throw new Error(`${rel}: ${p.diagnostics[0]!.message}`);
      const ir = buildIR(p.tree);
      if (ir.diagnostics.some((d) => d.severity === 'error')) {
        skipped['BuildKit refuses the file']!++;
        continue;
      }
      if (ir.stages.some((s) => s.instructions.some((i) => i.kind === 'shell' && windowsShell(i.argv)))) {
        skipped['Windows SHELL']!++;
        continue;
      }
      const script = planToSh(lower(ir), { context: '.' });
      const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
      expect(r.status, `${rel}: ${r.stderr}`).toBe(0);
      checked.push(rel);
    }
    process.stdout.write(`plan sh: ${checked.length} scripts valid; skipped ${JSON.stringify(skipped)}\n`);
    expect(checked.length + skipped['BuildKit refuses the file']! + skipped['Windows SHELL']!).toBe(680);
    expect(skipped['BuildKit refuses the file']).toBe(13);
  });
});
