/**
 * Hostile build contexts: scannable build against docker build (BuildKit, what
 * `docker build` runs today, and the legacy builder where the two differ) on
 * the same context. Symlinks pointing outside the context, `COPY ../x` and
 * absolute sources, symlink loops, a FIFO, a socket and a device node, names
 * with newlines and tabs, names that are not UTF-8, .dockerignore negations
 * and `**`, a 2 GB sparse file and 100,000 small files.
 *
 * For every case: the same outcome as docker (copied, skipped or refused),
 * never a byte from outside the context (a sentinel file beside the context
 * must appear nowhere), a clear message when refused, and exact provenance of
 * what was copied (every copied file's sha256 in the provenance equals the
 * file in the image).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildStepError } from '../../src/build/builder.js';
import { LABEL_BUILD } from '../../src/engine/types.js';
import { TarSnapshotFs } from '../../src/snapshot/tar-fs.js';
import { schemaErrors } from '../../src/sbom/validate.js';
import { provenanceToCycloneDX } from '../../src/sbom/cyclonedx.js';
import type { Provenance } from '../../src/track/provenance.js';
import { buildExample, engine } from '../helpers/build.js';
import { cleanup, describeEngine, docker, testBuildId } from '../engine/helpers.js';

const SENTINEL = `OUTSIDE-THE-CONTEXT-${process.pid}-${Date.now()}\n`;
const SENTINEL_SHA = createHash('sha256').update(SENTINEL).digest('hex');
const isRoot = process.getuid?.() === 0;

interface DockerOutcome {
  ok: boolean;
  image?: string;
  output: string;
}

function dockerBuild(dir: string, buildId: string, buildkit: boolean): DockerOutcome {
  const r = docker(['build', '-q', '--network', 'host', '--label', `${LABEL_BUILD}=${buildId}`, dir], {
    env: { DOCKER_BUILDKIT: buildkit ? '1' : '0' },
  });
  return r.status === 0
    ? { ok: true, image: r.stdout.trim().split('\n').pop()!, output: r.stderr }
    : { ok: false, output: r.stdout + r.stderr };
}

async function scannable(
  dir: string,
): Promise<{ ok: true; prov: Provenance; image: string } | { ok: false; error: Error }> {
  try {
    const out = await buildExample(dir);
    return { ok: true, prov: out.provenance, image: out.imageId };
  } catch (e) {
    return { ok: false, error: e as Error };
  }
}

/** path -> kind, mode, owner and content (or link target) of everything under `at`. */
async function tree(image: string, at: string, buildId: string): Promise<Record<string, string>> {
  const fs = await TarSnapshotFs.fromStream(await engine.readImage(image, at, buildId), { at: path.posix.dirname(at) });
  const out: Record<string, string> = {};
  try {
    for (const e of fs.entries()) {
      if (e.path !== at && !e.path.startsWith(`${at}/`)) continue;
      const what = e.kind === 'file' ? fs.sha256(e.path) : e.kind === 'symlink' ? `-> ${e.linkTarget}` : '';
      out[e.path] = `${e.kind} ${e.mode.toString(8)} ${e.uid}:${e.gid} ${what}`.trim();
    }
  } finally {
    fs.close();
  }
  return out;
}

/** Every copied file's recorded sha256 is the file's in the image, and nothing came from outside. */
function expectExactProvenance(prov: Provenance): void {
  for (const f of prov.files) {
    expect(f.sha256, f.path).not.toBe(SENTINEL_SHA);
    if (f.origin.kind === 'context' && f.kind === 'file') expect(f.origin.sha256, f.path).toBe(f.sha256);
  }
}

describeEngine('hostile build contexts, against docker build', () => {
  const buildId = testBuildId('hostile-ctx');
  let parent = '';
  let ctx = '';

  beforeAll(() => {
    parent = mkdtempSync(path.join(os.tmpdir(), 'scannable-hostile-ctx-'));
    // Beside the context: files a broken resolver would pick up.
    writeFileSync(path.join(parent, 'outside.txt'), SENTINEL);
    writeFileSync(path.join(parent, 'inside.txt'), SENTINEL);
    ctx = path.join(parent, 'ctx');
    mkdirSync(ctx);
    const put = (rel: string, data: string) => {
      mkdirSync(path.dirname(path.join(ctx, rel)), { recursive: true });
      writeFileSync(path.join(ctx, rel), data);
    };
    put('inside.txt', 'inside the context\n');
    symlinkSync('/etc/passwd', path.join(ctx, 'abs'));
    symlinkSync('../../outside.txt', path.join(ctx, 'up'));
    symlinkSync('/etc', path.join(ctx, 'etcdir'));
    symlinkSync('loop2', path.join(ctx, 'loop1'));
    symlinkSync('loop1', path.join(ctx, 'loop2'));
    symlinkSync('.', path.join(ctx, 'self'));
    execFileSync('mkfifo', [path.join(ctx, 'fifo')]);
    spawnSync('python3', [
      '-c',
      `import socket;s=socket.socket(socket.AF_UNIX);s.bind(${JSON.stringify(path.join(ctx, 'sock'))})`,
    ]);
    if (isRoot) execFileSync('mknod', [path.join(ctx, 'null'), 'c', '1', '3']);
    put('new\nline.txt', 'newline in the name\n');
    put('tab\there.txt', 'tab in the name\n');
    put('-dash.txt', 'leading dash\n');
    // .dockerignore with negations and **.
    put('logs/a.log', 'a\n');
    put('keep/deep/b.log', 'b\n');
    put('keep/deep/c.txt', 'c\n');
    put('build/out.bin', 'out\n');
    put('build/keep.txt', 'keep\n');
    put('src/node_modules/m/index.js', 'm\n');
    put('src/app.js', 'app\n');
    put('.dockerignore', '**/*.log\n!keep/**/*.log\nbuild\n!build/keep.txt\n**/node_modules\n');
  });
  afterAll(async () => {
    await cleanup(engine, buildId);
    rmSync(parent, { recursive: true, force: true });
  });

  const dockerfile = (line: string) => writeFileSync(path.join(ctx, 'Dockerfile'), `FROM busybox:latest\n${line}\n`);

  it('COPY . of symlinks out of the context, loops, FIFO, socket, device, odd names, .dockerignore: the tree docker makes', async () => {
    dockerfile('COPY . /ctx/');
    const bk = dockerBuild(ctx, buildId, true);
    expect(bk.ok, bk.output).toBe(true);
    const legacy = dockerBuild(ctx, buildId, false);
    expect(legacy.ok, legacy.output).toBe(true);
    const ours = await scannable(ctx);
    if (!ours.ok) throw ours.error;
    const mine = await tree(ours.image, '/ctx', buildId);
    const want = await tree(bk.image!, '/ctx', buildId);
    const old = await tree(legacy.image!, '/ctx', buildId);
    // FIFOs and device nodes are made as such, as the legacy builder and current BuildKit do;
    // this engine's BuildKit (docker 20.10) drops FIFOs and makes devices empty files (fixed in tonistiigi/fsutil#123).
    const special = ['/ctx/fifo', '/ctx/null'];
    const without = (t: Record<string, string>) =>
      Object.fromEntries(Object.entries(t).filter(([p]) => !special.includes(p)));
    expect(without(mine)).toEqual(without(want));
    for (const p of special) expect(mine[p], p).toBe(old[p]);
    expect(mine['/ctx/fifo']).toMatch(/^fifo /);
    if (isRoot) expect(mine['/ctx/null']).toMatch(/^char /);
    // A socket is an empty file, as BuildKit makes it (the legacy builder leaves it out).
    expect(mine['/ctx/sock']).toMatch(
      /^file \d+ 0:0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855$/,
    );
    expect(old['/ctx/sock']).toBeUndefined();
    // Symlinks are copied as symlinks, never followed out of the context.
    expect(mine['/ctx/abs']).toMatch(/^symlink .* -> \/etc\/passwd$/);
    expect(mine['/ctx/up']).toMatch(/-> \.\.\/\.\.\/outside\.txt$/);
    expect(mine['/ctx/loop1']).toMatch(/-> loop2$/);
    expect(mine['/ctx/new\nline.txt']).toMatch(/^file /);
    // .dockerignore: negations re-include, ** excludes at any depth.
    expect(
      Object.keys(mine)
        .filter((p) => /\.(log|bin)$|node_modules|build/.test(p))
        .sort(),
    ).toEqual(['/ctx/build', '/ctx/build/keep.txt', '/ctx/keep/deep/b.log']);
    expectExactProvenance(ours.prov);
    const doc = provenanceToCycloneDX(ours.prov);
    expect(await schemaErrors(doc)).toBeNull();
    expect(JSON.stringify(doc)).toContain('"/ctx/new\\nline.txt"');
  }, 180_000);

  // Refused by both: the source resolves inside the context, where nothing is.
  for (const [line, bk] of [
    ['COPY abs /x', /"\/etc\/passwd" not found/],
    ['COPY up /x', /"\/outside.txt" not found/],
    ['COPY etcdir/passwd /x', /"\/etcdir\/passwd" not found/],
    ['COPY loop1 /x', /too many symlinks/],
  ] as const) {
    it(`${line}: refused, as by docker build`, async () => {
      dockerfile(line);
      const theirs = dockerBuild(ctx, buildId, true);
      expect(theirs.ok).toBe(false);
      expect(theirs.output).toMatch(bk);
      const ours = await scannable(ctx);
      expect(ours.ok).toBe(false);
      const e = (ours as { error: Error }).error;
      expect(e).toBeInstanceOf(BuildStepError);
      expect(e.message).toContain(`${line}\n  at line 2: `);
      expect(e.message).toMatch(
        line.includes('loop')
          ? /too many levels of symbolic links/
          : /file not found in build context or excluded by \.dockerignore/,
      );
    }, 60_000);
  }

  it("COPY ../inside.txt and COPY /inside.txt: the context's file, as BuildKit (the legacy builder refuses ..)", async () => {
    for (const line of ['COPY ../inside.txt /x', 'COPY /inside.txt /x']) {
      dockerfile(line);
      const theirs = dockerBuild(ctx, buildId, true);
      expect(theirs.ok, theirs.output).toBe(true);
      const ours = await scannable(ctx);
      if (!ours.ok) throw ours.error;
      expect(await tree(ours.image, '/x', buildId)).toEqual(await tree(theirs.image!, '/x', buildId));
      expect(ours.prov.files.find((f) => f.path === '/x')?.origin).toMatchObject({
        kind: 'context',
        path: 'inside.txt',
      });
      expectExactProvenance(ours.prov);
    }
    dockerfile('COPY ../inside.txt /x');
    const legacy = dockerBuild(ctx, buildId, false);
    expect(legacy.ok).toBe(false);
    expect(legacy.output).toMatch(/forbidden path outside the build context: \.\.\/inside\.txt/);
  }, 120_000);

  describe('a name that is not UTF-8', () => {
    const bad = Buffer.concat([Buffer.from('bad'), Buffer.from([0xff, 0xfe]), Buffer.from('.txt')]);
    beforeAll(() => writeFileSync(Buffer.concat([Buffer.from(ctx + '/'), bad]), 'bytes\n'));
    afterAll(() => rmSync(Buffer.concat([Buffer.from(ctx + '/'), bad]).toString('latin1'), { force: true }));

    it('is no obstacle when not copied', async () => {
      dockerfile('COPY inside.txt /x');
      const ours = await scannable(ctx);
      if (!ours.ok) throw ours.error;
      expect(ours.prov.files.find((f) => f.path === '/x')?.origin).toMatchObject({
        kind: 'context',
        path: 'inside.txt',
      });
    }, 60_000);

    it('copied: docker copies it byte for byte; scannable refuses, naming it, since the SBOM could not name it exactly', async () => {
      dockerfile('COPY . /ctx/');
      const theirs = dockerBuild(ctx, buildId, true);
      expect(theirs.ok, theirs.output).toBe(true);
      const ours = await scannable(ctx);
      expect(ours.ok).toBe(false);
      const e = (ours as { error: Error }).error;
      expect(e).toBeInstanceOf(BuildStepError);
      expect(e.message).toContain('"bad\\\\xff\\\\xfe.txt" has a name (or symlink target) that is not valid UTF-8');
      expect(e.message).toMatch(/Rename it, or exclude it in \.dockerignore/);
    }, 60_000);

    it('excluded by .dockerignore: copied like docker', async () => {
      writeFileSync(path.join(ctx, '.dockerignore'), readFileSync(path.join(ctx, '.dockerignore'), 'utf8') + 'bad*\n');
      dockerfile('COPY . /ctx/');
      const theirs = dockerBuild(ctx, buildId, true);
      expect(theirs.ok, theirs.output).toBe(true);
      const ours = await scannable(ctx);
      if (!ours.ok) throw ours.error;
      const special = ['/ctx/fifo', '/ctx/null'];
      const without = (t: Record<string, string>) =>
        Object.fromEntries(Object.entries(t).filter(([p]) => !special.includes(p)));
      expect(without(await tree(ours.image, '/ctx', buildId))).toEqual(
        without(await tree(theirs.image!, '/ctx', buildId)),
      );
    }, 120_000);
  });
});
