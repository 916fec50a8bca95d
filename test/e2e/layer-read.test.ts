/**
 * The tracker reads a build's own layers from the engine's storage when the
 * engine is on this machine, and exports the image through the API otherwise.
 * Both must give the tracker the same file system (but for docker's init
 * layer, which only an export shows): the same files, kinds, modes, owners,
 * sizes, link targets, hashes and origins, and the same packages. The Dockerfile here makes every kind of layer change: deletions,
 * a directory deleted and made again (overlay's opaque directory), files
 * changed in place, hard links (one to a file of the base image), a symlink,
 * a fifo, setuid, a file deleted by a later step, and a step that changes
 * nothing (the engine adds no layer for it).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { computeCoverage, type Provenance } from '../../src/track/provenance.js';
import { buildExample, engine } from '../helpers/build.js';
import { cleanup, describeEngine, docker, legacyBuild, testBuildId } from '../engine/helpers.js';

const DOCKERFILE = `FROM debian:bookworm
RUN rm -rf /usr/share/doc && mkdir /usr/share/doc && echo new > /usr/share/doc/readme \\
 && rm /etc/issue.net && echo changed >> /etc/issue \\
 && mkdir -p /opt/t && echo a > /opt/t/a && ln /opt/t/a /opt/t/b && ln -s a /opt/t/c \\
 && ln /usr/bin/ls /usr/bin/ls-hard && mkfifo /opt/t/fifo && chmod 4755 /opt/t/a
COPY f.txt /opt/t/f.txt
RUN test -f /opt/t/f.txt
RUN rm /opt/t/b /usr/bin/dir && echo more >> /opt/t/f.txt && rm -rf /usr/share/zoneinfo
`;

// Sources through a symlinked parent (merged /usr), a wildcard, hard links in and out of the copied tree, a fifo, setuid, owners, deletions.
const MULTI_STAGE = `FROM debian:bookworm AS tree
RUN mkdir -p /opt/t/sub && echo a > /opt/t/a && ln /opt/t/a /opt/t/b && ln -s a /opt/t/c && ln -s a /opt/t/d \\
 && mkfifo /opt/t/fifo && chmod 4755 /opt/t/a && echo s > /opt/t/sub/s && chown 1234:5678 /opt/t/sub/s \\
 && ln /usr/bin/ls /opt/t/ls-hard
RUN rm /opt/t/c && echo more >> /opt/t/sub/s
FROM debian:bookworm
RUN echo final > /final
COPY --from=tree /opt/t /copied/t
COPY --from=tree /lib/os-release /opt/t/sub/* /copied/
COPY --from=tree /usr/bin/ls /bin/ls-copy
`;

/**
 * What docker puts in every container, not in the image: an export shows it,
 * the image's layers do not. The base image here has one layer, which is read
 * from its directory; the exported build shows these paths as the container
 * has them.
 */
const INIT_LAYER = new Set([
  '/.dockerenv',
  '/etc/hostname',
  '/etc/hosts',
  '/etc/mtab',
  '/etc/resolv.conf',
  '/dev/console',
  '/dev/pts',
  '/dev/shm',
  '/proc',
  '/sys',
]);

// A base image of three layers, made by docker: an opaque directory, whiteouts, and a directory replaced by a file.
const LAYERED_BASE = `FROM debian:bookworm
RUN rm -rf /usr/share/doc && mkdir /usr/share/doc && echo base > /usr/share/doc/base \\
 && rm /etc/issue.net && rm -rf /usr/share/zoneinfo/Europe && mkdir -p /opt/was-dir && echo x > /opt/was-dir/x
RUN rm -rf /opt/was-dir && echo now-a-file > /opt/was-dir && echo changed >> /etc/issue
`;

function getfattrWorks(): boolean {
  try {
    execFileSync('getfattr', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function view(p: Provenance): unknown {
  const files = p.files.filter((f) => !INIT_LAYER.has(f.path));
  return {
    files,
    packages: p.packages.map((r) => ({ ...r, step: r.step?.id })),
    coverage: computeCoverage(files),
  };
}

describeEngine('reading layers from local storage', () => {
  const ids: string[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const id of ids) await cleanup(engine, id);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** The same build with layers read from storage and with images exported, and which images each read through the API. */
  async function bothWays(name: string, dockerfile: string, files: Record<string, string>) {
    const context = mkdtempSync(path.join(os.tmpdir(), 'scannable-layer-read-'));
    dirs.push(context);
    writeFileSync(path.join(context, 'Dockerfile'), dockerfile);
    for (const [f, text] of Object.entries(files)) writeFileSync(path.join(context, f), text);
    const outcomes = [];
    const exports: string[][] = [];
    const pathReads: string[][] = [];
    for (const readLayerDirs of [true, false]) {
      const buildId = testBuildId(`${name}-${readLayerDirs}`);
      ids.push(buildId);
      const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'scannable-layer-read-cache-'));
      dirs.push(cacheDir);
      // Which images went through the API whole, and which paths of them.
      const exported: string[] = [];
      const read: string[] = [];
      exports.push(exported);
      pathReads.push(read);
      const counting = Object.create(engine) as typeof engine;
      counting.readImage = (id, p, b) => {
        if (p === undefined) exported.push(id);
        else read.push(p);
        return engine.readImage(id, p, b);
      };
      outcomes.push(await buildExample(context, { engine: counting, buildId, cacheDir, readLayerDirs }));
    }
    return { outcomes, exports, pathReads };
  }

  it('gives the tracker what exporting the image gives', async () => {
    const { outcomes, exports } = await bothWays('layer-read', DOCKERFILE, { 'f.txt': 'from the context\n' });
    const [fromLayers, exported] = outcomes.map((o) => o!.provenance);
    // Reading layers exported nothing (the base image has one layer); the other build exported the image it made
    // (its last snapshot, which the final image's config was written onto: the same layers).
    expect(exports[0]).toEqual([]);
    expect(exports[1]).toHaveLength(1);
    expect((await engine.inspectImage(exports[1]![0]!))?.layers).toEqual(
      (await engine.inspectImage(outcomes[1]!.imageId))?.layers,
    );
    expect(fromLayers!.files.some((f) => f.path === '/.dockerenv')).toBe(false);
    expect(exported!.files.some((f) => f.path === '/.dockerenv')).toBe(true);
    const byPath = new Map(fromLayers!.files.map((f) => [f.path, f]));
    // The changes the Dockerfile makes are really there, as each reader sees them.
    expect(byPath.get('/usr/share/doc/readme')?.kind).toBe('file');
    expect([...byPath.keys()].filter((p) => p.startsWith('/usr/share/doc/'))).toEqual(['/usr/share/doc/readme']);
    expect(byPath.has('/etc/issue.net')).toBe(false);
    expect(byPath.has('/opt/t/b')).toBe(false);
    expect(byPath.has('/usr/bin/dir')).toBe(false);
    expect([...byPath.keys()].some((p) => p.startsWith('/usr/share/zoneinfo'))).toBe(false);
    expect(byPath.get('/usr/bin/ls-hard')).toMatchObject({ kind: 'hardlink', linkTarget: '/usr/bin/ls' });
    expect(byPath.get('/opt/t/a')?.mode).toBe(0o4755);
    expect(byPath.get('/opt/t/c')).toMatchObject({ kind: 'symlink', linkTarget: 'a' });
    expect(view(fromLayers!)).toEqual(view(exported!));
  });

  it("copies from a finished stage what the engine's archive of it holds", async () => {
    const { outcomes, pathReads } = await bothWays('layer-read-from', MULTI_STAGE, {});
    const [fromLayers, exported] = outcomes.map((o) => o!.provenance);
    // COPY --from read the stage's layers; the other build asked the engine for each source.
    expect(pathReads[0]).toEqual([]);
    expect(pathReads[1]).toEqual(['/opt/t', '/lib/os-release', '/opt/t/sub', '/usr/bin/ls']);
    const byPath = new Map(fromLayers!.files.map((f) => [f.path, f]));
    expect(byPath.get('/copied/t/a')).toMatchObject({ kind: 'file', mode: 0o4755 });
    expect(byPath.get('/copied/t/b')).toMatchObject({ kind: 'hardlink', linkTarget: '/copied/t/a' });
    expect(byPath.get('/copied/t/ls-hard')?.kind).toBe('file');
    expect(byPath.get('/copied/t/d')).toMatchObject({ kind: 'symlink', linkTarget: 'a' });
    expect(byPath.has('/copied/t/c')).toBe(false);
    expect(byPath.get('/copied/os-release')?.kind).toBe('file');
    // COPY --from keeps the owners files had in the stage.
    expect(byPath.get('/copied/s')).toMatchObject({ kind: 'file', uid: 1234, gid: 5678 });
    expect(byPath.get('/copied/s')?.origin).toMatchObject({ kind: 'stage', stageName: 'tree', path: '/opt/t/sub/s' });
    expect(view(fromLayers!)).toEqual(view(exported!));
  });

  it('reads a base image of several layers from storage, hiding what its layers deleted', async () => {
    const baseDir = mkdtempSync(path.join(os.tmpdir(), 'scannable-layer-read-base-'));
    dirs.push(baseDir);
    writeFileSync(path.join(baseDir, 'Dockerfile'), LAYERED_BASE);
    const buildId = testBuildId('layer-read-base');
    ids.push(buildId);
    const tag = `scannable-test/layer-read-base:${buildId}`;
    legacyBuild(baseDir, buildId, ['-t', tag]);
    try {
      const { outcomes, exports } = await bothWays(
        'layer-read-base',
        `FROM ${tag}\nRUN echo more >> /usr/share/doc/base\nCOPY f.txt /opt/f.txt\n`,
        { 'f.txt': 'f\n' },
      );
      const [fromLayers, exported] = outcomes.map((o) => o!.provenance);
      // Read from storage where getfattr lists the opaque directories (scripts/engine.sh installs it); exported otherwise.
      const base = fromLayers!.stages[0]!.base;
      expect(exports[0]).toEqual(getfattrWorks() ? [] : [base.kind === 'image' ? base.imageId : '']);
      const paths = new Set(fromLayers!.files.map((f) => f.path));
      expect([...paths].filter((p) => p.startsWith('/usr/share/doc/'))).toEqual(['/usr/share/doc/base']);
      expect(paths.has('/etc/issue.net')).toBe(false);
      expect(paths.has('/opt/was-dir/x')).toBe(false);
      expect(fromLayers!.files.find((f) => f.path === '/opt/was-dir')?.kind).toBe('file');
      expect([...paths].some((p) => p.startsWith('/usr/share/zoneinfo/Europe/'))).toBe(false);
      expect(view(fromLayers!)).toEqual(view(exported!));
    } finally {
      docker(['rmi', tag]);
    }
  });
});
