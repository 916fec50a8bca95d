/**
 * The examples built on Podman's Docker-compatible service (`bash scripts/engine.sh podman`):
 * each SBOM valid, with the packages and origins the same build gives on Docker; a rebuild
 * served from the step cache gives the same image and SBOM; `scannable sbom --image` reads
 * what Podman built. Skipped with a message when Podman's socket is absent, always run in CI.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DockerEngine } from '../../src/engine/docker/client.js';
import { provenanceToCycloneDX, validateCycloneDX } from '../../src/sbom/cyclonedx.js';
import type { Provenance } from '../../src/track/provenance.js';
import { buildExample, examples } from '../helpers/build.js';
import { runCli } from '../helpers/cli.js';
import { cleanup, describeWhen, testBuildId } from '../engine/helpers.js';

const PODMAN_SOCKET = '/run/podman/podman.sock';
const PODMAN_HOST = `unix://${PODMAN_SOCKET}`;

/** What must agree between engines: every package with version, license and installing line. */
function packages(p: Provenance): string[] {
  return p.packages
    .map((r) => `${r.package.purl} ${r.package.licenseExpression ?? '-'} line ${r.step?.line ?? 'base'}`)
    .sort();
}

/** Origins of the files the build's own steps wrote (the base image's files are the base's either way). */
function stepOrigins(p: Provenance): string[] {
  return p.files
    .filter((f) => f.origin.kind !== 'base')
    .map((f) => `${f.path} ${f.origin.kind}`)
    .sort();
}

describeWhen(
  existsSync(PODMAN_SOCKET),
  `${PODMAN_SOCKET} absent; run bash scripts/engine.sh podman`,
  'the examples on Podman',
  () => {
    const podman = new DockerEngine({ env: { DOCKER_HOST: PODMAN_HOST } });
    const buildId = testBuildId('podman');
    const cache = mkdtempSync(path.join(os.tmpdir(), 'scannable-podman-cache-'));

    beforeAll(() => {
      execFileSync('bash', [path.join(examples, 'concourse', 'make-release.sh')]);
    });
    afterAll(async () => {
      await cleanup(podman, buildId);
    });

    for (const example of ['jq-curl', 'multistage-c', 'concourse']) {
      it(`${example}: a valid SBOM with the packages and origins the Docker build gives; cached rebuild identical`, async () => {
        const context = path.join(examples, example);
        const onPodman = await buildExample(context, { engine: podman, cacheDir: cache, buildId });
        const onDocker = await buildExample(context);
        const doc = provenanceToCycloneDX(onPodman.provenance);
        expect(await validateCycloneDX(doc)).toBeNull();
        expect(packages(onPodman.provenance)).toEqual(packages(onDocker.provenance));
        expect(stepOrigins(onPodman.provenance)).toEqual(stepOrigins(onDocker.provenance));
        expect(onPodman.provenance.coverage.ratio).toBeGreaterThanOrEqual(0.99);

        const again = await buildExample(context, { engine: podman, cacheDir: cache, buildId });
        expect(again.provenance.steps.filter((s) => s.op !== 'config' && !s.cached)).toEqual([]);
        expect(again.provenance.image.id).toBe(onPodman.provenance.image.id);
        expect(JSON.stringify(provenanceToCycloneDX(again.provenance))).toBe(JSON.stringify(doc));
      }, 600_000);
    }

    it('scannable sbom --image reads an image Podman built', async () => {
      const context = path.join(examples, 'jq-curl');
      const built = await buildExample(context, { engine: podman, cacheDir: cache, buildId });
      const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'scannable-podman-sbom-')), 'jq-curl.cdx.json');
      const r = await runCli(
        ['sbom', '--image', built.provenance.image.id, '-f', path.join(context, 'Dockerfile'), '-o', out],
        { env: { DOCKER_HOST: PODMAN_HOST } },
      );
      expect(r.stderr).not.toMatch(/error/i);
      expect(r.code).toBe(0);
      const doc = JSON.parse(readFileSync(out, 'utf8')) as { components: Array<{ purl?: string }> };
      const purls = new Set(doc.components.map((c) => c.purl));
      for (const p of built.provenance.packages) expect(purls.has(p.package.purl), p.package.purl).toBe(true);
    }, 600_000);
  },
);
