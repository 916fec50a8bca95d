/**
 * Build benchmark: each example built with `docker build` (the engine's
 * legacy builder) and with `scannable build`, in one run, cold (`--no-cache`
 * on both sides), then a cached scannable rebuild (targets: cold <= 1.2x
 * docker, cached rebuild <= 10% of scannable's cold build). The ratio is the
 * median of the per-round ratios.
 *
 * scannable's cache directory lives for the whole run, as a user's does:
 * `--no-cache` reuses no step, but the schema validator compiled once per
 * installation (docker's counterpart is its own binary) is not rebuilt. One
 * untimed build first compiles it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './corpus.js';

const DOCKER = '/usr/bin/docker';

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.toString().slice(-2000)}`);
  return ms;
}

export interface BuildBenchRow {
  example: string;
  /** Medians over the rounds. */
  dockerMs: number;
  coldMs: number;
  cachedMs: number;
  /** scannable cold / docker, per round (each pair built back to back, so under the same load). */
  ratios: number[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * `rounds` rounds (SCANNABLE_BENCH_ROUNDS, default 3); in each, every example is
 * built by docker and by scannable back to back, then rebuilt from scannable's
 * cache. A RUN that downloads varies by seconds between runs; medians of
 * back-to-back pairs keep that out of the ratio.
 */
export function benchBuild(examples = ['jq-curl', 'multistage-c', 'concourse'], rounds = Number(process.env.SCANNABLE_BENCH_ROUNDS ?? 3)): BuildBenchRow[] {
  spawnSync('bash', [path.join(repoRoot, 'examples', 'concourse', 'make-release.sh')]);
  const cache = mkdtempSync(path.join(os.tmpdir(), 'scannable-bench-cache-'));
  const cli = (ex: string, noCache: boolean) => [
    'bin/scannable.js',
    'build',
    ...(noCache ? ['--no-cache'] : []),
    '--progress',
    'quiet',
    '--no-report',
    '--network',
    'host',
    '-t',
    `scannable-bench/scannable-${ex}`,
    '--sbom',
    path.join(cache, 'sbom.json'),
    path.join('examples', ex),
  ];
  try {
    timed('node', cli(examples[0]!, true), { XDG_CACHE_HOME: cache });
    return rounds > 0 ? benchRounds(examples, rounds, cache, cli) : [];
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

function benchRounds(examples: string[], rounds: number, cache: string, cli: (ex: string, noCache: boolean) => string[]): BuildBenchRow[] {
  const runs = new Map<string, { docker: number[]; cold: number[]; cached: number[] }>(examples.map((ex) => [ex, { docker: [], cold: [], cached: [] }]));
  for (let round = 0; round < rounds; round++) {
    for (const ex of examples) {
      const r = runs.get(ex)!;
      r.docker.push(timed(DOCKER, ['build', '-q', '--no-cache', '--network', 'host', '-t', `scannable-bench/docker-${ex}`, path.join('examples', ex)], { DOCKER_BUILDKIT: '0' }));
      r.cold.push(timed('node', cli(ex, true), { XDG_CACHE_HOME: cache }));
      r.cached.push(timed('node', cli(ex, false), { XDG_CACHE_HOME: cache }));
    }
  }
  return examples.map((ex) => {
    const r = runs.get(ex)!;
    return { example: ex, dockerMs: median(r.docker), coldMs: median(r.cold), cachedMs: median(r.cached), ratios: r.cold.map((c, i) => c / r.docker[i]!) };
  });
}

export function printBuildBench(rows: BuildBenchRow[]): void {
  const rounds = rows[0]?.ratios.length ?? 0;
  console.log(`build: docker build --no-cache (legacy builder) vs scannable build --no-cache, then scannable's cached rebuild; medians of ${rounds} round(s)`);
  console.log(`  ${'example'.padEnd(14)}${'docker'.padStart(9)}${'scannable'.padStart(11)}${'ratio'.padStart(8)}${'cached'.padStart(9)}${'cached/cold'.padStart(13)}   ratio per round`);
  for (const r of rows) {
    console.log(
      `  ${r.example.padEnd(14)}${(r.dockerMs / 1000).toFixed(1).padStart(8)}s${(r.coldMs / 1000).toFixed(1).padStart(10)}s${median(r.ratios).toFixed(2).padStart(7)}x${(r.cachedMs / 1000).toFixed(1).padStart(8)}s${((r.cachedMs / r.coldMs) * 100).toFixed(0).padStart(11)}%   ${r.ratios.map((x) => x.toFixed(2)).join(' ')}`,
    );
  }
  console.log('  targets: ratio <= 1.2x, cached/cold <= 10%');
}
