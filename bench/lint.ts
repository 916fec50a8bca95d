/**
 * Lint throughput on the real corpus, warm, in one process, printed beside
 * parsing alone for scale. There is no target: lint has no user-visible cost.
 */
import { parseDockerfile } from '../grammar/dockerfile/index.js';
import { lint } from '../src/lint/index.js';
import { corpusBytes, mbps, timeIt, type CorpusFile } from './corpus.js';

export interface LintBench {
  bytes: number;
  parseMs: number;
  lintMs: number;
  ratio: number;
  findings: number;
}

export function benchLint(files: CorpusFile[]): LintBench {
  const bytes = corpusBytes(files);
  const inputs = files.map((f) => ({ file: f.rel, text: f.text }));
  const parseMs = timeIt(() => {
    for (const f of files) parseDockerfile(f.text, f.rel);
  });
  let findings = 0;
  const lintMs = timeIt(() => {
    findings = lint(inputs).findings.length;
  });
  return { bytes, parseMs, lintMs, ratio: lintMs / parseMs, findings };
}

export function printLintBench(r: LintBench): void {
  console.log(`lint: the same corpus, default rules (parse, IR, shell analysis, rules), warm median`);
  console.log(`  parse only   ${r.parseMs.toFixed(1)} ms  ${mbps(r.bytes, r.parseMs)}`);
  console.log(`  lint         ${r.lintMs.toFixed(1)} ms  ${mbps(r.bytes, r.lintMs)}  (${r.findings} findings)`);
  console.log(`  lint / parse = ${r.ratio.toFixed(2)}x`);
}
