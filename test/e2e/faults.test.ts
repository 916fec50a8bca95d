/**
 * Engine faults, injected by a proxy between scannable and the real engine
 * (test/helpers/engine-proxy.ts): the connection dropped during a RUN, during
 * a commit, during putArchive and while the built image is read for tracking;
 * the engine answering an error; the engine slower than the engine timeout.
 *
 * Each must give one clear error naming the step (no stack trace), leave no
 * container (and no image) of the build behind, write no partial SBOM, and a
 * rerun without the fault must succeed, reusing the cached steps from before
 * the failure.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BuildStepError, type BuildOutcome, type BuildRequest } from '../../src/build/builder.js';
import { buildExample } from '../helpers/build.js';
import { DockerEngine, EngineTimeoutError } from '../../src/engine/docker/client.js';
import { LABEL_BUILD, snapshotLabel } from '../../src/engine/types.js';
import { runCli, STACK_FRAME } from '../helpers/cli.js';
import { EngineProxy, type FaultRule } from '../helpers/engine-proxy.js';
import { describeEngine, testBuildId } from '../engine/helpers.js';

const direct = new DockerEngine();

/** A two-step busybox build nobody else has built: a COPY, then a RUN. */
function context(tag: string, run = 'sleep 1 && echo ran > /ran.txt'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `scannable-fault-${tag}-`));
  const token = `${tag}-${process.pid}-${Date.now()}-${Math.random()}`;
  writeFileSync(path.join(dir, 'Dockerfile'), `FROM busybox:latest\nCOPY data.txt /data.txt\nRUN ${run} # ${token}\n`);
  writeFileSync(path.join(dir, 'data.txt'), `${token}\n`.repeat(200));
  return dir;
}

function scannableBuild(
  dir: string,
  engine: DockerEngine,
  buildId: string,
  extra: Partial<BuildRequest> = {},
): Promise<BuildOutcome> {
  return buildExample(dir, { engine, cacheDir: path.join(dir, '.cache'), buildId, ...extra });
}

/** What a build left in the engine: containers and images by its label, and its step snapshots (drafts). */
async function leftovers(buildId: string): Promise<{ containers: number; images: number; snapshots: number }> {
  const label = { [LABEL_BUILD]: buildId };
  return {
    containers: (await direct.listContainers(label)).length,
    images: (await direct.listImages(label)).length,
    snapshots: (await direct.listImages({ [LABEL_BUILD]: snapshotLabel(buildId) })).length,
  };
}

interface FaultCase {
  name: string;
  rules: FaultRule[];
  /** The failing step's line and instruction keyword. */
  line: number;
  keyword: string;
  reason: RegExp;
  timeoutMs?: number;
  /** Steps (op ids) the rerun must take from the cache. */
  cachedOnRerun: string[];
  extra?: Partial<BuildRequest>;
}

const CASES: FaultCase[] = [
  {
    name: 'connection dropped while a RUN step runs (during its wait)',
    rules: [
      { method: 'POST', path: /^\/containers\/[^/]+\/wait$/, fault: { kind: 'drop', when: 'response', afterMs: 300 } },
    ],
    line: 3,
    keyword: 'RUN',
    reason: /wait for container \w+: the connection to the engine at unix:\/\/.*broke before the engine answered/,
    cachedOnRerun: ['s0.1'],
  },
  {
    name: 'connection dropped during the commit of the RUN step (the engine committed, the answer is lost)',
    rules: [{ method: 'POST', path: /^\/commit$/, nth: 2, fault: { kind: 'drop', when: 'response' } }],
    line: 3,
    keyword: 'RUN',
    reason: /commit container \w+: the connection to the engine .* broke/,
    cachedOnRerun: ['s0.1'],
  },
  {
    name: 'the engine answers 500 when asked what the RUN step changed (asked while later steps run)',
    // Steps' changes are otherwise read from their layers; exported, every step asks the engine.
    extra: { readLayerDirs: false },
    rules: [
      {
        method: 'GET',
        path: /^\/containers\/[^/]+\/changes$/,
        nth: 2,
        fault: { kind: 'status', status: 500, message: 'injected fault: changes failed' },
      },
    ],
    line: 3,
    keyword: 'RUN',
    reason: /changes of container \w+: injected fault: changes failed/,
    cachedOnRerun: ['s0.1'],
  },
  {
    name: 'connection dropped while COPY uploads its files (putArchive)',
    rules: [
      {
        method: 'PUT',
        path: /^\/containers\/[^/]+\/archive$/,
        fault: { kind: 'drop', when: 'upload', afterBytes: 1024 },
      },
    ],
    line: 2,
    keyword: 'COPY',
    reason: /copy files into container \w+ at \/: the connection to the engine .* broke/,
    cachedOnRerun: [],
  },
  {
    name: 'the engine answers 500 when the RUN step creates its container',
    rules: [
      {
        method: 'POST',
        path: /^\/containers\/create$/,
        nth: 2,
        fault: { kind: 'status', status: 500, message: 'injected fault: no space left on device' },
      },
    ],
    line: 3,
    keyword: 'RUN',
    reason: /create container from \w+: injected fault: no space left on device/,
    cachedOnRerun: ['s0.1'],
  },
  {
    name: 'the engine is slower than the engine timeout (a commit held 15 s, timeout 3 s)',
    rules: [{ method: 'POST', path: /^\/commit$/, nth: 2, fault: { kind: 'delay', ms: 15_000 } }],
    timeoutMs: 3000,
    line: 3,
    keyword: 'RUN',
    reason:
      /commit container \w+: the engine did not answer within 3 s \(the engine timeout; raise it with --engine-timeout/,
    cachedOnRerun: ['s0.1'],
  },
];

describeEngine('engine faults through a proxy', () => {
  let proxy: EngineProxy;
  beforeAll(async () => {
    proxy = await EngineProxy.start();
  });
  afterAll(async () => {
    await proxy?.close();
  });

  for (const c of CASES) {
    it(
      c.name,
      async () => {
        const dir = context(c.keyword.toLowerCase());
        const buildId = testBuildId('fault');
        proxy.setRules(c.rules);
        const engine = new DockerEngine({
          env: { DOCKER_HOST: proxy.dockerHost },
          ...(c.timeoutMs ? { timeoutMs: c.timeoutMs } : {}),
        });
        const err = await scannableBuild(dir, engine, buildId, c.extra).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(
          proxy.log.some((r) => r.fault),
          'the fault was injected',
        ).toBe(true);
        expect(err).toBeInstanceOf(BuildStepError);
        const e = err as BuildStepError;
        expect(e.step.line).toBe(c.line);
        expect(e.message.split('\n')[0]).toMatch(new RegExp(`^${c.keyword} `));
        expect(e.message).toContain(`at line ${c.line}: `);
        expect(e.reason).toMatch(c.reason);
        expect(e.message).not.toMatch(STACK_FRAME);
        if (c.timeoutMs) expect(e.reason).not.toMatch(/EngineTimeoutError/);
        // The snapshots of the steps in the step cache stay; one whose commit never answered, or whose changes are unknown, does not.
        expect(await leftovers(buildId)).toEqual({ containers: 0, images: 0, snapshots: c.cachedOnRerun.length });

        // The same build without the fault, straight to the engine: it succeeds from the cache.
        const again = await scannableBuild(dir, direct, testBuildId('fault-rerun'));
        const cached = again.provenance.steps.filter((s) => s.cached).map((s) => s.step.id);
        for (const id of c.cachedOnRerun) expect(cached).toContain(id);
        expect(again.provenance.files.find((f) => f.path === '/ran.txt')).toBeDefined();
      },
      120_000,
    );
  }

  it('--engine-timeout and SCANNABLE_ENGINE_TIMEOUT take seconds; anything else is a usage error (exit 2) before any build', async () => {
    const dir = context('usage');
    const flag = await runCli(['build', '--engine-timeout', 'soon', dir]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain(
      'scannable: invalid --engine-timeout "soon": give a number of seconds (0 for no limit)',
    );
    const env = await runCli(['build', dir], { env: { SCANNABLE_ENGINE_TIMEOUT: '-1' } });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain(
      'scannable: SCANNABLE_ENGINE_TIMEOUT must be a number of seconds (0 for no limit), not "-1"',
    );
    // With --sbom every usage error also ends the process (the schema validator's worker must not keep it alive).
    const sbom = await runCli([
      'build',
      '--sbom',
      path.join(dir, 'missing', 'sbom.json'),
      '--engine-timeout',
      'soon',
      dir,
    ]);
    expect(sbom.code).toBe(2);
    const missing = await runCli(['build', '--sbom', path.join(dir, 'missing', 'sbom.json'), dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('its directory does not exist');
    expect(flag.stderr + env.stderr + sbom.stderr + missing.stderr).not.toMatch(STACK_FRAME);
  }, 60_000);

  it('the engine timeout error is an EngineTimeoutError underneath (exit code 3)', async () => {
    proxy.setRules([{ method: 'GET', path: /^\/images\/[^/]+\/json$/, fault: { kind: 'delay', ms: 3000 } }]);
    const engine = new DockerEngine({ env: { DOCKER_HOST: proxy.dockerHost }, timeoutMs: 500 });
    await engine.ping();
    const e = await engine.inspectImage('busybox:latest').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EngineTimeoutError);
    expect((e as EngineTimeoutError).exitCode).toBe(3);
  });

  it('connection dropped while the built image is read for tracking: a clear error, nothing left behind', async () => {
    const dir = context('track');
    const buildId = testBuildId('fault-track');
    proxy.setRules([
      { method: 'GET', path: /^\/containers\/[^/]+\/export$/, fault: { kind: 'drop', when: 'response', afterMs: 20 } },
    ]);
    const engine = new DockerEngine({ env: { DOCKER_HOST: proxy.dockerHost } });
    // The image is exported (a one-layer root and this build's layers are otherwise read from the engine's storage).
    const e = await scannableBuild(dir, engine, buildId, { readLayerDirs: false }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).toMatch(
      /^tracking the built image \w+: read image \w+: the connection to the engine .* broke/,
    );
    expect((e as Error).message).not.toMatch(STACK_FRAME);
    expect(await leftovers(buildId)).toEqual({ containers: 0, images: 0, snapshots: 2 });
    const again = await scannableBuild(dir, direct, testBuildId('fault-rerun'));
    expect(again.provenance.steps.filter((s) => s.op !== 'config').every((s) => s.cached)).toBe(true);
  }, 120_000);

  it('scannable build (the CLI) through the proxy: exit 3, one message naming the step, no SBOM file at all; the rerun writes it', async () => {
    const dir = context('cli');
    const buildId = testBuildId('fault-cli');
    const out = mkdtempSync(path.join(os.tmpdir(), 'scannable-fault-out-'));
    const sbom = path.join(out, 'sbom.json');
    proxy.setRules([
      { method: 'POST', path: /^\/containers\/[^/]+\/wait$/, fault: { kind: 'drop', when: 'response', afterMs: 300 } },
    ]);
    const env = {
      DOCKER_HOST: proxy.dockerHost,
      SCANNABLE_BUILD_ID: buildId,
      XDG_CACHE_HOME: path.join(dir, '.xdg'),
      SOURCE_DATE_EPOCH: '1700000000',
    };
    const r = await runCli(['build', '--network', 'host', '--progress', 'plain', '--no-report', '--sbom', sbom, dir], {
      env,
    });
    expect(r.code).toBe(3);
    const message = r.stderr.slice(r.stderr.indexOf('scannable: '));
    expect(message).toMatch(
      /^scannable: RUN sleep 1 && echo ran > \/ran.txt # .*\n {2}at line 3: wait for container \w+: the connection to the engine/,
    );
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stderr.match(/^scannable: /gm)).toHaveLength(1);
    expect(readdirSync(out)).toEqual([]);
    expect(await leftovers(buildId)).toEqual({ containers: 0, images: 0, snapshots: 1 });

    const ok = await runCli(['build', '--network', 'host', '--progress', 'plain', '--no-report', '--sbom', sbom, dir], {
      env: { ...env, DOCKER_HOST: '' },
    });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/#2 \[0 2\/3\] COPY data.txt \/data.txt\n#2 CACHED/);
    expect(existsSync(sbom)).toBe(true);
    expect(readdirSync(out)).toEqual(['sbom.json']);
  }, 180_000);
});
