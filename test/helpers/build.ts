/** Running scannable builds in tests: the real engine, a cache shared by one test run, quiet progress. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build, type BuildOutcome, type BuildRequest } from '../../src/build/builder.js';
import { createProgress } from '../../src/build/progress.js';
import { DockerEngine } from '../../src/engine/docker/client.js';
import { repoRoot } from './shared.js';

export const engine = new DockerEngine();
export const testCache =
  process.env.SCANNABLE_TEST_CACHE ?? mkdtempSync(path.join(os.tmpdir(), 'scannable-test-cache-'));
export const examples = path.join(repoRoot, 'examples');

export async function buildExample(context: string, extra: Partial<BuildRequest> = {}): Promise<BuildOutcome> {
  return build({
    engine,
    context,
    dockerfile: extra.dockerfile ?? path.join(context, 'Dockerfile'),
    tags: [],
    buildArgs: {},
    labels: {},
    network: 'host',
    noCache: false,
    secrets: {},
    progress: createProgress('quiet', process.stderr),
    cacheDir: testCache,
    sourceDateEpoch: 1700000000,
    ...extra,
  });
}
