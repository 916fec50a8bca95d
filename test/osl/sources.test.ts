/** Source locations without the network: naming rules, grouping, apt configuration, purls, digests. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSbom } from '../../src/osl/sbom.js';
import {
  codenameOf,
  dirHash1,
  goEscape,
  locateSources,
  mirrorConfig,
  mirrorFromApt,
  parseAptSources,
  parsePurl,
  poolPrefix,
  type MirrorConfig,
  type SourceLocation,
} from '../../src/sources/index.js';
import { sriSha512 } from '../../src/sources/registries.js';
import { languagesProvenance, sampleSbom, sbomOf, unknownsProvenance } from './helpers/sboms.js';

const mirror: MirrorConfig = {
  main: 'http://deb.example/debian',
  security: 'http://deb.example/debian-security',
  components: ['main'],
  from: 'option',
};
const locate = (doc: object): SourceLocation[] => locateSources(parseSbom(JSON.stringify(doc), 'x.json'), { mirror });
const byId = (ls: SourceLocation[], id: string): SourceLocation => {
  const l = ls.find((x) => x.id === id);
  if (!l) throw new Error(`no ${id} in ${ls.map((x) => x.id).join(', ')}`);
  return l;
};

describe('package URLs', () => {
  it('parses type, namespace, name, version, qualifiers and subpath', () => {
    expect(parsePurl('pkg:deb/debian/bash@5.2.15-2%2Bb7?arch=amd64&distro=debian-12')).toEqual({
      type: 'deb',
      namespace: 'debian',
      name: 'bash',
      version: '5.2.15-2+b7',
      qualifiers: { arch: 'amd64', distro: 'debian-12' },
    });
    expect(parsePurl('pkg:npm/%40types/node@20.0.0')).toMatchObject({
      namespace: '@types',
      name: 'node',
      version: '20.0.0',
    });
    expect(parsePurl('pkg:golang/github.com/BurntSushi/toml@v1.3.2#cmd/x')).toMatchObject({
      namespace: 'github.com/BurntSushi',
      name: 'toml',
      subpath: 'cmd/x',
    });
    expect(parsePurl('pkg:deb/debian/libcap2@1:2.66-4')).toMatchObject({ version: '1:2.66-4' });
    expect(parsePurl('not a purl')).toBeUndefined();
  });
});

describe('Debian naming', () => {
  it('maps releases and pool prefixes', () => {
    expect(codenameOf('debian-12')).toBe('bookworm');
    expect(codenameOf('debian-11.9')).toBe('bullseye');
    expect(codenameOf('trixie')).toBe('trixie');
    expect(codenameOf('ubuntu-22.04')).toBeUndefined();
    expect(poolPrefix('jq')).toBe('j');
    expect(poolPrefix('libcap2')).toBe('libc');
    expect(poolPrefix('lib')).toBe('l');
  });

  it('reads one-line and deb822 apt sources, keeping only Debian suites', () => {
    expect(
      parseAptSources(
        '# comment\ndeb [arch=amd64 signed-by=/k.gpg] http://m.example/debian bookworm main contrib\ndeb-src http://m.example/debian bookworm main\n',
        false,
      ),
    ).toEqual([
      { uri: 'http://m.example/debian', suites: ['bookworm'], components: ['main', 'contrib'] },
      { uri: 'http://m.example/debian', suites: ['bookworm'], components: ['main'] },
    ]);
    const root = mkdtempSync(path.join(os.tmpdir(), 'apt-'));
    mkdirSync(path.join(root, 'etc/apt/sources.list.d'), { recursive: true });
    writeFileSync(
      path.join(root, 'etc/apt/sources.list.d/debian.sources'),
      'Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\nComponents: main\n\nTypes: deb\nEnabled: no\nURIs: http://off.example/debian\nSuites: bookworm\nComponents: main\n',
    );
    writeFileSync(
      path.join(root, 'etc/apt/sources.list.d/vendor.list'),
      'deb https://packages.vendor.example/apt stable main\n',
    );
    expect(mirrorFromApt(root)).toEqual({
      main: 'http://mirror.example/debian',
      security: 'http://mirror.example/debian-security',
      components: ['main'],
      from: 'apt',
    });
    expect(mirrorFromApt(path.join(root, 'nothing'))).toBeUndefined();
    expect(mirrorConfig({ aptRoot: path.join(root, 'nothing') })).toMatchObject({
      main: 'http://deb.debian.org/debian',
      security: 'http://deb.debian.org/debian-security',
      from: 'default',
    });
    expect(mirrorConfig({ mirror: 'http://local/debian/', aptRoot: root })).toMatchObject({
      main: 'http://local/debian',
      security: 'http://mirror.example/debian-security',
      from: 'option',
    });
  });
});

describe('locating sources', () => {
  it('names the Debian source package, one location per source for all its binaries', () => {
    const ls = locate(sbomOf(languagesProvenance()));
    const glibc = byId(ls, 'deb:glibc@2.36-9+deb12u4');
    expect(glibc).toMatchObject({
      kind: 'debian-source',
      name: 'glibc',
      version: '2.36-9+deb12u4',
      codename: 'bookworm',
      resolved: false,
    });
    expect(glibc.components).toEqual([
      'pkg:deb/debian/libc-bin@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12',
      'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12',
    ]);
    expect(glibc.urls).toEqual(['http://deb.example/debian/pool/main/g/glibc/glibc_2.36-9+deb12u4.dsc']);
    // The epoch is part of the version but not of file names.
    expect(byId(ls, 'deb:libcap2@1:2.66-4').urls).toEqual([
      'http://deb.example/debian/pool/main/libc/libcap2/libcap2_2.66-4.dsc',
    ]);
    // Without a recorded source package: the binary's name and version, less a binNMU suffix.
    expect(byId(ls, 'deb:bash@5.2.15-2')).toMatchObject({ name: 'bash', version: '5.2.15-2' });
    expect(byId(ls, 'none:pkg:deb/ubuntu/ubuntu-thing@1.0?arch=amd64&distro=ubuntu-22.04')).toMatchObject({
      sourceMissing: true,
      note: 'no source mirror is known for ubuntu packages',
    });
  });

  it('names registry artefacts by their URL patterns', () => {
    const ls = locate(sbomOf(languagesProvenance()));
    expect(byId(ls, 'npm:@types/node@20.0.0').files).toEqual([
      { name: 'node-20.0.0.tgz', url: 'https://registry.npmjs.org/@types/node/-/node-20.0.0.tgz' },
    ]);
    expect(byId(ls, 'pypi:requests@2.31.0')).toMatchObject({
      files: [
        {
          name: 'requests-2.31.0.tar.gz',
          url: 'https://files.pythonhosted.org/packages/source/r/requests/requests-2.31.0.tar.gz',
        },
      ],
      repository: 'https://github.com/psf/requests',
    });
    expect(byId(ls, 'gem:rake@13.0.6').files[0]!.url).toBe('https://rubygems.org/downloads/rake-13.0.6.gem');
    expect(byId(ls, 'gem:nokogiri@1.15.4-x86_64-linux')).toMatchObject({
      platform: 'x86_64-linux',
      files: [{ url: 'https://rubygems.org/downloads/nokogiri-1.15.4-x86_64-linux.gem' }],
    });
    expect(byId(ls, 'go:github.com/BurntSushi/toml@v1.3.2').files[0]!.url).toBe(
      'https://proxy.golang.org/github.com/!burnt!sushi/toml/@v/v1.3.2.zip',
    );
    expect(byId(ls, 'none:pkg:golang/example.com/tool@(devel)')).toMatchObject({
      sourceMissing: true,
      note: expect.stringContaining('(devel)'),
    });
    expect(byId(ls, 'none:pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64')).toMatchObject({
      sourceMissing: true,
      note: 'no source location is known for apk packages (source package musl)',
    });
  });

  it('names context files with their digest, pinned git commits, downloads, and what has no source', () => {
    const ls = locate(sbomOf(languagesProvenance()));
    expect(byId(ls, 'context:hello.sh')).toMatchObject({
      kind: 'context',
      contextPath: 'hello.sh',
      sha256: 'b'.repeat(64),
    });
    expect(byId(ls, 'git:https://github.com/stedolan/jq.git#a9f97e9e61a910a374a5d768244e8ad63f407d3e')).toMatchObject({
      kind: 'git',
      repository: 'https://github.com/stedolan/jq.git',
      commit: 'a9f97e9e61a910a374a5d768244e8ad63f407d3e',
    });
    const un = locate(sbomOf(unknownsProvenance()));
    expect(byId(un, 'remote:https://example.org/dist/tool-1.0.tar.gz')).toMatchObject({
      kind: 'remote',
      resolved: true,
      files: [{ name: 'tool-1.0.tar.gz', sha256: 'f'.repeat(64) }],
    });
    expect(byId(un, 'none:file:unattributed:s1.10').note).toMatch(/origin unknown/);
    expect(byId(un, 'none:file:inline:s1.8:EOF').note).toMatch(/Dockerfile is its source/);
    expect(un.some((l) => l.id.startsWith('none:file:built:'))).toBe(true);
    // Base images are not sources: their packages are listed one by one.
    expect(un.some((l) => l.components.some((c) => c.startsWith('base:')))).toBe(false);
  });

  it('is sorted and deterministic', () => {
    const a = locate(sampleSbom());
    expect(a.map((l) => l.id)).toEqual([...a.map((l) => l.id)].sort());
    expect(JSON.stringify(locate(sampleSbom()))).toBe(JSON.stringify(a));
  });
});

describe('digests', () => {
  it('reads SRI sha512 and Go case escaping', () => {
    expect(sriSha512('sha1-abc sha512-' + Buffer.from('hi').toString('base64'))).toBe(
      Buffer.from('hi').toString('hex'),
    );
    expect(sriSha512('sha1-abc')).toBeUndefined();
    expect(goEscape('github.com/Azure/Go-X')).toBe('github.com/!azure/!go-!x');
  });

  it("computes Go's h1 dirhash of a module zip as an independent implementation does", () => {
    if (spawnSync('python3', ['--version']).status !== 0)
      throw new Error('python3 is needed to make the reference zip');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'h1-'));
    const zip = path.join(dir, 'm.zip');
    // Python writes the zip (stored and deflated entries, a directory entry) and computes h1 its own way.
    const h1 = execFileSync(
      'python3',
      [
        '-c',
        `
import zipfile, hashlib, base64, sys
z = zipfile.ZipFile(sys.argv[1], 'w')
z.writestr('example.com/m@v1.0.0/', '')
z.writestr('example.com/m@v1.0.0/go.mod', 'module example.com/m\\n', compress_type=zipfile.ZIP_STORED)
z.writestr('example.com/m@v1.0.0/m.go', 'package m\\n' * 200, compress_type=zipfile.ZIP_DEFLATED)
z.writestr('example.com/m@v1.0.0/LICENSE', 'MIT\\n', compress_type=zipfile.ZIP_DEFLATED)
z.close()
z = zipfile.ZipFile(sys.argv[1])
names = sorted(n for n in z.namelist() if not n.endswith('/'))
summary = ''.join('%s  %s\\n' % (hashlib.sha256(z.read(n)).hexdigest(), n) for n in names)
print('h1:' + base64.b64encode(hashlib.sha256(summary.encode()).digest()).decode())
`,
        zip,
      ],
      { encoding: 'utf8' },
    ).trim();
    expect(dirHash1(zip)).toBe(h1);
  });
});
