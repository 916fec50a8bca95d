/**
 * `scannable sbom --image` on images built by `docker build` in the real
 * engine: examples/jq-curl with the legacy builder (the design's reference
 * case), a small busybox image with BuildKit and with the legacy builder, and
 * the same image given as a docker save tarball.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main, VERSION } from '../../src/cli/main.js';
import { UserError } from '../../src/common/diagnostics.js';
import { LayerCache } from '../../src/snapshot/layer-cache.js';
import { imageSbom, type ImageSbomResult } from '../../src/image/sbom.js';
import { validateCycloneDX } from '../../src/sbom/cyclonedx.js';
import { isValidSpdx } from '../../src/track/licenses/spdx.js';
import { repoRoot } from '../helpers/shared.js';
import { describeEngine, imageId } from '../track/helpers/engine.js';

const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const JQ_CURL = 'scannable-test/image-jq-curl:1';
const example = path.join(repoRoot, 'examples', 'jq-curl');
const tool = { name: 'scannable', version: 'test' };

function docker(args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(DOCKER, args, {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** docker build, reusing the engine's build cache (an unchanged rebuild takes a second). */
function build(context: string, tag: string, buildkit: boolean, file?: string): void {
  docker(['build', '-q', '--network', 'host', '-t', tag, ...(file ? ['-f', file] : []), context], {
    DOCKER_BUILDKIT: buildkit ? '1' : '0',
  });
}

/** name -> version of every installed dpkg package, as dpkg itself reports them (the oracle). */
function dpkgPackages(image: string): Map<string, string> {
  const out = docker([
    'run',
    '--rm',
    '--network',
    'none',
    '--entrypoint',
    'dpkg-query',
    image,
    '-W',
    '-f',
    '${db:Status-Abbrev} ${Package} ${Version}\n',
  ]);
  const m = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [status, name, version] = line.trim().split(/\s+/);
    if (status === 'ii' && name && version) m.set(name, version);
  }
  return m;
}

type Component = {
  type: string;
  name: string;
  version?: string;
  purl?: string;
  licenses?: Array<{ license?: { id?: string }; expression?: string }>;
  hashes?: Array<{ alg: string; content: string }>;
  properties?: Array<{ name: string; value: string }>;
  evidence?: { occurrences?: Array<{ location: string }> };
};
const prop = (c: Component, name: string): string | undefined =>
  c.properties?.find((p) => p.name === `scannable:${name}`)?.value;
const components = (r: ImageSbomResult): Component[] => (r.sbom.components as Component[]) ?? [];
const debs = (r: ImageSbomResult): Component[] => components(r).filter((c) => c.purl?.startsWith('pkg:deb/'));
const licenseOf = (c: Component): string | undefined => c.licenses?.[0]?.expression ?? c.licenses?.[0]?.license?.id;

describeEngine('sbom --image: examples/jq-curl built by docker build (legacy builder)', () => {
  let work: string;
  let result: ImageSbomResult;
  let installed: Map<string, string>;
  let base: Map<string, string>;

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'scannable-image-test-'));
    build(example, JQ_CURL, false);
    installed = dpkgPackages(JQ_CURL);
    base = dpkgPackages('debian:bookworm');
    result = await imageSbom({
      image: JQ_CURL,
      dockerfile: path.join(example, 'Dockerfile'),
      context: example,
      cache: false,
      tool,
    });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('finds every dpkg package, each with a valid SPDX expression, pointing at the line that installed it', () => {
    const byName = new Map(debs(result).map((c) => [c.name, c]));
    expect(installed.size).toBeGreaterThan(100);
    expect([...installed.keys()].filter((n) => !byName.has(n))).toEqual([]);
    for (const [name, version] of installed) {
      const c = byName.get(name)!;
      expect(c.version, name).toBe(version);
      const license = licenseOf(c);
      expect(license && isValidSpdx(license), `${name}: ${license}`).toBe(true);
      if (base.get(name) === version) {
        // From the base image: the FROM line, and the base image's layer.
        expect([name, prop(c, 'origin'), prop(c, 'base-image'), prop(c, 'line')]).toEqual([
          name,
          'base',
          'debian:bookworm',
          '3',
        ]);
        expect(prop(c, 'layer')).toBe(result.provenance.image.layers[0]);
      } else {
        // New with the image: the RUN on line 4 (jq, curl and what they pulled in).
        expect([name, prop(c, 'origin'), prop(c, 'step'), prop(c, 'line')]).toEqual([name, 'package', 's0.1', '4']);
        expect(prop(c, 'layer')).toBe(result.provenance.image.layers[1]);
      }
    }
    for (const name of ['jq', 'curl', 'libjq1', 'libcurl4']) expect(prop(byName.get(name)!, 'line'), name).toBe('4');
    expect(result.mapping.base).toMatchObject({
      ref: 'debian:bookworm',
      imageId: imageId('debian:bookworm'),
      layers: 1,
      how: 'local image',
    });
    expect(result.mapping.unmatchedHistory).toEqual([]);
    expect(result.notes).toEqual([]);
  });

  it('traces the COPY to the context file, by its digest', () => {
    const digest = createHash('sha256')
      .update(readFileSync(path.join(example, 'hello.sh')))
      .digest('hex');
    const file = components(result).find((c) => c.type === 'file' && prop(c, 'origin') === 'context')!;
    expect(file.name).toBe('hello.sh');
    expect(file.hashes).toEqual([{ alg: 'SHA-256', content: digest }]);
    expect(file.evidence?.occurrences?.map((o) => o.location)).toEqual(['/usr/local/bin/hello']);
    expect([prop(file, 'step'), prop(file, 'line')]).toEqual(['s0.2', '7']);
    const record = result.provenance.files.find((f) => f.path === '/usr/local/bin/hello')!;
    expect(record.origin).toMatchObject({ kind: 'context', path: 'hello.sh', sha256: digest });
    expect(record.sha256).toBe(digest);
  });

  it('writes a valid CycloneDX 1.6 document with every file attributed', async () => {
    expect(await validateCycloneDX(result.sbom)).toBeNull();
    expect(result.provenance.coverage.files).toBeGreaterThan(5000);
    expect(result.provenance.coverage.attributed).toBe(result.provenance.coverage.files);
    const image = result.sbom.metadata as { component: Component };
    expect(image.component.version).toBe(imageId(JQ_CURL));
  });

  it('reads the same image from a docker save tarball to the same SBOM', async () => {
    const tarball = path.join(work, 'jq-curl.tar');
    docker(['save', '-o', tarball, JQ_CURL]);
    const fromTar = await imageSbom({
      image: tarball,
      dockerfile: path.join(example, 'Dockerfile'),
      context: example,
      cache: false,
      tool,
    });
    expect(fromTar.source).toMatchObject({ kind: 'archive', format: 'docker-archive' });
    expect(fromTar.sbom).toEqual(result.sbom);
    // With the layer cache, a second read of the tarball takes only its manifest and config.
    const cache = path.join(work, 'tar-cache');
    const opts = { image: tarball, dockerfile: path.join(example, 'Dockerfile'), context: example, cache, tool };
    expect((await imageSbom(opts)).source.kind).toBe('archive');
    const again = await imageSbom(opts);
    expect(again.source.kind).toBe('cache');
    expect(again.sbom).toEqual(result.sbom);
  });

  it('gives the same SBOM from the layer cache, without reading the image again', async () => {
    const cache = path.join(work, 'cache');
    const opts = { image: JQ_CURL, dockerfile: path.join(example, 'Dockerfile'), context: example, cache, tool };
    const first = await imageSbom(opts);
    expect(first.source.kind).toBe('engine');
    expect(readdirSync(path.join(cache, 'layers'))).toHaveLength(3);
    const second = await imageSbom(opts);
    expect(second.source.kind).toBe('cache');
    expect(second.sbom).toEqual(first.sbom);
    // A cache that lacks a file the run reads (kept by an older run that needed less): the engine is read instead.
    const lc = new LayerCache(cache);
    const [baseLayer] = first.provenance.image.layers;
    const kept = lc.layer(baseLayer!)!;
    const trimmed = { ...kept, contents: kept.contents.filter(([p]) => !p.startsWith('/usr/share/doc/')) };
    expect(trimmed.contents.length).toBeLessThan(kept.contents.length);
    lc.store(
      first.provenance.image.id,
      readFileSync(path.join(cache, 'configs', `${first.provenance.image.id.slice(7)}.json`)),
      [{ diffId: baseLayer!, layer: trimmed }],
    );
    const third = await imageSbom(opts);
    expect(third.source.kind).toBe('engine');
    expect(third.sbom).toEqual(first.sbom);
    // ... and the cache holds what that run read again.
    expect(lc.layer(baseLayer!)!.contents.length).toBe(kept.contents.length);
    expect((await imageSbom(opts)).source.kind).toBe('cache');
  });

  it('names a missing image and how to get it', async () => {
    const err = await imageSbom({ image: 'scannable-test/not-here:0', cache: false, tool }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(
      /image scannable-test\/not-here:0 does not exist in the engine .*docker pull scannable-test\/not-here:0.*docker load/,
    );
  });

  it('scannable sbom --image writes the validated SBOM to -o', async () => {
    const out = path.join(work, 'cli.cdx.json');
    const stderr = process.stderr.write;
    let said = '';
    process.stderr.write = ((s: string) => {
      said += s;
      return true;
    }) as typeof process.stderr.write;
    let code: number;
    try {
      code = await main([
        'node',
        'scannable',
        'sbom',
        '--image',
        JQ_CURL,
        '-f',
        path.join(example, 'Dockerfile'),
        '--context',
        example,
        '-o',
        out,
        '--no-cache',
      ]);
    } finally {
      process.stderr.write = stderr;
    }
    expect(code).toBe(0);
    expect(said).toMatch(
      /packages \(\d+ installed by Dockerfile instructions, \d+ from the base image\), \d+ of \d+ files attributed/,
    );
    const doc = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    const same = await imageSbom({
      image: JQ_CURL,
      dockerfile: path.join(example, 'Dockerfile'),
      context: example,
      cache: false,
      tool: { name: 'scannable', version: VERSION },
    });
    expect(doc).toEqual(JSON.parse(JSON.stringify(same.sbom)));
    expect(readdirSync(work).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describeEngine('sbom --image: history of both builders mapped to Dockerfile lines', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-image-bk-'));
    writeFileSync(path.join(dir, 'f.txt'), 'hello\n');
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      [
        'FROM busybox:latest',
        'ENV GREETING=hi',
        'RUN mkdir -p /opt/x && echo built > /opt/x/a',
        'WORKDIR /opt/x',
        'COPY f.txt ./f.txt',
        'CMD ["sh"]',
        '',
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const buildkit of [true, false]) {
    it(`${buildkit ? 'BuildKit' : 'legacy builder'}: each layer is its instruction`, async () => {
      const tag = `scannable-test/image-history-${buildkit ? 'buildkit' : 'legacy'}:1`;
      build(dir, tag, buildkit);
      const r = await imageSbom({
        image: tag,
        dockerfile: path.join(dir, 'Dockerfile'),
        context: dir,
        cache: false,
        tool,
      });
      expect(r.mapping.builder).toBe(buildkit ? 'buildkit' : 'legacy');
      expect(r.mapping.base).toMatchObject({ ref: 'busybox:latest', layers: 1, how: 'local image' });
      expect(r.mapping.unmatchedHistory).toEqual([]);
      expect(r.mapping.steps.filter((s) => s.step.line > 0).map((s) => [s.step.line, s.strength])).toEqual([
        [2, 'strong'],
        [3, 'strong'],
        [4, 'strong'],
        [5, 'strong'],
        [6, 'strong'],
      ]);
      expect(r.provenance.files.find((f) => f.path === '/opt/x/f.txt')?.origin).toMatchObject({
        kind: 'context',
        path: 'f.txt',
        step: { line: 5 },
      });
      expect(r.provenance.files.find((f) => f.path === '/opt/x/a')?.origin).toMatchObject({
        kind: 'unattributed',
        step: { line: 3 },
      });
      expect(r.provenance.files.find((f) => f.path === '/bin/busybox')?.origin).toMatchObject({
        kind: 'base',
        image: 'busybox:latest',
      });
      expect(await validateCycloneDX(r.sbom)).toBeNull();
    });
  }

  it('a chain of FROM <stage>: the instructions of each stage, base packages at the FROM that named the image', async () => {
    const chain = path.join(dir, 'Chain.Dockerfile');
    writeFileSync(
      chain,
      ['FROM debian:bookworm AS first', 'RUN echo one > /one', 'FROM first', 'RUN echo two > /two', ''].join('\n'),
    );
    build(dir, 'scannable-test/image-chain:1', false, chain);
    const r = await imageSbom({ image: 'scannable-test/image-chain:1', dockerfile: chain, cache: false, tool });
    expect(r.provenance.stages.map((st) => [st.index, st.base.kind, st.target])).toEqual([
      [0, 'image', false],
      [1, 'stage', true],
    ]);
    expect(r.provenance.files.find((f) => f.path === '/one')?.origin).toMatchObject({
      kind: 'unattributed',
      step: { stage: 0, line: 2 },
    });
    expect(r.provenance.files.find((f) => f.path === '/two')?.origin).toMatchObject({
      kind: 'unattributed',
      step: { stage: 1, line: 4 },
    });
    const bash = (r.sbom.components as Component[]).find((c) => c.name === 'bash')!;
    expect([prop(bash, 'origin'), prop(bash, 'line'), prop(bash, 'step')]).toEqual(['base', '1', 's0.0']);
    expect(await validateCycloneDX(r.sbom)).toBeNull();
  });

  it('a base image no longer in the engine is told apart by the history', async () => {
    const file = path.join(dir, 'Vanishing.Dockerfile');
    writeFileSync(file, ['FROM scannable-test/vanishing-base:1', 'COPY f.txt /f.txt', ''].join('\n'));
    docker(['tag', 'busybox:latest', 'scannable-test/vanishing-base:1']);
    build(dir, 'scannable-test/image-vanishing:1', false, file);
    docker(['rmi', 'scannable-test/vanishing-base:1']);
    const r = await imageSbom({
      image: 'scannable-test/image-vanishing:1',
      dockerfile: file,
      context: dir,
      cache: false,
      tool,
    });
    const busyboxLayers = JSON.parse(
      docker(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', 'busybox:latest']),
    ) as string[];
    expect(r.mapping.base).toMatchObject({
      ref: 'scannable-test/vanishing-base:1',
      how: 'history',
      layers: busyboxLayers.length,
    });
    expect(r.notes.join('\n')).toMatch(/base image scannable-test\/vanishing-base:1 is not in the engine/);
    expect(r.provenance.files.find((f) => f.path === '/bin/busybox')?.origin).toMatchObject({
      kind: 'base',
      image: 'scannable-test/vanishing-base:1',
    });
    expect(r.provenance.files.find((f) => f.path === '/f.txt')?.origin).toMatchObject({
      kind: 'context',
      path: 'f.txt',
      step: { line: 2 },
    });
  });

  it('with a Dockerfile the image was not built from, says so', async () => {
    const other = path.join(dir, 'Other.Dockerfile');
    writeFileSync(other, 'FROM scratch\nCOPY nothing /nowhere\n');
    await expect(
      imageSbom({ image: 'scannable-test/image-history-legacy:1', dockerfile: other, cache: false, tool }),
    ).rejects.toThrow(/no history entry of image .* matches an instruction/);
  });

  it('without a Dockerfile, every layer is a step of its own', async () => {
    const r = await imageSbom({ image: 'scannable-test/image-history-buildkit:1', cache: false, tool });
    expect(r.provenance.steps.map((s) => s.step.id)).toEqual(['layer0', 'layer1', 'layer2', 'layer3']);
    expect(r.provenance.files.find((f) => f.path === '/opt/x/f.txt')?.origin).toMatchObject({
      kind: 'unattributed',
      step: { id: 'layer3', line: 0 },
    });
    expect(await validateCycloneDX(r.sbom)).toBeNull();
  });
});
