/**
 * Differential test against `docker build` (the engine's legacy builder, which
 * is what docker build runs on this engine): for each example, the same final
 * file tree (paths, kinds, modes, owners, link targets, sha256 of contents)
 * and the same image configuration.
 *
 * A Dockerfile of COPY corner cases is compared the same way.
 *
 * Files that differ between any two runs of the same RUN (logs and caches
 * with timestamps) are compared by path and metadata only; the list is here.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { LABEL_BUILD } from '../../src/engine/types.js';
import { TarSnapshotFs } from '../../src/snapshot/tar-fs.js';
import { buildExample, engine, examples } from '../helpers/build.js';
import { cleanup, describeEngine, legacyBuild, testBuildId } from '../engine/helpers.js';

/** Written anew by every run of the same command: timestamps inside. */
const VOLATILE = [
  /^\/var\/log\//,
  /^\/var\/cache\/debconf\//,
  /^\/var\/cache\/apt\/(pkgcache|srcpkgcache)\.bin$/,
  /^\/var\/cache\/ldconfig\/aux-cache$/,
  /^\/var\/lib\/dpkg\/(status-old|diversions-old|triggers\/.*)$/,
  /^\/var\/lib\/apt\/extended_states$/,
  /^\/etc\/(hostname|hosts|resolv\.conf)$/,
];
const volatile = (p: string) => VOLATILE.some((r) => r.test(p));

/**
 * Destinations through merged /usr's symlinks (/bin -> usr/bin); COPY --from
 * a stage with hard links in and out of the copied tree, a fifo, setuid, a
 * foreign owner, a symlinked parent path and a wildcard.
 */
const COPY_SEMANTICS = `FROM debian:bookworm AS tree
RUN mkdir -p /opt/t/sub && echo a > /opt/t/a && ln /opt/t/a /opt/t/b && ln -s a /opt/t/c \\
 && mkfifo /opt/t/fifo && chmod 4755 /opt/t/a && echo s > /opt/t/sub/s && chown 1234:5678 /opt/t/sub/s \\
 && ln /usr/bin/ls /opt/t/ls-hard
FROM debian:bookworm
RUN echo final > /final
COPY f.txt /bin/from-context
COPY f.txt /lib/x86_64-linux-gnu/
COPY --from=tree /opt/t /copied/t
COPY --from=tree /lib/os-release /opt/t/sub/* /copied/
COPY --from=tree /usr/bin/ls /bin/ls-copy
`;

/**
 * Values that belong to one step or one stage: an ARG of the first stage, a build argument, the
 * steps' labels and commands. The second stage starts from the first and ends with a RUN (no
 * config change after its last snapshot).
 */
const BUILD_ONLY_VALUES = `FROM busybox:latest AS first
ARG ONLY_FIRST=first-stage
RUN echo "$ONLY_FIRST" > /seen-in-first
FROM first
RUN echo "\${ONLY_FIRST:-unset}" > /seen-in-second
ARG GIVEN
RUN echo "\${GIVEN:-unset}" >> /seen-in-second
`;

const CONFIG_FIELDS = [
  'Env',
  'Cmd',
  'Entrypoint',
  'WorkingDir',
  'User',
  'ExposedPorts',
  'Volumes',
  'Labels',
  'StopSignal',
  'Healthcheck',
  'Shell',
  'OnBuild',
] as const;

async function tree(imageId: string, buildId: string): Promise<Map<string, string>> {
  const fs = await TarSnapshotFs.fromStream(await engine.readImage(imageId, undefined, buildId));
  const out = new Map<string, string>();
  try {
    for (const e of fs.entries()) {
      if (e.path === '/.dockerenv') continue;
      const digest = e.kind === 'file' && !volatile(e.path) ? fs.sha256(e.path) : '';
      out.set(e.path, `${e.kind} ${e.mode.toString(8)} ${e.uid}:${e.gid} ${e.linkTarget ?? ''} ${digest}`);
    }
  } finally {
    fs.close();
  }
  return out;
}

function normalizeConfig(c: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of CONFIG_FIELDS) {
    let v = c[f];
    if (f === 'Labels' && v && typeof v === 'object') {
      v = Object.fromEntries(Object.entries(v as Record<string, string>).filter(([k]) => k !== LABEL_BUILD));
      if (Object.keys(v as object).length === 0) v = undefined;
    }
    if (Array.isArray(v) && v.length === 0 && f !== 'Cmd' && f !== 'Entrypoint') v = undefined;
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) v = undefined;
    out[f] = v ?? null;
  }
  return out;
}

describeEngine('scannable build vs docker build', () => {
  const buildId = testBuildId('docker-diff');
  afterAll(() => cleanup(engine, buildId));

  async function expectSameImage(theirs: string, ours: string): Promise<void> {
    const [a, b] = await Promise.all([tree(theirs, buildId), tree(ours, buildId)]);
    const onlyTheirs = [...a.keys()].filter((p) => !b.has(p));
    const onlyOurs = [...b.keys()].filter((p) => !a.has(p));
    const differ = [...a.keys()]
      .filter((p) => b.has(p) && a.get(p) !== b.get(p))
      .map((p) => `${p}\n  docker:    ${a.get(p)}\n  scannable: ${b.get(p)}`);
    expect({ onlyTheirs, onlyOurs, differ }).toEqual({ onlyTheirs: [], onlyOurs: [], differ: [] });
    const [ci, oi] = await Promise.all([engine.inspectImage(theirs), engine.inspectImage(ours)]);
    expect(normalizeConfig(oi!.config as Record<string, unknown>)).toEqual(
      normalizeConfig(ci!.config as Record<string, unknown>),
    );
  }

  it.each(['jq-curl', 'multistage-c', 'concourse'])(
    '%s: same file tree and image config',
    async (name) => {
      const dir = path.join(examples, name);
      if (name === 'concourse') execFileSync('bash', [path.join(dir, 'make-release.sh')]);
      await expectSameImage(legacyBuild(dir, buildId), (await buildExample(dir)).imageId);
    },
    900_000,
  );

  it('ARGs and build arguments reach only their own stage and steps, built anew and from the cache', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-docker-diff-'));
    try {
      writeFileSync(path.join(dir, 'Dockerfile'), BUILD_ONLY_VALUES);
      const theirs = legacyBuild(dir, buildId, ['--build-arg', 'GIVEN=given']);
      for (const noCache of [true, false]) {
        const ours = await buildExample(dir, { buildId, noCache, buildArgs: { GIVEN: 'given' } });
        if (!noCache) expect(ours.provenance.steps.filter((s) => s.op === 'exec').every((s) => s.cached)).toBe(true);
        await expectSameImage(theirs, ours.imageId);
        const fs = await TarSnapshotFs.fromStream(await engine.readImage(ours.imageId, '/seen-in-second', buildId));
        expect(fs.readFile('/seen-in-second')?.toString()).toBe('unset\ngiven\n');
        fs.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('COPY through symlinked directories and from a stage: same file tree', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-docker-diff-'));
    try {
      writeFileSync(path.join(dir, 'Dockerfile'), COPY_SEMANTICS);
      writeFileSync(path.join(dir, 'f.txt'), 'from the context\n');
      await expectSameImage(legacyBuild(dir, buildId), (await buildExample(dir, { buildId })).imageId);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
