/**
 * Shared by the tests that talk to the real engine: whether one is expected,
 * unique build ids, cleanup by label, and the docker CLI (Debian's 20.10
 * client, which matches the engine) as the reference builder.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describe } from 'vitest';
import { type DockerEngine } from '../../src/engine/docker/client.js';
import { LABEL_BUILD } from '../../src/engine/types.js';

export const DOCKER_CLI = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

const haveEngine = Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');

/** `describe` that needs something of the machine: skipped with `hint` locally when it is absent, always run in CI. */
export function describeWhen(available: boolean, hint: string, name: string, fn: () => void): void {
  if (available || process.env.CI) {
    describe(name, fn);
    return;
  }
  process.stderr.write(`[skip] ${name}: ${hint}\n`);
  describe.skip(name, fn);
}

/** `describe` that needs the engine. */
export function describeEngine(name: string, fn: () => void): void {
  describeWhen(
    haveEngine,
    'no engine (/var/run/docker.sock absent, DOCKER_HOST unset); run bash scripts/engine.sh',
    name,
    fn,
  );
}

/** A build id no other test (or developer) uses: cleanup by its label touches only this test's objects. */
export function testBuildId(name: string): string {
  return `test-${name}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export function buildLabel(buildId: string): Record<string, string> {
  return { [LABEL_BUILD]: buildId };
}

/** Removes every container and image carrying the build's label. */
export async function cleanup(engine: DockerEngine, buildId: string): Promise<void> {
  await engine.removeContainers(buildLabel(buildId));
  await engine.removeImages(buildLabel(buildId));
}

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function docker(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: Buffer } = {},
): CliResult {
  const r = spawnSync(DOCKER_CLI, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    input: options.input,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status ?? -1, stdout: r.stdout?.toString('utf8') ?? '', stderr: r.stderr?.toString('utf8') ?? '' };
}

/**
 * `docker build` with the legacy builder (DOCKER_BUILDKIT=0) and host networking,
 * labelled for cleanup; returns the image id or throws with the builder's output.
 */
export function legacyBuild(contextDir: string, buildId: string, extra: string[] = []): string {
  const r = docker(
    [
      'build',
      '-q',
      '--network',
      'host',
      '--label',
      `${LABEL_BUILD}=${buildId}`,
      '--rm',
      '--force-rm',
      ...extra,
      contextDir,
    ],
    {
      env: { DOCKER_BUILDKIT: '0' },
    },
  );
  if (r.status !== 0) throw new Error(`docker build failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout.trim().split('\n').pop()!.trim();
}
