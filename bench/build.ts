/**
 * Build benchmark: each example built with `docker build` (the engine's
 * BuildKit, what docker build runs today) and with `scannable build`, in one run, cold (`--no-cache`
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
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './corpus.js';

const DOCKER = '/usr/bin/docker';

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 << 20,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.toString().slice(-2000)}`);
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
 * cache. A RUN that downloads from the Debian mirror varied by seconds between
 * two builds, so both builders' RUNs go through a caching proxy on loopback
 * (bench/apt-proxy.ts), filled by one untimed docker build of each example
 * first: then no timed build downloads anything (SCANNABLE_BENCH_MIRROR=direct
 * measures against the mirror itself).
 */
export function benchBuild(
  examples = ['jq-curl', 'multistage-c', 'concourse'],
  rounds = Number(process.env.SCANNABLE_BENCH_ROUNDS ?? 3),
): BuildBenchRow[] {
  spawnSync('bash', [path.join(repoRoot, 'examples', 'concourse', 'make-release.sh')]);
  const cache = mkdtempSync(path.join(os.tmpdir(), 'scannable-bench-cache-'));
  const proxy = process.env.SCANNABLE_BENCH_MIRROR === 'direct' ? undefined : startProxy(path.join(cache, 'apt-proxy'));
  const proxyArgs = proxy ? ['--build-arg', `http_proxy=http://127.0.0.1:${proxy.port}`] : [];
  const cli = (ex: string, noCache: boolean) => [
    'bin/scannable.js',
    'build',
    ...proxyArgs,
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
  const docker = (ex: string) => [
    'build',
    '-q',
    '--no-cache',
    ...proxyArgs,
    '--network',
    'host',
    '-t',
    `scannable-bench/docker-${ex}`,
    path.join('examples', ex),
  ];
  try {
    if (proxy) for (const ex of examples) timed(DOCKER, docker(ex), { DOCKER_BUILDKIT: '1' });
    timed('node', cli(examples[0]!, true), { XDG_CACHE_HOME: cache });
    return rounds > 0 ? benchRounds(examples, rounds, cache, cli, docker) : [];
  } finally {
    proxy?.stop();
    rmSync(cache, { recursive: true, force: true });
  }
}

/** bench/apt-proxy.js in its own process (the builds here are run synchronously). */
function startProxy(dir: string): { port: number; stop(): void } {
  const script = path.join(repoRoot, 'dist', 'bench', 'apt-proxy.js');
  const portFile = `${dir}.port`;
  // Started through the shell so that it outlives this synchronous call; its port is written to a file.
  const r = spawnSync(
    'bash',
    ['-c', `node "$0" "$1" > "$2" 2> "$2.log" < /dev/null & echo $!`, script, dir, portFile],
    { encoding: 'utf8' },
  );
  const pid = Number(r.stdout.trim());
  for (let i = 0; i < 100; i++) {
    const port = Number(existsSync(portFile) ? readFileSync(portFile, 'utf8').trim() : '');
    if (port > 0) return { port, stop: () => process.kill(pid) };
    spawnSync('sleep', ['0.05']);
  }
  process.kill(pid);
  throw new Error("the benchmark's apt proxy did not start");
}

function benchRounds(
  examples: string[],
  rounds: number,
  cache: string,
  cli: (ex: string, noCache: boolean) => string[],
  docker: (ex: string) => string[],
): BuildBenchRow[] {
  const runs = new Map<string, { docker: number[]; cold: number[]; cached: number[] }>(
    examples.map((ex) => [ex, { docker: [], cold: [], cached: [] }]),
  );
  for (let round = 0; round < rounds; round++) {
    for (const ex of examples) {
      const r = runs.get(ex)!;
      r.docker.push(timed(DOCKER, docker(ex), { DOCKER_BUILDKIT: '1' }));
      r.cold.push(timed('node', cli(ex, true), { XDG_CACHE_HOME: cache }));
      r.cached.push(timed('node', cli(ex, false), { XDG_CACHE_HOME: cache }));
    }
  }
  return examples.map((ex) => {
    const r = runs.get(ex)!;
    return {
      example: ex,
      dockerMs: median(r.docker),
      coldMs: median(r.cold),
      cachedMs: median(r.cached),
      ratios: r.cold.map((c, i) => c / r.docker[i]!),
    };
  });
}

export function printBuildBench(rows: BuildBenchRow[]): void {
  const rounds = rows[0]?.ratios.length ?? 0;
  const via =
    process.env.SCANNABLE_BENCH_MIRROR === 'direct'
      ? 'the Debian mirror directly'
      : 'a local caching proxy (no timed build downloads)';
  console.log(
    `build: docker build --no-cache (BuildKit) vs scannable build --no-cache, then scannable's cached rebuild; medians of ${rounds} round(s); apt through ${via}`,
  );
  console.log(
    `  ${'example'.padEnd(14)}${'docker'.padStart(9)}${'scannable'.padStart(11)}${'ratio'.padStart(8)}${'cached'.padStart(9)}${'cached/cold'.padStart(13)}   ratio per round`,
  );
  for (const r of rows) {
    console.log(
      `  ${r.example.padEnd(14)}${(r.dockerMs / 1000).toFixed(1).padStart(8)}s${(r.coldMs / 1000).toFixed(1).padStart(10)}s${median(r.ratios).toFixed(2).padStart(7)}x${(r.cachedMs / 1000).toFixed(1).padStart(8)}s${((r.cachedMs / r.coldMs) * 100).toFixed(0).padStart(11)}%   ${r.ratios.map((x) => x.toFixed(2)).join(' ')}`,
    );
  }
  console.log('  targets: ratio <= 1.2x, cached/cold <= 10%');
  const startup = nodeStartupCost();
  if (startup) {
    console.log(
      `  note: NODE_EXTRA_CA_CERTS is set in this environment, which slows Node's own start-up: ` +
        `node -e 0 takes ${startup.withIt.toFixed(0)} ms with it, ${startup.without.toFixed(0)} ms without; every scannable run above pays the difference, docker's CLI does not`,
    );
  }
}

/** Node's start-up with and without NODE_EXTRA_CA_CERTS (medians of 7), when it is set; undefined otherwise. */
function nodeStartupCost(): { withIt: number; without: number } | undefined {
  if (!process.env.NODE_EXTRA_CA_CERTS) return undefined;
  const { NODE_EXTRA_CA_CERTS: _, ...without } = process.env;
  const time = (env: NodeJS.ProcessEnv) => {
    const t0 = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '0'], { env });
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 7; i++) {
    a.push(time(process.env));
    b.push(time(without));
  }
  return { withIt: median(a), without: median(b) };
}
