/**
 * An image root full of broken and hostile package metadata, written here by
 * hand: malformed, truncated, huge (100 MB) and binary package databases and
 * copyright files, packages listing files that do not exist, duplicate
 * package names, license fields that are not SPDX. Used both as a directory
 * (DirFs, no engine) and as a build context copied into an image.
 *
 * `EXPECTED` says what the tracker must make of it: the packages it can read
 * (with the license as declared, never a better-sounding one) and a problem
 * (path and reason) for everything it cannot.
 */
import { chmodSync, closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';

export const HUGE_BYTES = 100 * 1024 * 1024;

/** A minimal little-endian ELF64 header followed by a Go build-info header whose strings are cut off. */
function truncatedGoBinary(): Buffer {
  const elf = Buffer.alloc(64);
  elf.write('\x7fELF', 0, 'latin1');
  elf[4] = 2;
  elf[5] = 1;
  elf[6] = 1;
  elf.writeUInt16LE(2, 16);
  elf.writeUInt16LE(62, 18);
  const info = Buffer.alloc(32);
  info.write('\xff Go buildinf:', 0, 'latin1');
  info[14] = 8;
  info[15] = 2; // inline strings follow...
  return Buffer.concat([elf, Buffer.alloc(64), info, Buffer.from([0x7f]), Buffer.from('go1.2')]); // ...and end early
}

export function makeHostileRoot(root: string, hugeBytes = HUGE_BYTES): void {
  const put = (rel: string, data: string | Buffer, mode = 0o644) => {
    const p = path.join(root, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, data);
    chmodSync(p, mode);
  };
  put('etc/os-release', 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n');
  // dpkg: a duplicate entry, a garbage line, a package with a huge copyright, one with a binary one, a truncated last entry.
  put(
    'var/lib/dpkg/status',
    [
      'Package: good\nStatus: install ok installed\nVersion: 1.0\nArchitecture: all\nMaintainer: Someone\n',
      'Package: good\nStatus: install ok installed\nVersion: 2.0\nArchitecture: all\n',
      'this line is not a field\nPackage: hugecopy\nStatus: install ok installed\nVersion: 3\nArchitecture: all\n',
      'Package: bincopy\nStatus: install ok installed\nVersion: 4\nArchitecture: all\n',
      'Package: trunc\nStatus: install ok installed\nVersi',
    ].join('\n'),
  );
  put('var/lib/dpkg/info/good.list', '/.\n/usr\n/usr/bin\n/usr/bin/good\n/usr/bin/ghost\n');
  put('usr/bin/good', '#!/bin/sh\necho good\n', 0o755);
  put(
    'usr/share/doc/good/copyright',
    'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: 2024 Someone\nLicense: Foo Corp Internal License\n The terms are secret.\n',
  );
  // 100 MB, written in pieces (never one buffer of that size here).
  const huge = path.join(root, 'usr/share/doc/hugecopy/copyright');
  mkdirSync(path.dirname(huge), { recursive: true });
  const fd = openSync(huge, 'w');
  const chunk = Buffer.from('Files: *\nCopyright: nobody\nLicense: MIT\n\n'.repeat(1 << 14));
  for (let done = 0; done < hugeBytes; done += chunk.length)
    writeSync(fd, chunk, 0, Math.min(chunk.length, hugeBytes - done));
  closeSync(fd);
  put('usr/share/doc/bincopy/copyright', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3, 0xff, 0xfe, 0]));
  // apk: a duplicate name (two versions), a license that is not SPDX, an entry cut off mid-line.
  put(
    'lib/apk/db/installed',
    'P:musl\nV:1.2.5-r0\nA:x86_64\nL:MIT\nF:lib\nR:ld-musl-x86_64.so.1\n\nP:musl\nV:1.2.4-r0\nA:x86_64\nL:Musl Custom Terms\n\nP:cut\nV:1\nA:x86_64\nL:GPL-2.0-on',
  );
  // rpm: not a database at all.
  put('var/lib/rpm/rpmdb.sqlite', Buffer.from('SQLite format 3\0' + 'garbage'.repeat(20)));
  // Python: binary METADATA; a proprietary License field; a RECORD listing files that are not there.
  put('usr/lib/python3/dist-packages/binmeta-1.0.dist-info/METADATA', Buffer.from('Name: binmeta\0\0\0\x01'));
  put(
    'usr/lib/python3/dist-packages/prop-1.0.dist-info/METADATA',
    'Metadata-Version: 2.1\nName: prop\nVersion: 1.0\nLicense: Proprietary, all rights reserved\n',
  );
  put(
    'usr/lib/python3/dist-packages/prop-1.0.dist-info/RECORD',
    'prop/__init__.py,sha256=AAAA,1\nprop/gone.py,sha256=BBBB,1\nprop-1.0.dist-info/METADATA,,\n',
  );
  put('usr/lib/python3/dist-packages/prop/__init__.py', '');
  // npm: the same package twice; a license naming a file that is missing; a truncated package.json.
  const dup = '{"name":"dup","version":"1.0.0","license":"SEE LICENSE IN EULA.txt"}';
  put('srv/a/node_modules/dup/package.json', dup);
  put('srv/a/node_modules/dup/index.js', 'module.exports = 1;\n');
  put('srv/b/node_modules/dup/package.json', dup);
  put('srv/b/node_modules/dup/index.js', 'module.exports = 1;\n');
  put('srv/b/node_modules/broken/package.json', '{"name":"broken","version":"1.0.0","lic');
  // A gemspec cut off mid-array; an executable with truncated Go build info.
  put(
    'usr/share/rubygems-integration/all/specifications/cut-1.0.gemspec',
    'Gem::Specification.new do |s|\n  s.name = "cut"\n  s.version = "1.0"\n  s.licenses = ["Weird',
  );
  put('usr/local/bin/fakego', truncatedGoBinary(), 0o755);
}

export interface ExpectedPackage {
  ecosystem: string;
  name: string;
  version?: string;
  /** The license expression exactly, or undefined when it must stay unknown. */
  license?: string;
}

export const EXPECTED_PACKAGES: ExpectedPackage[] = [
  { ecosystem: 'deb', name: 'good', version: '1.0', license: 'LicenseRef-Foo-Corp-Internal-License' },
  { ecosystem: 'deb', name: 'hugecopy', version: '3' },
  { ecosystem: 'deb', name: 'bincopy', version: '4' },
  { ecosystem: 'deb', name: 'trunc' },
  { ecosystem: 'apk', name: 'musl', version: '1.2.5-r0', license: 'MIT' },
  { ecosystem: 'apk', name: 'musl', version: '1.2.4-r0', license: 'LicenseRef-Musl-Custom-Terms' },
  { ecosystem: 'apk', name: 'cut', version: '1', license: 'LicenseRef-GPL-2.0-on' },
  { ecosystem: 'python', name: 'prop', version: '1.0', license: 'LicenseRef-prop-License-field' },
  { ecosystem: 'npm', name: 'dup', version: '1.0.0', license: 'LicenseRef-dup-EULA.txt' },
  { ecosystem: 'npm', name: 'dup', version: '1.0.0', license: 'LicenseRef-dup-EULA.txt' },
  { ecosystem: 'gem', name: 'cut', version: '1.0' },
];

/** Problems (path, reason pattern) the tracker must report. */
export const EXPECTED_PROBLEMS: Array<[string, RegExp]> = [
  ['/var/lib/dpkg/status', /line 7: package good:all listed twice; the first entry is kept/],
  ['/var/lib/dpkg/status', /line 12: not a "Field: value" line: "this line is not a field"/],
  ['/var/lib/dpkg/status', /not a "Field: value" line: "Versi"/],
  ['/var/lib/dpkg/status', /package trunc has no Version/],
  ['/usr/share/doc/hugecopy/copyright', /larger than 16777216 bytes \(104857600\); not read/],
  ['/usr/share/doc/bincopy/copyright', /binary content \(NUL bytes\) in a text format/],
  ['/var/lib/rpm/rpmdb.sqlite', /unsupported or corrupt rpm database/],
  ['/usr/lib/python3/dist-packages/binmeta-1.0.dist-info/METADATA', /binary content \(NUL bytes\)/],
  ['/srv/b/node_modules/broken/package.json', /not JSON/],
  ['/usr/share/rubygems-integration/all/specifications/cut-1.0.gemspec', /licenses is not a literal; not evaluated/],
  ['/usr/local/bin/fakego', /Go build-info marker found, but no readable build information/],
];
