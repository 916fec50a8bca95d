/**
 * The step cache reuses a step only when its inputs are the same. For COPY
 * --from that includes the owners its sources have in the stage: COPY --from
 * keeps them, so a source whose owner changed must be copied again.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { buildExample, engine } from '../helpers/build.js';
import { cleanup, describeEngine, testBuildId } from '../execute/engine-helpers.js';

const DOCKERFILE = `FROM busybox:latest AS src
ARG OWNER
RUN echo same > /f && chown $OWNER /f
FROM busybox:latest
COPY --from=src /f /copied
`;

describeEngine('step cache', () => {
  const buildId = testBuildId('step-cache');
  const dirs: string[] = [];
  afterAll(async () => {
    await cleanup(engine, buildId);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('copies again from a stage whose file changed owner only', async () => {
    const context = mkdtempSync(path.join(os.tmpdir(), 'scannable-step-cache-'));
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'scannable-step-cache-dir-'));
    dirs.push(context, cacheDir);
    writeFileSync(path.join(context, 'Dockerfile'), DOCKERFILE);
    const owners = [];
    for (const owner of ['12:34', '56:78', '12:34']) {
      const { provenance } = await buildExample(context, { buildId, cacheDir, buildArgs: { OWNER: owner } });
      const copied = provenance.files.find((f) => f.path === '/copied')!;
      owners.push(`${copied.uid}:${copied.gid} ${provenance.steps.find((s) => s.op === 'copy')!.cached ? 'cached' : 'built'}`);
    }
    expect(owners).toEqual(['12:34 built', '56:78 built', '12:34 cached']);
  });

  it("passes docker's predefined proxy arguments to RUN without an ARG, and keeps them out of the image and the key", async () => {
    const context = mkdtempSync(path.join(os.tmpdir(), 'scannable-step-cache-'));
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'scannable-step-cache-dir-'));
    dirs.push(context, cacheDir);
    writeFileSync(path.join(context, 'Dockerfile'), 'FROM busybox:latest\nRUN echo "$http_proxy $NO_PROXY" > /proxy\n');
    const first = await buildExample(context, { buildId, cacheDir, buildArgs: { http_proxy: 'http://127.0.0.1:3142', NO_PROXY: 'localhost' } });
    const sha = createHash('sha256').update('http://127.0.0.1:3142 localhost\n').digest('hex');
    expect(first.provenance.files.find((f) => f.path === '/proxy')?.sha256).toBe(sha);
    expect(JSON.stringify(first.provenance.image.config.Env ?? [])).not.toContain('3142');
    // Another proxy builds the same thing: the step comes from the cache.
    const second = await buildExample(context, { buildId, cacheDir, buildArgs: { http_proxy: 'http://127.0.0.1:8080' } });
    expect(second.provenance.steps.find((s) => s.op === 'exec')?.cached).toBe(true);
  });
});
