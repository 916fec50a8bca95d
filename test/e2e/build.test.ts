/**
 * End-to-end builds on the real engine: the examples, an unverified download,
 * a failing build. Every SBOM is checked against the CycloneDX 1.6 schema with
 * the library's strict validator.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_OWNER } from '../../src/engine/types.js';
import { TarSnapshotFs } from '../../src/snapshot/tar-fs.js';
import { provenanceToCycloneDX, validateCycloneDX } from '../../src/sbom/cyclonedx.js';
import { rootOrigin, type Provenance } from '../../src/track/provenance.js';
import { isValidSpdx } from '../../src/track/licenses/spdx.js';
import { buildExample, engine, examples } from '../helpers/build.js';
import { cleanup, describeEngine, testBuildId } from '../engine/helpers.js';

const sha256 = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describeEngine('scannable build on the real engine', () => {
  let jq: Provenance;
  beforeAll(async () => {
    jq = (await buildExample(path.join(examples, 'jq-curl'))).provenance;
  }, 600_000);

  it('records apt packages with purl, version, SPDX license, installing step and files', async () => {
    const pkg = (name: string) => jq.packages.find((p) => p.package.name === name && p.package.ecosystem === 'deb');
    for (const name of ['jq', 'curl', 'libjq1', 'libcurl4']) {
      const p = pkg(name)!;
      expect(p, name).toBeDefined();
      expect(p.package.purl).toMatch(new RegExp(`^pkg:deb/debian/${name}@`));
      expect(p.package.version).toBeTruthy();
      expect(isValidSpdx(p.package.licenseExpression!)).toBe(true);
      expect(p.step?.line).toBe(4);
      expect(p.files.length).toBeGreaterThan(0);
    }
    expect(pkg('jq')!.files).toContain('/usr/bin/jq');
    expect(pkg('bash')!.step).toBeUndefined();
    expect(pkg('bash')!.baseImage).toBe('debian:bookworm');
    expect(jq.packages.filter((p) => p.package.ecosystem === 'deb').length).toBe(107);
  });

  it('records the COPYed context file with its sha256', () => {
    const f = jq.files.find((x) => x.path === '/usr/local/bin/hello')!;
    expect(f.origin).toMatchObject({
      kind: 'context',
      path: 'hello.sh',
      sha256: sha256(path.join(examples, 'jq-curl', 'hello.sh')),
    });
    expect(f.origin.kind === 'context' && f.origin.step.line).toBe(7);
    expect(f.sha256).toBe(sha256(path.join(examples, 'jq-curl', 'hello.sh')));
  });

  it('gives at least 99% of files and symlinks an origin, listing the rest with their step', () => {
    expect(jq.coverage.files).toBeGreaterThan(5000);
    expect(jq.coverage.ratio).toBeGreaterThanOrEqual(0.99);
    const rest = jq.files
      .filter((f) => rootOrigin(f.origin).kind === 'unattributed')
      .map((f) => `${f.path} <- ${f.origin.kind === 'unattributed' ? f.origin.step.id : ''}`);
    process.stdout.write(
      `jq-curl coverage ${(jq.coverage.ratio * 100).toFixed(2)}% of ${jq.coverage.files}; unattributed: ${JSON.stringify(rest)}\n`,
    );
  });

  it('emits a valid CycloneDX 1.6 SBOM, byte-identical on a cached rebuild', async () => {
    const doc = provenanceToCycloneDX(jq);
    expect(await validateCycloneDX(doc)).toBeNull();
    const again = (await buildExample(path.join(examples, 'jq-curl'))).provenance;
    expect(again.steps.filter((s) => s.op !== 'config').every((s) => s.cached)).toBe(true);
    expect(JSON.stringify(provenanceToCycloneDX(again))).toBe(JSON.stringify(doc));
  }, 300_000);

  describe('an unverified download', () => {
    let server: http.Server;
    let port = 0;
    const payload = Buffer.from('#!/bin/sh\necho a tool that came from nowhere\n');
    beforeAll(async () => {
      server = http.createServer((_req, res) => res.end(payload));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('marks a curl-downloaded binary with no package as unattributed, lowering coverage', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-e2e-'));
      writeFileSync(
        path.join(dir, 'Dockerfile'),
        `FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\nRUN curl -fsSLo /usr/local/bin/tool http://127.0.0.1:${port}/tool && chmod +x /usr/local/bin/tool\n`,
      );
      const prov = (await buildExample(dir)).provenance;
      const tool = prov.files.find((f) => f.path === '/usr/local/bin/tool')!;
      expect(tool.origin).toMatchObject({ kind: 'unattributed', step: { line: 3 } });
      expect(tool.sha256).toBe(createHash('sha256').update(payload).digest('hex'));
      expect(prov.coverage.ratio).toBeLessThan(1);
      expect(prov.steps.find((s) => s.step.line === 3)!.observed.unattributed).toBe(1);
      expect(await validateCycloneDX(provenanceToCycloneDX(prov))).toBeNull();
    }, 300_000);

    it('takes the hashes of what a long RUN wrote while it ran only where they are still true', async () => {
      // /data/same is hashed while the RUN sleeps, then rewritten with the same size, inode and mtime:
      // only its ctime says that the hash taken before is stale.
      const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-e2e-'));
      writeFileSync(
        path.join(dir, 'Dockerfile'),
        `FROM busybox\nRUN wget -q -O /tool http://127.0.0.1:${port}/tool && mkdir /data \\\n` +
          ` && for i in 1 2 3 4 5 6; do head -c 300000 /dev/urandom > /data/f$i; sleep 0.3; done \\\n` +
          ` && printf aaaa > /data/same && touch -r /bin/busybox /data/same && sleep 1.5 \\\n` +
          ` && printf bbbb > /data/same && touch -r /bin/busybox /data/same\n`,
      );
      const out = await buildExample(dir, { noCache: true });
      const buildId = testBuildId('written-hashes');
      const image = await TarSnapshotFs.fromStream(await engine.readImage(out.imageId, undefined, buildId));
      try {
        const written = out.provenance.files.filter((f) => f.path === '/tool' || f.path.startsWith('/data/'));
        expect(written.map((f) => f.path).sort()).toEqual([
          '/data/f1',
          '/data/f2',
          '/data/f3',
          '/data/f4',
          '/data/f5',
          '/data/f6',
          '/data/same',
          '/tool',
        ]);
        for (const f of written) expect(f.sha256, f.path).toBe(image.sha256(f.path));
        expect(written.find((f) => f.path === '/data/same')!.sha256).toBe(
          createHash('sha256').update('bbbb').digest('hex'),
        );
      } finally {
        image.close();
        await cleanup(engine, buildId);
      }
    }, 300_000);
  });

  it('keeps the origin chain of a binary built in another stage', async () => {
    const prov = (await buildExample(path.join(examples, 'multistage-c'))).provenance;
    const hello = prov.files.find((f) => f.path === '/usr/local/bin/hello')!;
    expect(hello.origin).toMatchObject({ kind: 'stage', stageName: 'builder', path: '/out/hello', step: { line: 12 } });
    const inner = rootOrigin(hello.origin);
    expect(inner).toMatchObject({ kind: 'built', step: { line: 9 } });
    expect(inner.kind === 'built' && ['cc', 'gcc']).toContain(inner.kind === 'built' ? inner.tool : '');
    expect(inner.kind === 'built' && inner.sources.map((s) => (s.kind === 'context' ? s.path : s.kind))).toContain(
      'hello.c',
    );
    expect(prov.buildPackages.map((p) => p.package.name)).toContain('gcc');
    expect(await validateCycloneDX(provenanceToCycloneDX(prov))).toBeNull();
  }, 600_000);

  it('traces the concourse release through the assets stage to the context tarball', async () => {
    const dir = path.join(examples, 'concourse');
    execFileSync('bash', [path.join(dir, 'make-release.sh')]);
    const prov = (await buildExample(dir)).provenance;
    const bin = prov.files.find((f) => f.path === '/usr/local/concourse/bin/concourse')!;
    expect(bin.origin).toMatchObject({ kind: 'stage', stageName: 'assets' });
    expect(rootOrigin(bin.origin)).toMatchObject({
      kind: 'context',
      path: 'linux-rc/concourse-7.99.0-linux-amd64.tgz',
      sha256: sha256(path.join(dir, 'linux-rc', 'concourse-7.99.0-linux-amd64.tgz')),
      member: 'concourse/bin/concourse',
    });
    for (const name of ['btrfs-progs', 'ca-certificates', 'dumb-init', 'iproute2', 'file']) {
      const p = prov.packages.find((x) => x.package.name === name);
      expect(p?.step?.line, name).toBe(17);
      expect(p!.package.licenseExpression, name).toBeTruthy();
    }
    expect(prov.image.config).toMatchObject({
      Entrypoint: ['dumb-init', '/usr/local/concourse/bin/concourse'],
      StopSignal: 'SIGUSR2',
      Volumes: { '/worker-state': {} },
    });
    // The name looks secret (BuildKit's word list: KEY), so the SBOM's copy of the config holds no value;
    // the image's own config keeps it, as docker's does.
    expect(prov.image.config.Env).toContain('CONCOURSE_SESSION_SIGNING_KEY=<redacted>');
    expect(prov.coverage.ratio).toBeGreaterThanOrEqual(0.99);
    expect(await validateCycloneDX(provenanceToCycloneDX(prov))).toBeNull();
  }, 600_000);

  it('a rebuild from the cache writes the SBOM the build wrote, made later, without rendering it again', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-e2e-'));
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox\nCOPY a.txt /a.txt\nRUN echo ran > /ran\n');
    writeFileSync(path.join(dir, 'a.txt'), 'a\n');
    const cli = path.join(examples, '..', 'bin', 'scannable.js');
    const env = { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') };
    const run = (out: string) =>
      execFileSync('node', [cli, 'build', '--progress', 'quiet', '--no-report', '--sbom', path.join(dir, out), dir], {
        stdio: 'pipe',
        env,
      });
    run('first.json');
    // The tracker's result, written while the SBOM validated (BuildRequest.later), is there for the rebuild.
    expect(readdirSync(path.join(dir, 'cache', 'scannable', 'steps', 'tracks'))).toHaveLength(1);
    const memo = path.join(dir, 'cache', 'scannable', 'sbom');
    const kept = readdirSync(memo);
    expect(kept).toHaveLength(1);
    const keptAt = statSync(path.join(memo, kept[0]!)).mtimeMs;
    run('second.json');
    // Read back, not written again: the same file, untouched.
    expect(readdirSync(memo)).toEqual(kept);
    expect(statSync(path.join(memo, kept[0]!)).mtimeMs).toBe(keptAt);
    const [first, second] = ['first.json', 'second.json'].map((f) => readFileSync(path.join(dir, f), 'utf8')) as [
      string,
      string,
    ];
    const timestamp = (json: string) => (JSON.parse(json) as { metadata: { timestamp: string } }).metadata.timestamp;
    expect(timestamp(second) > timestamp(first)).toBe(true);
    expect(second.replace(timestamp(second), '')).toBe(first.replace(timestamp(first), ''));
  }, 120_000);

  it('a build that fails mid-way leaves no containers and no SBOM', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-e2e-'));
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      'FROM busybox\nRUN echo before > /x\nRUN echo failing here >&2; exit 7\nRUN echo never\n',
    );
    const sbom = path.join(dir, 'out.cdx.json');
    const cli = path.join(examples, '..', 'bin', 'scannable.js');
    let status = 0;
    let stderr = '';
    try {
      execFileSync('node', [cli, 'build', '--progress', 'json', '--sbom', sbom, dir], {
        stdio: 'pipe',
        env: { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') },
      });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = String((e as { stderr: Buffer }).stderr);
    }
    const events = stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { event: string; buildId?: string; text?: string; message?: string });
    const buildId = events.find((e) => e.event === 'begin')?.buildId;
    expect(buildId).toMatch(/^[0-9a-f]{16}$/);
    stderr =
      events.map((e) => e.text ?? e.message ?? '').join('') +
      stderr
        .split('\n')
        .filter((l) => !l.startsWith('{'))
        .join('\n');
    expect(status).toBe(1);
    expect(stderr).toContain('the command exited with code 7');
    expect(stderr).toContain('failing here');
    expect(stderr).toContain('line 3');
    expect(existsSync(sbom)).toBe(false);
    expect(await engine.listContainers({ [LABEL_OWNER]: undefined, 'io.scannable.build': buildId })).toEqual([]);
  }, 300_000);
});
