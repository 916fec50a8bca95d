/**
 * Fetching against a loopback server: a small Debian mirror and npm registry,
 * and every failure path (404, wrong digest, stalled and hung transfers,
 * refused connections). No failure may leave a file behind.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseSbom } from '../../src/osl/sbom.js';
import {
  download,
  fetchSources,
  FetchError,
  locateSources,
  resolveSources,
  type Manifest,
  type MirrorConfig,
} from '../../src/sources/index.js';
import { DEFAULT_REGISTRIES, type RegistryConfig } from '../../src/sources/registries.js';
import { fakeMirror, pool, sha256 } from './helpers/mirror.js';
import { startServer, type TestServer } from './helpers/server.js';

/** Every file under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const tarball = Buffer.from('a tarball of left-pad');
const npmDoc = (url: string, content: Buffer) =>
  JSON.stringify({
    name: 'left-pad',
    version: '1.3.0',
    dist: { tarball: url, integrity: 'sha512-' + createHash('sha512').update(content).digest('base64'), shasum: 'x' },
  });

let srv: TestServer;
let refused: number;
beforeAll(async () => {
  srv = await startServer({
    '/ok.bin': { body: 'hello world' },
    '/stall.bin': { stallAfter: 'partial data' },
    '/hang.bin': { hang: true },
    ...fakeMirror('/debian', 'bookworm', [
      {
        name: 'hello',
        version: '1.0-1',
        files: {
          'hello_1.0-1.dsc': 'dsc of hello',
          'hello_1.0.orig.tar.gz': 'orig of hello',
          'hello_1.0-1.debian.tar.xz': 'debian of hello',
        },
      },
      {
        name: 'broken',
        version: '2.0-1',
        files: { 'broken_2.0-1.dsc': 'dsc', 'broken_2.0.orig.tar.gz': 'orig' },
        corrupt: ['broken_2.0.orig.tar.gz'],
      },
      { name: 'libold', version: '3.1-1', files: { 'libold_3.1-1.dsc': 'dsc' } },
    ]),
  });
  srv.routes.set('/npm/left-pad/1.3.0', {
    body: npmDoc(`${srv.url}/npm/left-pad/-/left-pad-1.3.0.tgz`, tarball),
    type: 'application/json',
  });
  srv.routes.set('/npm/left-pad/-/left-pad-1.3.0.tgz', { body: tarball });
  srv.routes.set('/npm/evil/6.6.6', {
    body: npmDoc(`${srv.url}/npm/evil/-/evil-6.6.6.tgz`, Buffer.from('what the registry promised')),
    type: 'application/json',
  });
  srv.routes.set('/npm/evil/-/evil-6.6.6.tgz', { body: 'something else' });
  refused = await closedPort();
});
afterAll(() => srv.close());

describe('download', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dl-'));
  const opts = { timeoutMs: 400 };

  it('verifies and places a file', async () => {
    const got = await download(`${srv.url}/ok.bin`, path.join(dir, 'ok.bin'), {
      ...opts,
      expected: { sha256: sha256('hello world'), size: 11 },
    });
    expect(got).toMatchObject({ size: 11, sha256: sha256('hello world'), verified: ['size', 'sha256'] });
    expect(readFileSync(path.join(dir, 'ok.bin'), 'utf8')).toBe('hello world');
  });

  it.each([
    ['a 404', '/missing.bin', {}, /^HTTP 404 Not Found from http:\/\/127\.0\.0\.1:\d+\/missing\.bin$/],
    [
      'a wrong sha256',
      '/ok.bin',
      { sha256: sha256('other') },
      /^sha256 mismatch for .*ok\.bin: expected [0-9a-f]{64}, got [0-9a-f]{64}$/,
    ],
    ['a wrong sha512', '/ok.bin', { sha512: '00' }, /^sha512 mismatch/],
    ['a stalled body', '/stall.bin', {}, /^timed out: no data from 127\.0\.0\.1:\d+ for 0\.4 s$/],
    ['no answer', '/hang.bin', {}, /^timed out/],
  ])('leaves nothing behind on %s', async (_what, route, expected, message) => {
    const dest = path.join(dir, 'fail', 'x.bin');
    const err = await download(`${srv.url}${route}`, dest, { ...opts, expected }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect((err as Error).message).toMatch(message);
    expect(tree(path.join(dir, 'fail'))).toEqual([]);
  });

  it('reports a refused connection as a network error', async () => {
    const err = await download(`http://127.0.0.1:${refused}/x`, path.join(dir, 'r', 'x'), opts).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toBe('network error: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:' + refused);
    expect(tree(path.join(dir, 'r'))).toEqual([]);
  });

  it('rejects a file that a further check refuses, before it is in place', async () => {
    const dest = path.join(dir, 'v', 'x.bin');
    const err = await download(`${srv.url}/ok.bin`, dest, {
      ...opts,
      verify: () => {
        throw new FetchError('h1 mismatch');
      },
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('h1 mismatch');
    expect(tree(path.join(dir, 'v'))).toEqual([]);
  });
});

/** A minimal CycloneDX document with the components these tests need. */
function sbom(components: object[]): string {
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: 'urn:uuid:00000000-0000-5000-8000-000000000000',
    version: 1,
    metadata: { component: { type: 'container', name: 'test:1', 'bom-ref': 'image' } },
    components,
  });
}
const deb = (name: string, version: string, source?: string) => ({
  type: 'library',
  name,
  version,
  'bom-ref': `pkg:deb/debian/${name}@${version}?arch=amd64&distro=debian-12`,
  purl: `pkg:deb/debian/${name}@${version}?arch=amd64&distro=debian-12`,
  properties: source ? [{ name: 'scannable:source-package', value: source }] : [],
});
const npm = (name: string, version: string) => ({
  type: 'library',
  name,
  version,
  'bom-ref': `pkg:npm/${name}@${version}`,
  purl: `pkg:npm/${name}@${version}`,
});
const contextFile = (p: string, hash: string) => ({
  type: 'file',
  name: p,
  'bom-ref': `file:context:${p}`,
  hashes: [{ alg: 'SHA-256', content: hash }],
  properties: [{ name: 'scannable:origin', value: 'context' }],
});

describe('resolving and fetching against a loopback mirror and registry', () => {
  const doc = sbom([
    deb('hello', '1.0-1'),
    deb('hello-data', '1.0-1', 'hello@1.0-1'),
    deb('broken', '2.0-1'),
    deb('libold1', '3.0-1', 'libold@3.0-1'),
    npm('left-pad', '1.3.0'),
    npm('evil', '6.6.6'),
    {
      type: 'library',
      name: 'requests',
      version: '2.31.0',
      'bom-ref': 'pkg:pypi/requests@2.31.0',
      purl: 'pkg:pypi/requests@2.31.0',
    },
    contextFile('hello.sh', sha256('#!/bin/sh\necho hello\n')),
    contextFile('tampered.txt', sha256('original')),
    {
      type: 'file',
      name: 'files written by RUN x',
      'bom-ref': 'file:unattributed:s1.2',
      properties: [{ name: 'scannable:origin', value: 'unattributed' }],
    },
  ]);
  let manifest: Manifest;
  let dir: string;
  const context = mkdtempSync(path.join(os.tmpdir(), 'ctx-'));
  writeFileSync(path.join(context, 'hello.sh'), '#!/bin/sh\necho hello\n');
  writeFileSync(path.join(context, 'tampered.txt'), 'changed since the build');

  beforeAll(async () => {
    const mirror: MirrorConfig = {
      main: `${srv.url}/debian`,
      security: `${srv.url}/debian-security`,
      components: ['main'],
      from: 'option',
    };
    const registries: RegistryConfig = {
      ...DEFAULT_REGISTRIES,
      npm: `${srv.url}/npm`,
      pypi: `http://127.0.0.1:${refused}`,
    };
    const located = locateSources(parseSbom(doc, 'test.json'), { mirror, registries });
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'cache-'));
    const resolved = await resolveSources(located, { mirror, registries, timeoutMs: 2000, cacheDir });
    dir = mkdtempSync(path.join(os.tmpdir(), 'fetch-'));
    manifest = await fetchSources(
      resolved,
      dir,
      { sbom: { image: 'test:1' }, mirror: { main: mirror.main, security: mirror.security } },
      { timeoutMs: 2000, concurrency: 3, context },
    );
  });
  const entry = (id: string) => manifest.sources.find((s) => s.id === id)!;

  it('fetches a Debian source package with every file verified against the index', () => {
    const hello = entry('deb:hello@1.0-1');
    expect(hello).toMatchObject({
      status: 'ok',
      suite: 'bookworm',
      components: [
        'pkg:deb/debian/hello-data@1.0-1?arch=amd64&distro=debian-12',
        'pkg:deb/debian/hello@1.0-1?arch=amd64&distro=debian-12',
      ],
    });
    expect(hello.urls).toEqual([`${srv.url}/debian/${pool('hello')}/hello_1.0-1.dsc`]);
    expect(hello.files.map((f) => [f.path, f.sha256, f.verified])).toEqual([
      ['debian/hello_1.0-1/hello_1.0-1.dsc', sha256('dsc of hello'), ['size', 'sha256']],
      ['debian/hello_1.0-1/hello_1.0.orig.tar.gz', sha256('orig of hello'), ['size', 'sha256']],
      ['debian/hello_1.0-1/hello_1.0-1.debian.tar.xz', sha256('debian of hello'), ['size', 'sha256']],
    ]);
    expect(readFileSync(path.join(dir, 'debian/hello_1.0-1/hello_1.0.orig.tar.gz'), 'utf8')).toBe('orig of hello');
  });

  it('reports a corrupt file and a version the mirror lacks, per source', () => {
    expect(entry('deb:broken@2.0-1')).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^broken_2\.0\.orig\.tar\.gz: sha256 mismatch/),
    });
    expect(entry('deb:libold@3.0-1')).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining("libold 3.0-1 is not in the mirror's indices (bookworm); they have 3.1-1"),
    });
  });

  it('fetches an npm tarball verified by its sha512 integrity, and refuses one that does not match', () => {
    expect(entry('npm:left-pad@1.3.0')).toMatchObject({
      status: 'ok',
      files: [{ path: 'npm/left-pad-1.3.0.tgz', verified: ['sha512'], sha256: sha256(tarball) }],
    });
    expect(entry('npm:evil@6.6.6')).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('sha512 mismatch'),
    });
    expect(existsSync(path.join(dir, 'npm/evil-6.6.6.tgz'))).toBe(false);
  });

  it('reports an unreachable registry with the network error', () => {
    expect(entry('pypi:requests@2.31.0')).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('look-up failed: network error: ECONNREFUSED'),
    });
  });

  it('copies context files checked against the SBOM, and skips what has no source', () => {
    expect(entry('context:hello.sh')).toMatchObject({
      status: 'ok',
      files: [{ path: 'context/hello.sh', verified: ['sha256'] }],
    });
    expect(entry('context:tampered.txt')).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('sha256 mismatch'),
    });
    expect(entry('none:file:unattributed:s1.2')).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('origin unknown'),
    });
  });

  it('writes a manifest of everything, and no partial file anywhere', () => {
    expect(manifest.summary).toEqual({ ok: 3, failed: 5, skipped: 1 });
    expect(JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'))).toEqual(manifest);
    expect(tree(dir)).toEqual(
      [
        'context/hello.sh',
        'debian/hello_1.0-1/hello_1.0-1.debian.tar.xz',
        'debian/hello_1.0-1/hello_1.0-1.dsc',
        'debian/hello_1.0-1/hello_1.0.orig.tar.gz',
        'debian/broken_2.0-1/broken_2.0-1.dsc',
        'manifest.json',
        'npm/left-pad-1.3.0.tgz',
      ].sort(),
    );
  });

  it('resumes: a second run reuses verified files instead of downloading them again', async () => {
    const mirror: MirrorConfig = {
      main: `${srv.url}/debian`,
      security: `${srv.url}/debian-security`,
      components: ['main'],
      from: 'option',
    };
    const registries: RegistryConfig = {
      ...DEFAULT_REGISTRIES,
      npm: `${srv.url}/npm`,
      pypi: `http://127.0.0.1:${refused}`,
    };
    const resolved = await resolveSources(locateSources(parseSbom(doc, 'test.json'), { mirror, registries }), {
      mirror,
      registries,
      timeoutMs: 2000,
      cacheDir: mkdtempSync(path.join(os.tmpdir(), 'cache-')),
    });
    const before = srv.hits.filter((h) => h.includes('/pool/')).length;
    const mtime = statSync(path.join(dir, 'debian/hello_1.0-1/hello_1.0.orig.tar.gz')).mtimeMs;
    const again = await fetchSources(
      resolved,
      dir,
      { sbom: {}, mirror: { main: '', security: '' } },
      { timeoutMs: 2000, concurrency: 2, context },
    );
    expect(again.summary).toEqual(manifest.summary);
    // Only the corrupt file is asked for again.
    expect(srv.hits.filter((h) => h.includes('/pool/')).length - before).toBe(1);
    expect(statSync(path.join(dir, 'debian/hello_1.0-1/hello_1.0.orig.tar.gz')).mtimeMs).toBe(mtime);
  });
});

describe('scannable sources', () => {
  async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const out = vi
      .spyOn(process.stdout, 'write')
      .mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
    const err = vi
      .spyOn(process.stderr, 'write')
      .mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
    try {
      return { code: await main(['node', 'scannable', ...args]), stdout, stderr };
    } finally {
      out.mockRestore();
      err.mockRestore();
      process.exitCode = undefined;
    }
  }
  const work = mkdtempSync(path.join(os.tmpdir(), 'sources-cli-'));
  const file = path.join(work, 'image.cdx.json');
  writeFileSync(file, sbom([deb('hello', '1.0-1'), deb('broken', '2.0-1')]));

  it('lists locations offline as JSON', async () => {
    const r = await run('sources', file, '--offline', '--format', 'json', '--mirror', 'http://mirror.example/debian');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.sources.map((s: { id: string; urls: string[] }) => [s.id, s.urls])).toEqual([
      ['deb:broken@2.0-1', ['http://mirror.example/debian/pool/main/b/broken/broken_2.0-1.dsc']],
      ['deb:hello@1.0-1', ['http://mirror.example/debian/pool/main/h/hello/hello_1.0-1.dsc']],
    ]);
  });

  it('fetches, prints a line per source, writes the manifest and exits 1 when one failed', async () => {
    const dir = path.join(work, 'out');
    const r = await run(
      'sources',
      file,
      '--fetch',
      dir,
      '--mirror',
      `${srv.url}/debian`,
      '--security-mirror',
      `${srv.url}/debian-security`,
      '--cache',
      path.join(work, 'cache'),
      '--timeout',
      '2',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ok {6}deb:hello@1\.0-1 \(3 files, 40 B, verified: size, sha256\)$/m);
    expect(r.stderr).toMatch(/^failed {2}deb:broken@2\.0-1: broken_2\.0\.orig\.tar\.gz: sha256 mismatch/m);
    expect(r.stdout).toContain(`1 ok, 1 failed, 0 skipped; 4 files (`);
    expect(JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')).summary).toEqual({
      ok: 1,
      failed: 1,
      skipped: 0,
    });
  });

  it('rejects bad options with exit 2', async () => {
    expect(await run('sources', file, '--timeout', '0')).toMatchObject({
      code: 2,
      stderr: 'scannable: --timeout must be a positive number, not "0"\n',
    });
    expect(await run('sources', file, '--mirror', 'ftp.example')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--mirror must be an http(s) URL'),
    });
    expect(await run('sources', file, '--offline', '--fetch', work)).toMatchObject({ code: 2 });
    expect(await run('sources', path.join(work, 'nope.json'))).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/cannot read SBOM .*nope\.json: no such file/),
    });
  });
});
