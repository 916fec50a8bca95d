/**
 * Parser benchmark: scannable's parser against dockerfile-ast (the editor-grade
 * parser) on the whole real corpus, warm, in one process; and the parse time
 * of 1x, 10x and 100x one corpus file, to show it grows linearly.
 */
import { DockerfileParser } from 'dockerfile-ast';
import { parseDockerfile } from '../grammar/dockerfile/index.js';
import { buildIR } from '../src/ir/index.js';
import { corpusBytes, mbps, timeIt, type CorpusFile } from './corpus.js';

export interface ParseBench {
  bytes: number;
  scannableMs: number;
  scannableIrMs: number;
  dockerfileAstMs: number;
  ratio: number;
  scaling: Array<{ copies: number; bytes: number; ms: number; nsPerByte: number }>;
}

export function benchParse(files: CorpusFile[]): ParseBench {
  const bytes = corpusBytes(files);
  const scannableMs = timeIt(() => {
    for (const f of files) parseDockerfile(f.text, f.rel);
  });
  const scannableIrMs = timeIt(() => {
    for (const f of files) {
      const p = parseDockerfile(f.text, f.rel);
      if (p.ok) buildIR(p.tree);
    }
  });
  const dockerfileAstMs = timeIt(() => {
    for (const f of files) DockerfileParser.parse(f.text);
  });

  // Linear growth: one mid-sized file repeated (valid Dockerfile text either way).
  const sample = [...files].sort((a, b) => a.text.length - b.text.length)[Math.floor(files.length * 0.9)]!;
  const scaling = [1, 10, 100].map((copies) => {
    const text = (sample.text.endsWith('\n') ? sample.text : sample.text + '\n').repeat(copies);
    const ms = timeIt(() => parseDockerfile(text, sample.rel), copies === 100 ? 5 : 15);
    const b = Buffer.byteLength(text);
    return { copies, bytes: b, ms, nsPerByte: (ms * 1e6) / b };
  });
  return { bytes, scannableMs, scannableIrMs, dockerfileAstMs, ratio: dockerfileAstMs / scannableMs, scaling };
}

export function printParseBench(r: ParseBench): void {
  console.log(`parse: ${(r.bytes / 1e6).toFixed(2)} MB corpus, warm median`);
  console.log(`  scannable parse        ${r.scannableMs.toFixed(1)} ms  ${mbps(r.bytes, r.scannableMs)}`);
  console.log(`  scannable parse + IR   ${r.scannableIrMs.toFixed(1)} ms  ${mbps(r.bytes, r.scannableIrMs)}`);
  console.log(`  dockerfile-ast         ${r.dockerfileAstMs.toFixed(1)} ms  ${mbps(r.bytes, r.dockerfileAstMs)}`);
  console.log(`  ratio dockerfile-ast / scannable = ${r.ratio.toFixed(2)}x (target >= 5x)`);
  console.log('  scaling (one corpus file repeated):');
  for (const s of r.scaling)
    console.log(
      `    ${String(s.copies).padStart(3)}x  ${String(s.bytes).padStart(8)} B  ${s.ms.toFixed(2)} ms  ${s.nsPerByte.toFixed(1)} ns/B`,
    );
}
