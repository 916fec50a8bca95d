/**
 * What one primitive step costs on this engine, printed so a change that makes
 * it slower shows up in the test log. The bound only catches a step gone badly
 * wrong (a hang, a retry loop); the numbers are the point.
 */
import { afterAll, expect, it } from 'vitest';
import { DockerEngine, packTar } from '../../src/engine/docker/client.js';
import { buildLabel, cleanup, describeEngine, testBuildId } from '../engine/helpers.js';

describeEngine('cost of one primitive step', () => {
  const engine = new DockerEngine();
  const buildId = testBuildId('cost');
  const labels = buildLabel(buildId);
  afterAll(() => cleanup(engine, buildId));

  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  it('no-op run step, copy-only step, config-only step', async () => {
    const base = await engine.resolveImage('busybox:latest');
    const run: number[] = [];
    const copy: number[] = [];
    const config: number[] = [];
    const archive = await packTar([{ name: 'tmp/hello.txt', data: Buffer.from('hello\n') }]);
    for (let i = 0; i < 5; i++) {
      let t = performance.now();
      const c = await engine.createContainer({ image: base, buildId, entrypoint: [], cmd: ['true'] });
      await engine.run(c.id);
      await engine.changes(c.id);
      await engine.commit(c.id, { config: { Cmd: ['sh'] }, labels });
      await engine.removeContainer(c.id);
      run.push(performance.now() - t);

      t = performance.now();
      const k = await engine.createContainer({ image: base, buildId });
      await engine.putArchive(k.id, '/', archive);
      await engine.changes(k.id);
      await engine.commit(k.id, { config: { Cmd: ['sh'] }, labels });
      await engine.removeContainer(k.id);
      copy.push(performance.now() - t);

      t = performance.now();
      await engine.configure(base, { config: { Cmd: ['sh'], Env: [`I=${i}`] }, labels });
      config.push(performance.now() - t);
    }
    const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (${xs.map((x) => x.toFixed(0)).join(', ')})`;
    process.stdout.write(
      `step cost: no-op run (create, start, wait, changes, commit, remove) ${fmt(run)}\n` +
        `step cost: copy-only (create, putArchive, changes, commit, remove) ${fmt(copy)}\n` +
        `step cost: config-only (no container) ${fmt(config)}\n`,
    );
    expect(median(run)).toBeLessThan(5_000);
    expect(median(copy)).toBeLessThan(5_000);
    expect(median(config)).toBeLessThan(5_000);
  });
});
