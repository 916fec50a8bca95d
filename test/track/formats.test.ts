/**
 * Formats with no real source on this machine, and robustness cases.
 * apk: there is no apk tool nor Alpine mirror here, so the installed database
 * below is HANDWRITTEN for this test, following the documented format (Alpine
 * wiki "Apk spec"): one package per blank-line separated block of "X:value".
 */
import { describe, expect, it } from 'vitest';
import { apkCataloger } from '../../src/track/catalogers/apk.js';
import { dpkgCataloger } from '../../src/track/catalogers/dpkg.js';
import { goBinaryCataloger, readGoBuildInfo } from '../../src/track/catalogers/golang.js';
import { catalog } from '../../src/track/catalogers/index.js';
import { MemoryFs } from '../../src/snapshot/memory-fs.js';
import { mapOwnership } from '../../src/track/ownership.js';
import { elfWith, inlineBuildInfoElf } from './helpers/elf.js';
import type { SnapshotFs } from '../../src/snapshot/fs.js';

// HANDWRITTEN apk installed db (not taken from any image).
const APK_INSTALLED = `C:Q1AAECAwQFBgcICQoLDA0ODxAREhM=
P:musl
V:1.2.5-r0
A:x86_64
S:400000
I:600000
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Jane Maintainer <jane@example.org>
t:1700000000
c:0123456789abcdef
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1AAECAwQFBgcICQoLDA0ODxAREhM=
R:libc.musl-x86_64.so.1

C:Q1FBUVFRUVFRUVFRUVFRUVFRUVE=
P:busybox
V:1.36.1-r15
A:x86_64
L:GPL-2.0-only
o:busybox
m:Jane Maintainer <jane@example.org>
U:https://busybox.net/
D:so:libc.musl-x86_64.so.1 !busybox-extras-old musl>=1.2
F:bin
R:busybox
F:etc
R:securetty
M:0:0:755

P:weird-license
V:1.0-r0
A:noarch
L:MIT BSD
F:usr/share/weird
R:a file with spaces
`;

describe('apk installed database (handwritten fixture)', () => {
  const fs = new MemoryFs({
    '/etc/os-release': 'ID=alpine\nVERSION_ID=3.20.3\n',
    '/lib/apk/db/installed': APK_INSTALLED,
  });
  const r = catalog(fs, { catalogers: [apkCataloger] });
  const by = (n: string) => r.packages.find((p) => p.name === n)!;
  it('reads packages, purls, origins and licenses', () => {
    expect(r.packages.map((p) => p.name)).toEqual(['musl', 'busybox', 'weird-license']);
    expect(by('musl')).toMatchObject({
      version: '1.2.5-r0',
      arch: 'x86_64',
      purl: 'pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3',
      licenseExpression: 'MIT',
      supplier: 'Jane Maintainer <jane@example.org>',
      homepage: 'https://musl.libc.org/',
      source: { name: 'musl', version: '1.2.5-r0' },
    });
    expect(by('musl').properties.checksum).toBe('sha1:000102030405060708090a0b0c0d0e0f10111213');
    expect(by('busybox').dependencies).toEqual(['so:libc.musl-x86_64.so.1', 'musl']);
    expect(by('weird-license').licenseExpression).toBe('LicenseRef-MIT-BSD');
    expect(by('weird-license').licenses[0]?.original).toBe('MIT BSD');
  });
  it('reads F/R file lists and Z checksums', () => {
    expect(by('musl').files).toEqual(['/lib', '/lib/ld-musl-x86_64.so.1', '/lib/libc.musl-x86_64.so.1']);
    expect(by('musl').fileDigests).toEqual({
      '/lib/ld-musl-x86_64.so.1': 'sha1:000102030405060708090a0b0c0d0e0f10111213',
    });
    expect(by('busybox').files).toEqual(['/bin', '/bin/busybox', '/etc', '/etc/securetty']);
    expect(by('weird-license').files).toEqual(['/usr/share/weird', '/usr/share/weird/a file with spaces']);
  });
  it('reports malformed lines and duplicates but keeps going', () => {
    const bad = new MemoryFs({ '/lib/apk/db/installed': 'P:a\nV:1\ngarbage\n\nP:a\nV:1\n\nV:2\n' });
    const b = catalog(bad, { catalogers: [apkCataloger] });
    expect(b.packages.map((p) => p.name)).toEqual(['a']);
    expect(b.problems.map((p) => p.reason)).toEqual([
      'line 5: package a@1 listed twice; the first entry is kept',
      'line 8: entry without a P: (name) line',
      '1 line(s) not of the form "X:value"',
    ]);
  });
});

describe('dpkg robustness', () => {
  const status = `Package: good
Status: install ok installed
Version: 1.0-1
Architecture: amd64
Source: goodsrc (0.9-2)
Depends: libc6 (>= 2.34), liba | libb

Package: good
Status: install ok installed
Version: 1.0-1
Architecture: amd64

this line is not a field
Status: install ok installed
Version: 2

Package: removed
Status: deinstall ok config-files
Version: 3

Package: noversion
Status: install ok installed
`;
  const fs = new MemoryFs({
    '/var/lib/dpkg/status': status,
    '/var/lib/dpkg/info/good.list': '/.\n/usr\n/usr/bin\n/usr/bin/good\n/usr/bin/gone\n',
    '/usr/bin/good': 'x',
    '/usr/share/doc/good/copyright':
      'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: me\nLicense: Frobnicator-Public-License\n',
  });
  const r = catalog(fs, { catalogers: [dpkgCataloger] });
  it('keeps well-formed entries and reports the rest', () => {
    expect(r.packages.map((p) => p.name)).toEqual(['good', 'noversion']);
    const good = r.packages[0]!;
    expect(good.source).toEqual({ name: 'goodsrc', version: '0.9-2' });
    expect(good.dependencies).toEqual(['libc6', 'liba', 'libb']);
    expect(good.purl).toBe('pkg:deb/debian/good@1.0-1?arch=amd64');
    expect(good.licenseExpression).toBe('LicenseRef-Frobnicator-Public-License');
    expect(r.packages[1]!.licenseUnknownReason).toMatch(/no readable copyright file/);
    const reasons = r.problems.map((p) => p.reason);
    expect(reasons).toContain('line 13: not a "Field: value" line: "this line is not a field"');
    expect(reasons).toContain('line 8: package good:amd64 listed twice; the first entry is kept');
    expect(reasons).toContain('line 14: paragraph without a Package field');
    expect(reasons).toContain('line 21: package noversion has no Version');
  });
  it('reports listed files that do not exist', () => {
    const own = mapOwnership(fs, r.packages);
    expect(own.missing.map((m) => m.path)).toEqual(['/usr/bin/gone']);
    expect(own.owners.get('/usr/bin/good')).toMatchObject({ kind: 'package', via: 'file-list' });
  });
  it('reads distroless status.d entries with their md5sums', () => {
    const d = new MemoryFs({
      '/var/lib/dpkg/status.d/base': 'Package: base-files\nVersion: 12.4\nArchitecture: amd64\n',
      '/var/lib/dpkg/status.d/base.md5sums': 'd41d8cd98f00b204e9800998ecf8427e  etc/debian_version\nnot a line\n',
    });
    const x = catalog(d, { catalogers: [dpkgCataloger] });
    expect(x.packages.map((p) => [p.name, p.files])).toEqual([['base-files', ['/etc/debian_version']]]);
    expect(x.packages[0]!.fileDigests).toEqual({ '/etc/debian_version': 'md5:d41d8cd98f00b204e9800998ecf8427e' });
    expect(x.problems.map((p) => p.reason)).toEqual(['1 malformed line(s)']);
  });
});

describe('ownership mechanics', () => {
  it('applies dpkg diversions and alternatives', () => {
    const fs = new MemoryFs({
      '/var/lib/dpkg/status':
        'Package: orig\nStatus: install ok installed\nVersion: 1\n\nPackage: diverter\nStatus: install ok installed\nVersion: 1\n',
      '/var/lib/dpkg/info/orig.list': '/usr/bin/tool\n',
      '/var/lib/dpkg/info/diverter.list': '/usr/bin/tool\n',
      '/var/lib/dpkg/diversions': '/usr/bin/tool\n/usr/bin/tool.orig\ndiverter\n',
      '/var/lib/dpkg/alternatives/editor':
        'auto\n/usr/bin/editor\neditor.1.gz\n/usr/share/man/man1/editor.1.gz\n\n/usr/bin/tool\n50\n\n',
      '/usr/bin/tool': 'diverter copy',
      '/usr/bin/tool.orig': 'orig copy',
      '/usr/bin/editor': { symlink: '/etc/alternatives/editor' },
      '/etc/alternatives/editor': { symlink: '/usr/bin/tool' },
      '/usr/share/man/man1/editor.1.gz': { symlink: '/etc/alternatives/editor.1.gz' },
      '/bin': { symlink: 'usr/bin' },
      '/tmp/stray': 'x',
    });
    const r = catalog(fs, { catalogers: [dpkgCataloger] });
    const own = mapOwnership(fs, r.packages);
    expect(own.owners.get('/usr/bin/tool')).toMatchObject({
      kind: 'package',
      pkg: { name: 'diverter' },
      via: 'file-list',
    });
    expect(own.owners.get('/usr/bin/tool.orig')).toMatchObject({
      kind: 'package',
      pkg: { name: 'orig' },
      via: 'diversion',
    });
    expect(own.owners.get('/usr/bin/editor')).toMatchObject({ kind: 'generated', by: 'update-alternatives' });
    expect(own.owners.get('/usr/share/man/man1/editor.1.gz')).toMatchObject({
      kind: 'generated',
      by: 'update-alternatives',
    });
    expect(own.unowned).toEqual(['/bin', '/tmp/stray']);
  });
});

describe('Go build info formats', () => {
  const mod =
    'path\texample.com/cmd/app\nmod\texample.com/app\tv1.2.3\th1:abc=\ndep\tgolang.org/x/sys\tv0.1.0\th1:def=\n=>\t../sys\t(devel)\t\n';
  it('reads the pre-1.18 pointer format through the load segment', () => {
    // Layout inside the segment (mapped at vaddr 0x400000): [0] magic+ptrsize+flags,
    // [16] ptr to version string header, [24] ptr to modinfo header,
    // [32] version header {ptr,len}, [48] modinfo header, [64] bytes.
    const base = 0x400000 + 8; // start the magic off alignment to exercise the padding
    const version = Buffer.from('go1.16.15');
    const wrapped = Buffer.concat([Buffer.alloc(16, 0x30), Buffer.from(mod), Buffer.alloc(16, 0x31)]);
    const d = Buffer.alloc(64 + version.length + wrapped.length + 16);
    // Magic must sit 16-byte aligned by address: pad so base+pad is aligned.
    const pad = 16 - (base % 16) + 8;
    const s = Buffer.alloc(pad + d.length);
    const o = pad;
    s.write('\xff Go buildinf:', o, 'latin1');
    s[o + 14] = 8;
    s[o + 15] = 0;
    const a = (off: number) => BigInt(0x400000 + o + off);
    s.writeBigUInt64LE(a(32), o + 16);
    s.writeBigUInt64LE(a(48), o + 24);
    s.writeBigUInt64LE(a(64), o + 32);
    s.writeBigUInt64LE(BigInt(version.length), o + 40);
    s.writeBigUInt64LE(a(64 + version.length), o + 48);
    s.writeBigUInt64LE(BigInt(wrapped.length), o + 56);
    version.copy(s, o + 64);
    wrapped.copy(s, o + 64 + version.length);
    const info = readGoBuildInfo(elfWith(s));
    expect(info).toMatchObject({
      goVersion: 'go1.16.15',
      path: 'example.com/cmd/app',
      main: { path: 'example.com/app', version: 'v1.2.3', sum: 'h1:abc=' },
      deps: [{ path: 'golang.org/x/sys', version: 'v0.1.0', replace: { path: '../sys', version: '(devel)' } }],
    });
  });
  it('reads the inline varint format and catalogs modules, replacements and stdlib', () => {
    const elf = inlineBuildInfoElf('go1.22.1', mod);
    const fs = new MemoryFs({
      '/usr/local/bin/app': { content: elf, mode: 0o755 },
      '/usr/local/bin/data': { content: elf, mode: 0o644 },
    });
    const r = catalog(fs, { catalogers: [goBinaryCataloger] });
    expect(r.packages.map((p) => p.purl)).toEqual([
      'pkg:golang/example.com/app@v1.2.3',
      'pkg:golang/../sys',
      'pkg:golang/stdlib@1.22.1',
    ]);
    expect(r.packages[0]!.files).toEqual(['/usr/local/bin/app']);
    expect(r.packages[1]!.properties.replaces).toBe('golang.org/x/sys@v0.1.0');
  });
  it('looks for the build information in writable segments only, read in part or whole alike', () => {
    const elf = inlineBuildInfoElf('go1.22.1', mod);
    // The same bytes in a read-only segment: a program that mentions the magic, not Go's build information.
    const readOnly = Buffer.from(elf);
    readOnly.writeUInt32LE(4, 64 + 4); // p_flags: PF_R
    const fs = new MemoryFs({
      '/bin/go-app': { content: elf, mode: 0o755 },
      '/bin/mentions': { content: readOnly, mode: 0o755 },
      '/bin/script': { content: '#!/bin/sh\n' + 'x'.repeat(80), mode: 0o755 },
    });
    const whole: SnapshotFs = {
      stat: (p) => fs.stat(p),
      readFile: (p) => fs.readFile(p),
      list: (p) => fs.list(p),
      entries: () => fs.entries(),
      resolve: (p) => fs.resolve(p),
    };
    for (const view of [fs, whole]) {
      const r = catalog(view, { catalogers: [goBinaryCataloger] });
      expect(new Set(r.packages.map((p) => p.metadataPath))).toEqual(new Set(['/bin/go-app']));
      expect(r.problems).toEqual([]);
    }
  });
});

describe('huge and binary metadata', () => {
  it('does not read files over the cap and reports binary text formats', () => {
    const mem = new MemoryFs({
      '/var/lib/dpkg/status': 'Package: a\nVersion: 1\n',
      '/lib/apk/db/installed': Buffer.from([0x50, 0x3a, 0x61, 0x00, 0x0a]),
    });
    let reads = 0;
    // The same snapshot, except that it claims the status database is 10 GB.
    const huge = {
      ...mem,
      stat: (p: string) => {
        const e = mem.stat(p);
        return e && p === '/var/lib/dpkg/status' ? { ...e, size: 10 * 1024 ** 3 } : e;
      },
      readFile: (p: string) => {
        reads++;
        return mem.readFile(p);
      },
      list: (d: string) => mem.list(d),
      entries: () => mem.entries(),
      resolve: (p: string) => mem.resolve(p),
    };
    const r = catalog(huge, { catalogers: [dpkgCataloger, apkCataloger] });
    expect(r.packages).toEqual([]);
    expect(r.problems.map((p) => [p.path, p.reason.replace(/\d+/g, 'N')])).toEqual([
      ['/var/lib/dpkg/status', 'larger than N bytes (N); not read'],
      ['/lib/apk/db/installed', 'binary content (NUL bytes) in a text format'],
    ]);
    expect(reads).toBe(1);
  });
});
