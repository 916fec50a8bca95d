/**
 * Real images for tracker tests: made once in the local Docker engine (tagged,
 * so later runs reuse them) and exported to a directory under the temp dir
 * keyed by image id. Without an engine the suites skip with a message locally
 * and fail in CI, like describeShared.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe } from 'vitest';

const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

function docker(args: string[], input?: string): string {
  return execFileSync(DOCKER, args, {
    encoding: 'utf8',
    input,
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'pipe'],
  }).trim();
}

export function engineAnswers(): boolean {
  const r = spawnSync(DOCKER, ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 15_000 });
  return r.status === 0;
}

export function imageId(ref: string): string | undefined {
  const r = spawnSync(DOCKER, ['image', 'inspect', '--format', '{{.Id}}', ref], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** `describe` that needs the engine and the debian:bookworm base image. */
export function describeEngine(name: string, fn: () => void): void {
  if (engineAnswers() && imageId('debian:bookworm')) {
    describe(name, fn);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      throw new Error('the Docker engine or debian:bookworm is missing: npm test runs scripts/engine.sh first');
    });
    return;
  }
  process.stderr.write(`[skip] ${name}: no Docker engine with debian:bookworm (run scripts/engine.sh)\n`);
  describe.skip(name, fn);
}

/**
 * An image made from `base` by running `script` with host networking (the
 * engine here has no bridge), committed as `tag`. Reused when `tag` exists.
 */
export function ensureImage(tag: string, base: string, script: string): string {
  const existing = imageId(tag);
  if (existing) return existing;
  const name = `scannable-test-${process.pid}-${Date.now()}`;
  try {
    docker(['run', '--network', 'host', '--name', name, base, 'sh', '-c', script]);
    docker(['commit', name, tag]);
  } finally {
    spawnSync(DOCKER, ['rm', '-f', name]);
  }
  return imageId(tag)!;
}

/** The image's root file system as a directory (docker export of a fresh container), cached by image id. */
export function exportImage(ref: string): string {
  const id = imageId(ref);
  if (!id) throw new Error(`no image ${ref}`);
  const dir = path.join(os.tmpdir(), `scannable-export-${id.replace(/^sha256:/, '').slice(0, 24)}`);
  if (existsSync(path.join(dir, '.complete'))) return path.join(dir, 'root');
  rmSync(dir, { recursive: true, force: true });
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(path.join(partial, 'root'), { recursive: true });
  const cid = docker(['create', ref, 'true']);
  try {
    execFileSync(
      'sh',
      ['-c', `"${DOCKER}" export "${cid}" | tar -x -C "${path.join(partial, 'root')}" --exclude=dev/*`],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
      },
    );
  } finally {
    spawnSync(DOCKER, ['rm', '-f', cid]);
  }
  writeFileSync(path.join(partial, '.complete'), id + '\n');
  try {
    renameSync(partial, dir);
  } catch {
    // Another test process exported the same image first; use its copy.
    rmSync(partial, { recursive: true, force: true });
  }
  return path.join(dir, 'root');
}

export const BOOKWORM_JQ_CURL = 'scannable-test/bookworm-jq-curl:1';

/** debian:bookworm + `apt-get install -y jq curl`, the DESIGN's ownership benchmark image. */
export function bookwormJqCurl(): string {
  ensureImage(
    BOOKWORM_JQ_CURL,
    'debian:bookworm',
    'set -e; apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq curl >/dev/null',
  );
  return exportImage(BOOKWORM_JQ_CURL);
}
