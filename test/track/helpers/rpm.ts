/**
 * Real rpm databases made at test time with Debian's rpm tools: two noarch
 * packages built with rpmbuild (one with hundreds of files, so its header
 * spills into SQLite overflow pages), installed with --justdb into a fresh
 * rpmdb.sqlite. The same headers, exported with `rpmdb --exportdb`, are loaded
 * into a Berkeley DB hash file by Berkeley DB's own db5.3_load. Debian's rpm
 * has no ndb backend, so ndbFromHeaders() lays out a Packages.db by hand,
 * following rpm's lib/backend/ndb/rpmpkg.c (header, 16-byte slots, BlbS blobs).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureInstalled } from './debian.js';

export interface RpmFixture {
  dir: string;
  sqlite: string;
  bdb?: string;
  /** `rpm -qa` output: NAME|EPOCH|VERSION|RELEASE|ARCH|LICENSE|SOURCERPM|file count */
  expected: string[];
  headers: Buffer[];
}

const SPEC = (name: string, files: number, license: string) => `Name: ${name}
Version: 1.${files}.0
Release: 3.test
${files > 10 ? 'Epoch: 1\n' : ''}Summary: scannable test package
License: ${license}
URL: https://example.org/${name}
Vendor: Scannable Tests
BuildArch: noarch
Requires: bash, coreutils
%description
test
%install
mkdir -p %{buildroot}/usr/share/${name}
for i in $(seq 1 ${files}); do echo $i > %{buildroot}/usr/share/${name}/file-with-a-rather-long-name-$i.txt; done
%files
/usr/share/${name}
`;

/** Split an `rpmdb --exportdb` stream into header blobs (each: 8-byte magic, il, dl, index, store). */
export function splitExport(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let o = 0;
  while (o + 16 <= buf.length) {
    const il = buf.readUInt32BE(o + 8);
    const dl = buf.readUInt32BE(o + 12);
    const end = o + 16 + il * 16 + dl;
    out.push(buf.subarray(o + 8, end));
    o = end;
  }
  return out;
}

export function makeRpmFixture(): RpmFixture | undefined {
  if (!ensureInstalled('rpm', '/usr/bin/rpmbuild')) return undefined;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-rpm-'));
  const top = path.join(dir, 'top');
  const pkgs: string[] = [];
  for (const [name, files, license] of [
    ['scannable-small', 2, 'MIT and (GPLv2+ or ASL 2.0)'],
    ['scannable-big', 400, 'GPL-2.0-or-later'],
  ] as const) {
    const spec = path.join(dir, `${name}.spec`);
    writeFileSync(spec, SPEC(name, files, license));
    execFileSync('rpmbuild', ['--define', `_topdir ${top}`, '--quiet', '-bb', spec], { stdio: 'ignore' });
    pkgs.push(path.join(top, 'RPMS', 'noarch', `${name}-1.${files}.0-3.test.noarch.rpm`));
  }
  const dbpath = path.join(dir, 'var', 'lib', 'rpm');
  mkdirSync(dbpath, { recursive: true });
  const quiet = { stdio: ['ignore', 'pipe', 'ignore'] as ('ignore' | 'pipe')[] };
  execFileSync('rpm', ['--initdb', '--dbpath', dbpath], quiet);
  execFileSync('rpm', ['-i', '--dbpath', dbpath, '--nodeps', '--justdb', '--noscripts', ...pkgs], quiet);
  const expected = execFileSync(
    'rpm',
    [
      '-qa',
      '--dbpath',
      dbpath,
      '--qf',
      '%{NAME}|%{EPOCH}|%{VERSION}|%{RELEASE}|%{ARCH}|%{LICENSE}|%{SOURCERPM}\\n[%{FILENAMES}\\n]--\\n',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  )
    .split('--\n')
    .filter((s) => s.trim())
    .map((s) => {
      const [head, ...files] = s.trim().split('\n');
      return `${head}|${files.length}`;
    })
    .sort();
  const headers = splitExport(
    execFileSync('rpmdb', ['--dbpath', dbpath, '--exportdb'], {
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 << 20,
    }),
  );
  const fixture: RpmFixture = { dir, sqlite: path.join(dbpath, 'rpmdb.sqlite'), expected, headers };
  if (ensureInstalled('db5.3-util', '/usr/bin/db5.3_load')) {
    // db_dump "bytevalue" format: keys are rpm's header instance numbers (4 bytes, host order).
    const lines = ['VERSION=3', 'format=bytevalue', 'type=hash', 'HEADER=END'];
    headers.forEach((h, i) => {
      const key = Buffer.alloc(4);
      key.writeUInt32LE(i + 1);
      lines.push(' ' + key.toString('hex'), ' ' + h.toString('hex'));
    });
    lines.push('DATA=END', '');
    const bdbDir = path.join(dir, 'bdb', 'var', 'lib', 'rpm');
    mkdirSync(bdbDir, { recursive: true });
    fixture.bdb = path.join(bdbDir, 'Packages');
    execFileSync('db5.3_load', [fixture.bdb], { input: lines.join('\n'), stdio: ['pipe', 'ignore', 'ignore'] });
  }
  return fixture;
}

/** A Packages.db in rpm's ndb layout holding `headers` (little-endian, 4096-byte slot pages, 16-byte blocks). */
export function ndbFromHeaders(headers: Buffer[]): Buffer {
  const slotPages = 1;
  const blobs: Buffer[] = [];
  const slots = Buffer.alloc(4096);
  slots.write('RpmP', 0, 'latin1');
  slots.writeUInt32LE(0, 4); // version
  slots.writeUInt32LE(1, 8); // generation
  slots.writeUInt32LE(slotPages, 12);
  slots.writeUInt32LE(headers.length + 1, 16); // next package index
  for (let o = 32; o < 4096; o += 16) slots.write('Slot', o, 'latin1');
  let blk = (slotPages * 4096) / 16;
  headers.forEach((h, i) => {
    const len = 16 + h.length + 12;
    const blkcnt = Math.ceil(len / 16);
    const blob = Buffer.alloc(blkcnt * 16);
    blob.write('BlbS', 0, 'latin1');
    blob.writeUInt32LE(i + 1, 4);
    blob.writeUInt32LE(1, 8);
    blob.writeUInt32LE(h.length, 12);
    h.copy(blob, 16);
    // Tail: adler32 (not checked by our reader), length, magic.
    blob.writeUInt32LE(h.length, blob.length - 8);
    blob.write('BlbE', blob.length - 4, 'latin1');
    const slot = 32 + i * 16;
    slots.writeUInt32LE(i + 1, slot + 4);
    slots.writeUInt32LE(blk, slot + 8);
    slots.writeUInt32LE(blkcnt, slot + 12);
    blobs.push(blob);
    blk += blkcnt;
  });
  return Buffer.concat([slots, ...blobs]);
}

export function readFixture(p: string): Buffer {
  return readFileSync(p);
}
