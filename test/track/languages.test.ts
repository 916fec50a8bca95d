/**
 * Language catalogers on real metadata found on this machine: the host's
 * Python dist-packages, this repository's node_modules (checked against
 * package-lock.json), a Debian ruby gem unpacked at test time, and the Go
 * binaries Debian's docker.io installs.
 */
import { readFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readGoBuildInfo } from '../../src/track/catalogers/golang.js';
import type { SnapshotFs } from '../../src/snapshot/fs.js';
import { catalog, allCatalogers } from '../../src/track/catalogers/index.js';
import { npmCataloger } from '../../src/track/catalogers/npm.js';
import { pythonCataloger } from '../../src/track/catalogers/python.js';
import { gemCataloger } from '../../src/track/catalogers/gem.js';
import { goBinaryCataloger } from '../../src/track/catalogers/golang.js';
import { DirFs } from '../../src/snapshot/dir-fs.js';
import { isValidSpdx, normalizeSpdx } from '../../src/track/licenses/spdx.js';
import { MemoryFs } from '../../src/snapshot/memory-fs.js';
import { repoRoot } from '../helpers/shared.js';
import { hasApt, unpackDebs } from './helpers/debian.js';

const DIST = '/usr/lib/python3/dist-packages';

describe.skipIf(!existsSync(DIST))('python on the host dist-packages', () => {
  const fs = new DirFs('/usr/lib/python3');
  const r = catalog(fs, { catalogers: [pythonCataloger] });
  it('finds every dist-info and egg-info with the name and version its directory says', () => {
    const dirs = fs.list('/dist-packages').filter((e) => /\.(dist|egg)-info$/.test(e.path));
    console.log(
      `[python] ${r.packages.length} distributions from ${dirs.length} *-info entries; problems: ${r.problems.length}`,
    );
    expect(dirs.length).toBeGreaterThan(5);
    for (const d of dirs) {
      const m = /^\/dist-packages\/([^/]+?)-(\d[^-/]*?)(?:-py\d[^/]*)?\.(dist|egg)-info$/.exec(d.path);
      if (!m) continue; // "cryptography.egg-info" style names carry no version
      const p = r.packages.find((x) => x.metadataPath.startsWith(d.path));
      expect(p, d.path).toBeDefined();
      expect(p!.name.toLowerCase().replace(/[-_.]+/g, '_')).toBe(m[1]!.toLowerCase().replace(/[-_.]+/g, '_'));
      expect(p!.version).toBe(m[2]);
      expect(p!.purl).toBe(`pkg:pypi/${p!.name.toLowerCase().replace(/_/g, '-')}@${p!.version}`);
    }
  });
  it('gives valid licenses and RECORD files where the wheel kept them', () => {
    for (const p of r.packages) if (p.licenseExpression) expect(isValidSpdx(p.licenseExpression), p.name).toBe(true);
    const yaml = r.packages.find((p) => p.name === 'PyYAML');
    if (yaml) {
      expect(yaml.licenseExpression).toBe('MIT');
      expect(yaml.files.some((f) => f.startsWith('/dist-packages/yaml/'))).toBe(true);
      for (const [f, d] of Object.entries(yaml.fileDigests ?? {})) expect(d, f).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  });
});

describe('python metadata forms', () => {
  const fs = new MemoryFs({
    '/app/lib/python3.12/site-packages/demo_pkg-1.2.dist-info/METADATA':
      'Metadata-Version: 2.4\nName: Demo_Pkg\nVersion: 1.2\nLicense-Expression: mit OR apache-2.0\nClassifier: License :: OSI Approved :: BSD License\nRequires-Dist: requests>=2\nRequires-Dist: pytest; extra == "test"\nProject-URL: Source, https://example.org/src\n\nBody text: License: GPL\n',
    '/app/lib/python3.12/site-packages/demo_pkg-1.2.dist-info/RECORD':
      'demo_pkg/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n"demo_pkg/a,b.py",,\n../../../bin/demo,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n',
    '/app/lib/python3.12/site-packages/demo_pkg-1.2.dist-info/licenses/LICENSE': 'MIT text',
    '/app/lib/python3.12/site-packages/old-0.1-py3.12.egg-info':
      'Metadata-Version: 1.1\nName: old\nVersion: 0.1\nLicense: Copyright (c) Someone\n        All rights reserved; long custom terms follow here and go on for a while longer than a name\nClassifier: License :: OSI Approved :: MIT License\n',
    '/app/lib/python3.12/site-packages/txt-2.0.egg-info/PKG-INFO': 'Name: txt\nVersion: 2.0\nLicense: UNKNOWN\n',
  });
  const r = catalog(fs, { catalogers: [pythonCataloger] });
  const by = (n: string) => r.packages.find((p) => p.name === n)!;
  it('prefers License-Expression, then a License name, then classifiers', () => {
    expect(by('Demo_Pkg').licenseExpression).toBe('MIT OR Apache-2.0');
    expect(by('Demo_Pkg').purl).toBe('pkg:pypi/demo-pkg@1.2');
    expect(by('Demo_Pkg').dependencies).toEqual(['requests']);
    expect(by('Demo_Pkg').vcs).toBe('https://example.org/src');
    expect(by('old').licenseExpression).toBe('MIT');
    expect(by('txt').licenseExpression).toBeUndefined();
    expect(by('txt').licenseUnknownReason).toMatch(/no License-Expression/);
  });
  it('resolves RECORD paths against site-packages and converts digests', () => {
    const p = by('Demo_Pkg');
    expect(p.files).toEqual([
      '/app/lib/python3.12/site-packages/demo_pkg/__init__.py',
      '/app/lib/python3.12/site-packages/demo_pkg/a,b.py',
      '/app/bin/demo',
    ]);
    expect(p.fileDigests?.['/app/bin/demo']).toBe(
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(p.licenseTexts.map((t) => t.text)).toEqual(['MIT text']);
  });
});

describe('npm on this repository', () => {
  const fs = new DirFs(repoRoot);
  const r = catalog(fs, { catalogers: [npmCataloger] });
  const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; license?: string; link?: boolean; optional?: boolean }>;
  };
  it('finds every installed package of package-lock.json with its version and license', () => {
    const installed = Object.entries(lock.packages).filter(
      ([k, v]) => k.startsWith('node_modules/') && !v.link && existsSync(path.join(repoRoot, k, 'package.json')),
    );
    console.log(
      `[npm] ${r.packages.length} packages under node_modules; lock lists ${installed.length} installed; problems: ${r.problems.length}`,
    );
    expect(installed.length).toBeGreaterThan(20);
    for (const [k, v] of installed) {
      const p = r.packages.find((x) => x.metadataPath === `/${k}/package.json`);
      expect(p, k).toBeDefined();
      expect(p!.version).toBe(v.version);
      if (v.license) expect(p!.licenseExpression, k).toBe(normalizeSpdx(v.license) ?? p!.licenseExpression);
    }
    const scoped = r.packages.find((p) => p.name.startsWith('@'));
    expect(scoped?.purl).toMatch(/^pkg:npm\/%40[^/]+\/[^@]+@/);
  });
  it('owns the package directory but not nested node_modules', () => {
    const vitest = r.packages.find((p) => p.name === 'vitest')!;
    expect(vitest.files.length).toBeGreaterThan(10);
    expect(
      vitest.files.every(
        (f) => f.startsWith('/node_modules/vitest/') && !f.includes('/node_modules/vitest/node_modules/'),
      ),
    ).toBe(true);
  });
  it('reads legacy license forms and skips non-package package.json files', () => {
    const mem = new MemoryFs({
      '/n/node_modules/a/package.json': JSON.stringify({
        name: 'a',
        version: '1.0.0',
        licenses: [{ type: 'MIT' }, { type: 'Apache-2.0' }],
      }),
      '/n/node_modules/b/package.json': JSON.stringify({
        name: 'b',
        version: '2.0.0',
        license: { type: 'ISC', url: 'x' },
      }),
      '/n/node_modules/c/package.json': JSON.stringify({
        name: 'c',
        version: '3.0.0',
        license: 'SEE LICENSE IN terms.txt',
      }),
      '/n/node_modules/c/terms.txt': 'Custom terms',
      '/n/node_modules/d/package.json': JSON.stringify({ type: 'module' }),
      '/n/node_modules/a/lib/package.json': JSON.stringify({ name: 'inner', version: '0.0.0' }),
      '/n/node_modules/.bin/package.json': '{}',
      '/n/node_modules/e/package.json': '{"name": "e", "version": ',
    });
    const m = catalog(mem, { catalogers: [npmCataloger] });
    expect(m.packages.map((p) => [p.name, p.licenseExpression])).toEqual([
      ['a', 'MIT AND Apache-2.0'],
      ['b', 'ISC'],
      ['c', 'LicenseRef-c-terms.txt'],
    ]);
    expect(m.packages[2]!.licenseTexts[0]?.text).toBe('Custom terms');
    expect(m.problems.map((p) => p.path).sort()).toEqual([
      '/n/node_modules/d/package.json',
      '/n/node_modules/e/package.json',
    ]);
  });
});

describe.skipIf(!hasApt)('gems from a Debian ruby package', () => {
  let root: string;
  beforeAll(() => {
    root = unpackDebs(['ruby-rack']);
  });
  it('reads the installed gemspec statically', () => {
    const fs = new DirFs(root);
    const r = catalog(fs, { catalogers: [gemCataloger] });
    expect(r.problems).toEqual([]);
    const rack = r.packages.find((p) => p.name === 'rack')!;
    const specPath = r.packages[0]!.metadataPath;
    expect(specPath).toMatch(/^\/usr\/share\/rubygems-integration\/all\/specifications\/rack-[\d.]+\.gemspec$/);
    const version = /rack-([\d.]+)\.gemspec$/.exec(specPath)![1];
    console.log(
      `[gem] ${rack.purl} ${rack.licenseExpression} ${rack.homepage} deps=${rack.dependencies.join(',') || '-'}`,
    );
    expect(rack.version).toBe(version);
    expect(rack.purl).toBe(`pkg:gem/rack@${version}`);
    expect(rack.licenseExpression).toBe('MIT');
    expect(rack.homepage).toMatch(/^https:\/\/github\.com\/rack\/rack/);
    expect(rack.supplier).toBeTruthy();
    // Development dependencies (repeated as add_dependency for old RubyGems) are not runtime ones.
    expect(rack.dependencies).not.toContain('minitest');
  });
});

describe('gemspec reader', () => {
  it('reads the literal forms RubyGems writes and reports what it cannot evaluate', () => {
    const fs = new MemoryFs({
      '/g/specifications/x-1.0-java.gemspec': `Gem::Specification.new do |spec|
  spec.name = %q{x}
  spec.version = Gem::Version.new("1.0")
  spec.platform = "java"
  spec.license = 'Ruby'
  spec.authors = ["A \\"Quoted\\" Name".freeze, 'B']
  spec.metadata = { "source_code_uri" => "https://example.org/x" }
  spec.homepage = "https://#{host}/x"
  spec.add_runtime_dependency(%q<y>.freeze, ["~> 1"])
end
`,
      '/g/gems/x-1.0-java/lib/x.rb': '',
    });
    const r = catalog(fs, { catalogers: [gemCataloger] });
    const p = r.packages[0]!;
    expect(p).toMatchObject({
      name: 'x',
      version: '1.0',
      purl: 'pkg:gem/x@1.0?platform=java',
      licenseExpression: 'Ruby',
      vcs: 'https://example.org/x',
    });
    expect(p.supplier).toBe('A "Quoted" Name, B');
    expect(p.homepage).toBeUndefined();
    expect(p.dependencies).toEqual(['y']);
    expect(p.files).toEqual(['/g/gems/x-1.0-java', '/g/gems/x-1.0-java/lib', '/g/gems/x-1.0-java/lib/x.rb']);
    expect(r.problems).toEqual([
      {
        path: '/g/specifications/x-1.0-java.gemspec',
        reason: 'homepage is not a literal; not evaluated',
        cataloger: 'gem',
      },
    ]);
  });
});

const GO_BINARIES = [
  '/usr/sbin/dockerd',
  '/usr/bin/containerd',
  '/usr/sbin/runc',
  '/usr/lib/google-cloud-sdk/bin/kubectl',
].filter((p) => existsSync(p));

describe.skipIf(GO_BINARIES.length === 0)('Go build info in the binaries on this machine', () => {
  it.each(GO_BINARIES)('%s', (bin) => {
    const buf = readFileSync(bin);
    const info = readGoBuildInfo(buf);
    expect(info && !('error' in info)).toBe(true);
    if (!info || 'error' in info) return;
    expect(info.goVersion).toMatch(/^go1\.\d+/);
    // The version string is in the binary verbatim, as is the main package path.
    expect(buf.includes(Buffer.from(info.goVersion))).toBe(true);
    expect(info.path).toMatch(/^[a-z0-9.-]+\.[a-z]+\/|^[a-z]/);
    expect(buf.includes(Buffer.from(`path\t${info.path}\n`))).toBe(true);
    // Every "dep" line of the module list after the build-info magic is found (counted in the raw
    // bytes up to the end sentinel; the runtime keeps a second copy elsewhere in the binary).
    const at = buf.indexOf(Buffer.from('\xff Go buildinf:', 'latin1'));
    const end = buf.indexOf(Buffer.from('f9324331861820720082421041' + '16d8f2', 'hex'), at);
    const raw = buf.toString('latin1', at, end > at ? end : at + 4096);
    const depLines = raw.match(/\ndep\t[^\t\n]+\t[^\t\n]+/g)?.length ?? 0;
    expect(info.deps.length).toBe(depLines);
    console.log(
      `[go] ${bin}: ${info.goVersion} path=${info.path} main=${info.main?.path ?? '-'} deps=${info.deps.length}`,
    );
  });
  it('catalogs main module, dependencies and stdlib through the runner', () => {
    const fs = new DirFs('/usr/sbin');
    const r = catalog(fs, { catalogers: [goBinaryCataloger] });
    const dockerd = r.packages.filter((p) => p.metadataPath === '/dockerd');
    if (existsSync('/usr/sbin/dockerd')) {
      expect(dockerd.map((p) => p.name)).toContain('github.com/docker/docker/cmd/dockerd');
      const std = dockerd.find((p) => p.name === 'stdlib')!;
      expect(std.purl).toMatch(/^pkg:golang\/stdlib@1\.\d+/);
      expect(std.licenseUnknownReason).toMatch(/no licenses/);
    }
    expect(r.packages.every((p) => p.ecosystem === 'golang')).toBe(true);
  });
});

describe('Go build info: telling a program is not Go from its headers', () => {
  // Every executable under these directories, read whole and read by its headers and writable segments.
  const dirs = ['/usr/bin', '/usr/sbin', '/usr/lib/x86_64-linux-gnu', '/usr/libexec/docker'].filter((d) =>
    existsSync(d),
  );
  it('finds what reading each file whole finds, in every executable on this machine', () => {
    let files = 0;
    let found = 0;
    for (const d of dirs) {
      const ranged = new DirFs(d);
      // The same files without ranged reads: the cataloger reads each one whole.
      const whole: SnapshotFs = {
        stat: (p) => ranged.stat(p),
        readFile: (p) => ranged.readFile(p),
        list: (p) => ranged.list(p),
        entries: () => ranged.entries(),
        resolve: (p) => ranged.resolve(p),
      };
      for (const e of ranged.entries()) {
        if (!goBinaryCataloger.accept!(e) || e.size > 64 << 20) continue;
        files++;
        const a = goBinaryCataloger.parse(e, ranged);
        const b = goBinaryCataloger.parse(e, whole);
        expect({ path: e.path, packages: a.packages.map((x) => x.purl), problems: a.problems }).toEqual({
          path: e.path,
          packages: b.packages.map((x) => x.purl),
          problems: b.problems,
        });
        if (a.packages.length) found++;
      }
    }
    expect(files).toBeGreaterThan(100);
    console.log(`[go] ${files} executables compared, ${found} Go programs among them`);
  }, 120_000);
});

describe('catalogers are declared', () => {
  it('each has a name, globs and a parser, and names are unique', () => {
    const names = allCatalogers.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of allCatalogers) {
      expect(c.globs.length).toBeGreaterThan(0);
      expect(typeof c.parse).toBe('function');
    }
  });
});
