/**
 * Build benchmark: each example built with `docker build` (the engine's
 * legacy builder) and with `scannable build`, in one run, cold (no cache on
 * either side), then a cached scannable rebuild (targets: cold <= 1.2x docker,
 * cached rebuild <= 10% of scannable's cold build).
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
  dockerMs: number;
  coldMs: number;
  cachedMs: number;
}

export function benchBuild(examples = ['jq-curl', 'multistage-c', 'concourse']): BuildBenchRow[] {
  spawnSync('bash', [path.join(repoRoot, 'examples', 'concourse', 'make-release.sh')]);
  const rows: BuildBenchRow[] = [];
  for (const ex of examples) {
    const dir = path.join('examples', ex);
    const cache = mkdtempSync(path.join(os.tmpdir(), 'scannable-bench-cache-'));
    try {
      const dockerMs = timed(DOCKER, ['build', '-q', '--no-cache', '--network', 'host', '-t', `scannable-bench/docker-${ex}`, dir], { DOCKER_BUILDKIT: '0' });
      const cli = ['bin/scannable.js', 'build', '--progress', 'quiet', '--no-report', '--network', 'host', '-t', `scannable-bench/scannable-${ex}`, '--sbom', path.join(cache, 'sbom.json'), dir];
      const coldMs = timed('node', cli, { XDG_CACHE_HOME: cache });
      const cachedMs = timed('node', cli, { XDG_CACHE_HOME: cache });
      rows.push({ example: ex, dockerMs, coldMs, cachedMs });
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }
  return rows;
}

export function printBuildBench(rows: BuildBenchRow[]): void {
  console.log('build: docker build (legacy builder) vs scannable build, cold, then scannable cached rebuild');
  console.log(`  ${'example'.padEnd(14)}${'docker'.padStart(9)}${'scannable'.padStart(11)}${'ratio'.padStart(8)}${'cached'.padStart(9)}${'cached/cold'.padStart(13)}`);
  for (const r of rows) {
    console.log(
      `  ${r.example.padEnd(14)}${(r.dockerMs / 1000).toFixed(1).padStart(8)}s${(r.coldMs / 1000).toFixed(1).padStart(10)}s${(r.coldMs / r.dockerMs).toFixed(2).padStart(7)}x${(r.cachedMs / 1000).toFixed(1).padStart(8)}s${((r.cachedMs / r.coldMs) * 100).toFixed(0).padStart(11)}%`,
    );
  }
  console.log('  targets: ratio <= 1.2x, cached/cold <= 10%');
}
