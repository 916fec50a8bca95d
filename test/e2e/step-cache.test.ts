/**
 * The step cache reuses a step only when its inputs are the same. For COPY
 * --from that includes the owners its sources have in the stage: COPY --from
 * keeps them, so a source whose owner changed must be copied again.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { afterAll, expect, it } from 'vitest';
import type { Deb822Result } from '../../src/track/deb822.js';
import type { LayerRecord } from '../../src/snapshot/layer-dir.js';
import { buildExample, engine } from '../helpers/build.js';
import { cleanup, describeEngine, testBuildId } from '../engine/helpers.js';

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
      owners.push(
        `${copied.uid}:${copied.gid} ${provenance.steps.find((s) => s.op === 'copy')!.cached ? 'cached' : 'built'}`,
      );
    }
    expect(owners).toEqual(['12:34 built', '56:78 built', '12:34 cached']);
  });

  it('reads a base layer from the record an earlier build kept, even with --no-cache, and from its directory when the record is not for it', async () => {
    const context = mkdtempSync(path.join(os.tmpdir(), 'scannable-step-cache-'));
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'scannable-step-cache-dir-'));
    dirs.push(context, cacheDir);
    writeFileSync(path.join(context, 'Dockerfile'), 'FROM debian:bookworm\nCOPY a.txt /a.txt\n');
    writeFileSync(path.join(context, 'a.txt'), 'a\n');
    const versionOf = async () => {
      const { provenance } = await buildExample(context, { buildId, cacheDir, noCache: true });
      return provenance.packages.find((p) => p.package.name === 'base-files')?.package.version;
    };
    const real = await versionOf();
    expect(real).toMatch(/^12/);
    // debian:bookworm is one layer: its record.
    const [name] = readdirSync(path.join(cacheDir, 'layers'));
    expect(name).toMatch(/^[0-9a-f]{64}\.v8$/);
    const file = path.join(cacheDir, 'layers', name!);
    const kept = deserialize(readFileSync(file)) as { record: LayerRecord };
    expect(kept.record.files.length).toBeGreaterThan(1000);
    // The record's parse of the dpkg database is changed: a build that reads it shows the change.
    const rewrite = (change: (rec: LayerRecord) => void) => {
      const raw = deserialize(readFileSync(file)) as { record: LayerRecord };
      change(raw.record);
      writeFileSync(file, serialize(raw));
    };
    rewrite((rec) => {
      const [, status] = [...rec.derived].find(
        ([k]) => k.startsWith('deb822:') && k.endsWith('\0/var/lib/dpkg/status'),
      )!;
      const { value } = status as { value: Deb822Result };
      value.paragraphs.find((p) => p.fields.get('package')?.first === 'base-files')!.fields.get('version')!.first =
        '0-from-the-record';
    });
    expect(await versionOf()).toBe('0-from-the-record');
    // A record made for a directory stored anew is not taken: the layer is read, and its record written again.
    rewrite((rec) => void (rec.stamp = 'another directory'));
    expect(await versionOf()).toBe(real);
    expect((deserialize(readFileSync(file)) as { record: LayerRecord }).record.stamp).not.toBe('another directory');
  }, 120_000);

  it("keeps records of base images' layers only, not of the layers of a stage another one starts from", async () => {
    const context = mkdtempSync(path.join(os.tmpdir(), 'scannable-step-cache-'));
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'scannable-step-cache-dir-'));
    dirs.push(context, cacheDir);
    writeFileSync(
      path.join(context, 'Dockerfile'),
      `FROM debian:bookworm AS a\nRUN echo ${Date.now()} > /stamp\nFROM a\nCOPY b.txt /b.txt\n`,
    );
    writeFileSync(path.join(context, 'b.txt'), 'b\n');
    const { provenance } = await buildExample(context, { buildId, cacheDir, noCache: true });
    expect(provenance.files.find((f) => f.path === '/stamp')).toBeDefined();
    const base = (await engine.inspectImage('debian:bookworm'))!.layers;
    expect(readdirSync(path.join(cacheDir, 'layers'))).toEqual(base.map((id) => `${id.replace(/^sha256:/, '')}.v8`));
  }, 120_000);

  it("passes docker's predefined proxy arguments to RUN without an ARG, and keeps them out of the image and the key", async () => {
    const context = mkdtempSync(path.join(os.tmpdir(), 'scannable-step-cache-'));
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'scannable-step-cache-dir-'));
    dirs.push(context, cacheDir);
    writeFileSync(path.join(context, 'Dockerfile'), 'FROM busybox:latest\nRUN echo "$http_proxy $NO_PROXY" > /proxy\n');
    const first = await buildExample(context, {
      buildId,
      cacheDir,
      buildArgs: { http_proxy: 'http://127.0.0.1:3142', NO_PROXY: 'localhost' },
    });
    const sha = createHash('sha256').update('http://127.0.0.1:3142 localhost\n').digest('hex');
    expect(first.provenance.files.find((f) => f.path === '/proxy')?.sha256).toBe(sha);
    expect(JSON.stringify(first.provenance.image.config.Env ?? [])).not.toContain('3142');
    // Another proxy builds the same thing: the step comes from the cache.
    const second = await buildExample(context, {
      buildId,
      cacheDir,
      buildArgs: { http_proxy: 'http://127.0.0.1:8080' },
    });
    expect(second.provenance.steps.find((s) => s.op === 'exec')?.cached).toBe(true);
  });
});
