/**
 * Interrupts and concurrency, with the real CLI on the real engine.
 *
 * - SIGINT / SIGTERM while a RUN step runs: the build's containers are removed
 *   (found by the label SCANNABLE_BUILD_ID sets), no SBOM is written, and the
 *   exit status is 130 / 143.
 * - Two builds of the same context at once, sharing one cache: both succeed,
 *   the cache holds only whole records naming existing snapshots, and a third
 *   build is served entirely from it, with the SBOM of one of the two.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deserialize } from 'node:v8';
import { expect, it } from 'vitest';
import { DockerEngine } from '../../src/engine/docker/client.js';
import { LABEL_BUILD } from '../../src/engine/types.js';
import { runCli, STACK_FRAME, startCli } from '../helpers/cli.js';
import { describeEngine, testBuildId } from '../engine/helpers.js';

const engine = new DockerEngine();

function workdir(tag: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `scannable-${tag}-`));
}

async function containersOf(buildId: string): Promise<number> {
  return (await engine.listContainers({ [LABEL_BUILD]: buildId })).length;
}

async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeEngine('interrupts and concurrent builds', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} during a RUN step removes the build's containers and exits ${code}`, async () => {
      const dir = workdir('signal');
      writeFileSync(
        path.join(dir, 'Dockerfile'),
        `FROM busybox:latest\nRUN echo started-${signal}-${Date.now()} && sleep 60\n`,
      );
      const buildId = testBuildId(`signal-${signal}`);
      const sbom = path.join(dir, 'out', 'sbom.json');
      mkdirSync(path.dirname(sbom));
      const cli = startCli(['build', '--network', 'host', '--progress', 'plain', '--no-report', '--sbom', sbom, dir], {
        env: { SCANNABLE_BUILD_ID: buildId, XDG_CACHE_HOME: path.join(dir, '.xdg') },
      });
      // The RUN's process is running: its output line has arrived (not only the step's header, which
      // names the same word), and its container exists.
      await cli.waitForStderr(new RegExp(`^#\\d+ started-${signal}`, 'm'));
      await until('the step container', async () => (await containersOf(buildId)) > 0);
      cli.child.kill(signal);
      const r = await cli.done;
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toContain(`received ${signal}: stopping the build and removing its containers`);
      expect(r.stderr).toMatch(new RegExp(`^scannable: build interrupted by ${signal}$`, 'm'));
      expect(r.stderr).not.toMatch(STACK_FRAME);
      expect(await containersOf(buildId)).toBe(0);
      expect(readdirSync(path.dirname(sbom))).toEqual([]);
    }, 120_000);
  }

  it('two builds of the same context at once both succeed; the shared cache stays consistent and serves a third', async () => {
    const dir = workdir('concurrent');
    const token = `${process.pid}-${Date.now()}`;
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      `FROM busybox:latest\nCOPY app.txt /app/app.txt\nRUN echo ${token} > /app/stamp && sleep 1\nENV MODE=test\nRUN cat /app/app.txt /app/stamp > /app/both\n`,
    );
    writeFileSync(path.join(dir, 'app.txt'), `app ${token}\n`);
    const xdg = path.join(dir, '.xdg');
    const env = { XDG_CACHE_HOME: xdg, SOURCE_DATE_EPOCH: '1700000000' };
    const args = (out: string) => [
      'build',
      '--network',
      'host',
      '--progress',
      'plain',
      '--no-report',
      '--sbom',
      path.join(dir, out),
      dir,
    ];
    // Test build ids (not the builder's own random ones), so other tests' leftover checks ignore these builds.
    const id = (n: string) => ({ ...env, SCANNABLE_BUILD_ID: testBuildId(`concurrent-${n}`) });
    const [a, b] = await Promise.all([
      runCli(args('a.json'), { env: id('a') }),
      runCli(args('b.json'), { env: id('b') }),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);

    // Every record is whole JSON (a tracker result, whole JSON lines) naming a snapshot that exists, or a whole
    // base-layer record (v8); no temporary file is left.
    const records: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = path.join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else records.push(p);
      }
    };
    walk(path.join(xdg, 'scannable', 'steps'));
    expect(records.filter((f) => !/\.(json|jsonl|v8)$/.test(f))).toEqual([]);
    for (const f of records.filter((r) => r.endsWith('.v8'))) {
      expect(deserialize(readFileSync(f)), f).toMatchObject({
        diffId: expect.stringMatching(/^sha256:/),
        record: { files: expect.any(Array) },
      });
    }
    for (const f of records.filter((r) => !r.endsWith('.v8'))) {
      const text = readFileSync(f, 'utf8');
      for (const line of f.endsWith('.jsonl') ? text.split('\n') : [text]) {
        const rec = JSON.parse(line) as { snapshot?: string };
        if (rec.snapshot)
          expect(await engine.inspectImage(rec.snapshot), `${f} names a missing snapshot`).toBeDefined();
      }
    }

    const c = await runCli(args('c.json'), { env: id('c') });
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr.match(/^#\d+ CACHED/gm)).toHaveLength(3);
    const sboms = ['a.json', 'b.json', 'c.json'].map((f) => readFileSync(path.join(dir, f), 'utf8'));
    expect([sboms[0], sboms[1]]).toContain(sboms[2]);
    expect(a.stdout.trim() === c.stdout.trim() || b.stdout.trim() === c.stdout.trim()).toBe(true);
  }, 240_000);
});
