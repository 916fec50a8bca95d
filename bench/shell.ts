/**
 * Throughput of the shell grammar and the RUN analysis over every RUN script
 * of the real corpus, next to Dockerfile parsing of the same files.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/shell.js [rounds]
 *
 * Reports the best of `rounds` (default 15) for each phase, in CPU time of
 * this process: other work on the machine only ever makes a round slower.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDockerfile } from '../grammar/dockerfile/index.js';
import { parseShell } from '../grammar/shell/index.js';
import { analyzeScript } from '../src/shell/index.js';
import { runScript, type RunScript } from '../src/shell/run.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.basename(path.dirname(here)) === 'dist' ? path.resolve(here, '..', '..') : path.resolve(here, '..');
const corpus = path.join(process.env.SCANNABLE_SHARED ?? path.resolve(repo, '..', 'shared'), 'corpus', 'real');

const files: string[] = [];
for (const dir of readdirSync(corpus).sort()) {
  const full = path.join(corpus, dir);
  if (statSync(full).isDirectory())
    for (const f of readdirSync(full).sort()) files.push(readFileSync(path.join(full, f), 'utf8'));
}

const scripts: Array<RunScript & { shell?: string[] }> = [];
for (const text of files) {
  const parsed = parseDockerfile(text);
  if (!parsed.ok) continue;
  let shell: string[] | undefined;
  for (const ins of parsed.tree.instructions) {
    const k = ins.keyword.toLowerCase();
    if (k === 'from') shell = undefined;
    if (k === 'shell' && ins.json) shell = ins.args;
    const s = runScript(ins);
    // A heredoc with a shebang runs under its own interpreter.
    const program = s?.shebang ?? shell;
    if (s !== null) scripts.push(program ? { ...s, shell: program } : s);
  }
}

const dockerfileBytes = files.reduce((n, t) => n + t.length, 0);
const runBytes = scripts.reduce((n, s) => n + s.script.length, 0);
const rounds = Number(process.argv[2] ?? 15);

function best(fn: () => void): number {
  let min = Infinity;
  for (let i = 0; i < rounds; i++) {
    const t = process.cpuUsage();
    fn();
    const used = process.cpuUsage(t);
    min = Math.min(min, (used.user + used.system) / 1000);
  }
  return min;
}

const mbps = (bytes: number, ms: number): string => `${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s`;

let parsedClean = 0;
for (const s of scripts) if (parseShell(s.script).errors.length === 0) parsedClean++;

const dockerfile = best(() => {
  for (const t of files) parseDockerfile(t);
});
const shell = best(() => {
  for (const s of scripts) parseShell(s.script);
});
const analysis = best(() => {
  for (const s of scripts)
    analyzeScript(s.script, s.shell ? { shell: s.shell, origin: s.origin } : { origin: s.origin });
});

console.log(
  `corpus: ${files.length} Dockerfiles, ${(dockerfileBytes / 1e6).toFixed(2)} MB; ${scripts.length} RUN scripts, ${(runBytes / 1e6).toFixed(2)} MB`,
);
console.log(`RUN scripts parsed without error: ${parsedClean}/${scripts.length}`);
console.log(`Dockerfile parse:          ${dockerfile.toFixed(1)} ms  ${mbps(dockerfileBytes, dockerfile)}`);
console.log(`shell parse (RUN scripts): ${shell.toFixed(1)} ms  ${mbps(runBytes, shell)}`);
console.log(
  `analyzeScript (RUN):       ${analysis.toFixed(1)} ms  ${mbps(runBytes, analysis)}  (${(analysis / dockerfile).toFixed(2)}x Dockerfile parsing of the corpus)`,
);
