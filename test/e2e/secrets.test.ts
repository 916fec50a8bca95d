/**
 * Secrets through a real build (the CLI): `--secret id=ID,src=PATH` and
 * `--secret id=ID,env=VAR` mounted with `RUN --mount=type=secret` are readable
 * by the step and appear in no layer, no image metadata, no SBOM, no build
 * cache record and no progress line; a build argument and an ENV value with a
 * secret-looking name are redacted in the SBOM and the progress output.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { REDACTED } from '../../src/common/secrets.js';
import { runCli } from '../helpers/cli.js';
import { cleanup, describeEngine, docker, DOCKER_CLI, testBuildId } from '../engine/helpers.js';
import { DockerEngine } from '../../src/engine/docker/client.js';

const engine = new DockerEngine();

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir)) {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

describeEngine('secrets in a real build', () => {
  const buildId = testBuildId('secrets');
  afterAll(async () => {
    await cleanup(engine, buildId);
  });

  it('secret mounts reach the step and nothing else; secret-looking ARG/ENV values are redacted', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-secrets-'));
    const fileSecret = `FILE-SECRET-${randomBytes(12).toString('hex')}`;
    const envSecret = `ENV-SECRET-${randomBytes(12).toString('hex')}`;
    const token = `ghp_${randomBytes(12).toString('hex')}`;
    const apiKey = `sk-live-${randomBytes(12).toString('hex')}`;
    writeFileSync(path.join(dir, 'npmrc'), `//registry/:_authToken=${fileSecret}\n`);
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      [
        'FROM busybox:latest',
        'ARG GITHUB_TOKEN',
        `ENV API_KEY=${apiKey}`,
        'RUN --mount=type=secret,id=npmrc,required=true wc -c < /run/secrets/npmrc > /npmrc-size',
        'RUN --mount=type=secret,id=envsec,target=/tmp/envsec,required=true wc -c < /tmp/envsec > /envsec-size',
        'RUN echo "$GITHUB_TOKEN" | wc -c > /token-size',
        '',
      ].join('\n'),
    );
    const out = path.join(dir, 'out');
    mkdirSync(out);
    const xdg = path.join(dir, '.xdg');
    const tag = `scannable-test/secrets:${process.pid}`;
    const r = await runCli(
      [
        'build',
        '--network',
        'host',
        '--progress',
        'plain',
        '--no-report',
        '-t',
        tag,
        '--label',
        `io.scannable.build=${buildId}`,
        '--secret',
        `id=npmrc,src=${path.join(dir, 'npmrc')}`,
        '--secret',
        'id=envsec,env=SCANNABLE_TEST_ENV_SECRET',
        '--build-arg',
        `GITHUB_TOKEN=${token}`,
        '--sbom',
        path.join(out, 'sbom.json'),
        dir,
      ],
      {
        env: {
          SCANNABLE_TEST_ENV_SECRET: envSecret,
          XDG_CACHE_HOME: xdg,
          SCANNABLE_BUILD_ID: testBuildId('secrets-cli'),
        },
        cwd: dir,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const image = r.stdout.trim();

    // The steps read the secrets (their sizes are in the image) ...
    const read = (p: string) => docker(['run', '--rm', '--network', 'none', image, 'cat', p]).stdout.trim();
    expect(read('/npmrc-size')).toBe(String(fileSecret.length + '//registry/:_authToken=\n'.length));
    expect(read('/envsec-size')).toBe(String(envSecret.length));
    expect(read('/token-size')).toBe(String(token.length + 1));

    // ... and nothing else holds them: every layer and config of the saved image,
    const saved = spawnSync(DOCKER_CLI, ['save', tag], { maxBuffer: 512 * 1024 * 1024 });
    expect(saved.status).toBe(0);
    expect(saved.stdout.length).toBeGreaterThan(1024 * 1024);
    for (const s of [fileSecret, envSecret, token])
      expect(saved.stdout.includes(Buffer.from(s)), `${s.slice(0, 12)}… in the saved image`).toBe(false);
    // the SBOM, the progress output, and the build cache.
    const sbom = readFileSync(path.join(out, 'sbom.json'), 'utf8');
    for (const s of [fileSecret, envSecret, token, apiKey]) {
      expect(sbom.includes(s), `${s.slice(0, 12)}… in the SBOM`).toBe(false);
      expect(r.stderr.includes(s), `${s.slice(0, 12)}… in the progress output`).toBe(false);
    }
    for (const f of filesUnder(xdg)) {
      const text = readFileSync(f, 'latin1');
      for (const s of [fileSecret, envSecret, token, apiKey])
        expect(text.includes(s), `${s.slice(0, 12)}… in ${f}`).toBe(false);
    }
    expect(sbom).toContain(`ENV API_KEY=${REDACTED}`);
    expect(r.stderr).toContain(`ENV API_KEY=${REDACTED}`);
    // Docker keeps ENV values in the image config (lint warns about that); scannable cannot change what docker stores.
    expect(JSON.parse(docker(['image', 'inspect', tag]).stdout)[0].Config.Env).toContain(`API_KEY=${apiKey}`);
    docker(['rmi', tag]);
  }, 300_000);
});
