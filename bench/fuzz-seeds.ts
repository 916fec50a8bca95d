/**
 * Seeds for `npm run fuzz` and its test-suite slice: real inputs wherever this
 * machine has them, small hand-written ones where it cannot.
 *
 * - Dockerfiles and RUN scripts: the real-world corpus (../shared/corpus/real).
 * - dpkg status and copyright files: this Debian machine's own
 *   (/var/lib/dpkg/status cut into runs of paragraphs, /usr/share/doc/*\/copyright).
 * - Python METADATA and RECORD: /usr/lib/python3/dist-packages/*.dist-info.
 * - package.json: this checkout's node_modules.
 * - gemspecs: Debian's ruby-* packages, fetched with `apt-get download` once
 *   and kept in the seed cache (hand-written ones when apt cannot fetch).
 * - rpm databases: made with Debian's rpm tools (rpmbuild, rpm --justdb,
 *   db5.3_load) into a SQLite, a Berkeley DB and an ndb database.
 * - Go build info: the real build-info blobs of the Go programs on this
 *   machine (containerd, runc, docker...), each in a small ELF.
 * - apk installed databases: there is no Alpine here; hand-written entries in
 *   the format apk writes (see test/track/formats.test.ts).
 *
 * Nothing here is committed third-party data: everything is read or made at
 * run time. Seeds are capped in number and size so a run starts in seconds.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDockerfile } from '../grammar/dockerfile/index.js';
import { runScript } from '../src/shell/run.js';
import { elfWith } from '../test/track/helpers/elf.js';
import { makeRpmFixture, ndbFromHeaders } from '../test/track/helpers/rpm.js';
import { corpusDir, repoRoot } from './corpus.js';

const cacheDir = process.env.SCANNABLE_FUZZ_SEEDS ?? path.join(os.tmpdir(), 'scannable-fuzz-seeds');

function memo<T>(fn: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = fn();
      done = true;
    }
    return value;
  };
}

function readHead(file: string, max: number): Buffer | undefined {
  try {
    const b = readFileSync(file);
    return b.length > max ? b.subarray(0, max) : b;
  } catch {
    return undefined;
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Every Dockerfile of the real corpus (empty when ../shared is absent). */
export const dockerfileSeeds = memo((): string[] => {
  if (!existsSync(corpusDir)) return [];
  const out: string[] = [];
  for (const repo of listDir(corpusDir)) {
    const dir = path.join(corpusDir, repo);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of listDir(dir)) out.push(readFileSync(path.join(dir, f), 'utf8'));
  }
  return out;
});

const FALLBACK_DOCKERFILES = [
  'FROM debian:bookworm AS build\nARG V=1\nRUN apt-get update && apt-get install -y curl=${V} \\\n    jq && rm -rf /var/lib/apt/lists/*\nCOPY --from=build --chown=1:1 /a /b\n',
  '# syntax=docker/dockerfile:1\n# escape=`\nFROM scratch\nCOPY <<EOF /x\nhello $HOME\nEOF\nENV A=b C="d e"\nCMD ["sh", "-c", "echo"]\n',
];

/** The argument texts of every corpus instruction: what the word lexer expands. */
export const wordSeeds = memo((): string[] => {
  const out: string[] = [];
  for (const text of dockerfileSeeds().length ? dockerfileSeeds() : FALLBACK_DOCKERFILES) {
    const p = parseDockerfile(text);
    if (!p.ok) continue;
    for (const ins of p.tree.instructions) out.push(...ins.args.filter((a) => a.length < 400));
  }
  return out;
});

/** Every shell-form RUN script of the corpus (heredoc bodies included): what the shell grammar reads. */
export const shellSeeds = memo((): string[] => {
  const out: string[] = [];
  for (const text of dockerfileSeeds().length ? dockerfileSeeds() : FALLBACK_DOCKERFILES) {
    const p = parseDockerfile(text);
    if (!p.ok) continue;
    for (const ins of p.tree.instructions) {
      const s = runScript(ins);
      if (s && s.script.length < 8000) out.push(s.script);
    }
  }
  return out.length
    ? out
    : [
        'set -eux; apt-get update && apt-get install -y --no-install-recommends curl="$V" | tee /x; for f in a b; do echo "$f" > "/tmp/$(basename $f)"; done',
      ];
});

/** Runs of 1..12 consecutive paragraphs of this machine's dpkg status database. */
export const dpkgStatusSeeds = memo((): Buffer[] => {
  const text = readHead('/var/lib/dpkg/status', 64 << 20)?.toString('utf8');
  if (!text)
    return [
      Buffer.from(
        'Package: a\nStatus: install ok installed\nVersion: 1:2.3-4\nArchitecture: amd64\nSource: b (2.3-4)\nDepends: c (>= 1) | d, e:any\n\n',
      ),
    ];
  const paragraphs = text.split(/\n\n+/).filter((p) => p.trim());
  const out: Buffer[] = [];
  for (let i = 0; i < paragraphs.length && out.length < 400; i += 1 + (i % 7)) {
    out.push(Buffer.from(paragraphs.slice(i, i + 1 + (i % 12)).join('\n\n') + '\n'));
  }
  return out;
});

/** dpkg file lists (info/*.list) of this machine, for the status target's second file. */
export const dpkgListSeeds = memo((): Buffer[] => {
  const dir = '/var/lib/dpkg/info';
  return listDir(dir)
    .filter((f) => f.endsWith('.list'))
    .slice(0, 100)
    .map((f) => readHead(path.join(dir, f), 8192)!)
    .filter(Boolean);
});

/** Debian copyright files (DEP-5 and free-form) of this machine's packages. */
export const copyrightSeeds = memo((): Buffer[] => {
  const out: Buffer[] = [];
  for (const pkg of listDir('/usr/share/doc')) {
    const b = readHead(path.join('/usr/share/doc', pkg, 'copyright'), 24 * 1024);
    if (b) out.push(b);
    if (out.length >= 300) break;
  }
  return out.length
    ? out
    : [
        Buffer.from(
          'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: 2020 A\nLicense: GPL-2+ or Artistic\n\nLicense: Artistic\n text\n',
        ),
      ];
});

/** METADATA and RECORD pairs from this machine's Python dist-info directories. */
export const pythonSeeds = memo((): Array<{ metadata: Buffer; record: Buffer }> => {
  const out: Array<{ metadata: Buffer; record: Buffer }> = [];
  for (const base of ['/usr/lib/python3/dist-packages', '/usr/local/lib/python3.11/dist-packages']) {
    for (const d of listDir(base).filter((x) => x.endsWith('.dist-info'))) {
      const metadata = readHead(path.join(base, d, 'METADATA'), 32 * 1024);
      const record = readHead(path.join(base, d, 'RECORD'), 16 * 1024) ?? Buffer.alloc(0);
      if (metadata) out.push({ metadata, record });
    }
  }
  return out.length
    ? out
    : [
        {
          metadata: Buffer.from(
            'Metadata-Version: 2.1\nName: a\nVersion: 1.0\nLicense: MIT\nClassifier: License :: OSI Approved :: MIT License\nRequires-Dist: b (>=1) ; extra == "x"\n\nbody\n',
          ),
          record: Buffer.from('a/__init__.py,sha256=AAAA,12\na-1.0.dist-info/RECORD,,\n'),
        },
      ];
});

/** package.json files of this checkout's dependencies. */
export const npmSeeds = memo((): Buffer[] => {
  const out: Buffer[] = [];
  const nm = path.join(repoRoot, 'node_modules');
  for (const name of listDir(nm)) {
    const dirs = name.startsWith('@') ? listDir(path.join(nm, name)).map((n) => `${name}/${n}`) : [name];
    for (const d of dirs) {
      const b = readHead(path.join(nm, d, 'package.json'), 16 * 1024);
      if (b) out.push(b);
    }
    if (out.length >= 300) break;
  }
  return out.length
    ? out
    : [
        Buffer.from(
          '{"name":"a","version":"1.0.0","license":"(MIT OR Apache-2.0)","author":{"name":"x"},"dependencies":{"b":"^1"}}',
        ),
      ];
});

const HANDWRITTEN_GEMSPEC =
  '# -*- encoding: utf-8 -*-\nGem::Specification.new do |s|\n  s.name = "rack".freeze\n  s.version = "2.2.4"\n  s.licenses = ["MIT".freeze]\n' +
  '  s.authors = ["A".freeze]\n  s.homepage = "https://example.org".freeze\n  s.metadata = { "source_code_uri" => "https://example.org/src" }\n' +
  '  s.add_runtime_dependency(%q<x>.freeze, [">= 0"])\n  s.files = ["lib/a.rb".freeze, %w[b c]]\nend\n';

/** Gemspecs of Debian's ruby packages (apt-get download into the seed cache), else a hand-written one. */
export const gemSeeds = memo((): Buffer[] => {
  const dir = path.join(cacheDir, 'gems');
  const specs = () =>
    listDir(dir)
      .filter((f) => f.endsWith('.gemspec'))
      .map((f) => readFileSync(path.join(dir, f)));
  if (specs().length === 0 && existsSync('/usr/bin/apt-get') && existsSync('/usr/bin/dpkg-deb')) {
    const work = path.join(cacheDir, 'debs');
    mkdirSync(work, { recursive: true });
    mkdirSync(dir, { recursive: true });
    const pkgs = [
      'ruby-rack',
      'ruby-thor',
      'ruby-json',
      'ruby-mustermann',
      'ruby-i18n',
      'ruby-rspec-core',
      'ruby-addressable',
    ];
    spawnSync('apt-get', ['download', '-q', ...pkgs], { cwd: work, stdio: 'ignore', timeout: 120_000 });
    for (const deb of listDir(work).filter((f) => f.endsWith('.deb'))) {
      const root = path.join(work, deb.replace(/\.deb$/, ''));
      if (spawnSync('dpkg-deb', ['-x', path.join(work, deb), root], { stdio: 'ignore' }).status !== 0) continue;
      const found = spawnSync('find', [root, '-name', '*.gemspec'], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter(Boolean);
      for (const f of found) writeFileSync(path.join(dir, path.basename(f)), readFileSync(f));
    }
  }
  const got = specs();
  return got.length ? got : [Buffer.from(HANDWRITTEN_GEMSPEC)];
});

/** Build-info blobs of the Go programs on this machine, each put into a small ELF; the first 4 KiB of each program too. */
export const goSeeds = memo((): Buffer[] => {
  const magic = Buffer.from('\xff Go buildinf:', 'latin1');
  const out: Buffer[] = [];
  for (const bin of [
    '/usr/bin/containerd',
    '/usr/sbin/runc',
    '/usr/bin/docker',
    '/usr/bin/ctr',
    '/usr/sbin/dockerd',
    '/usr/bin/containerd-shim-runc-v2',
  ]) {
    let data: Buffer;
    try {
      data = readFileSync(bin);
    } catch {
      continue;
    }
    const at = data.indexOf(magic);
    if (at < 0) continue;
    // Header (32 bytes), then two varint-prefixed strings (Go >= 1.18); take generously.
    const blob = data.subarray(at, Math.min(data.length, at + 32 + 16 * 1024));
    out.push(elfWith(Buffer.concat([Buffer.alloc(32), blob])));
    out.push(data.subarray(0, 4096));
  }
  if (out.length === 0) {
    const hdr = Buffer.alloc(32);
    hdr.write('\xff Go buildinf:', 0, 'latin1');
    hdr[14] = 8;
    hdr[15] = 2;
    const mod = Buffer.from('path\tex.com/app\nmod\tex.com/app\tv1.0.0\th1:x=\ndep\tex.com/dep\tv0.1.0\th1:y=\n');
    const wrapped = Buffer.concat([Buffer.alloc(16, 0x30), mod, Buffer.alloc(16, 0x31)]);
    out.push(
      elfWith(
        Buffer.concat([
          Buffer.alloc(32),
          hdr,
          Buffer.from([8]),
          Buffer.from('go1.22.1'),
          Buffer.from([wrapped.length]),
          wrapped,
        ]),
      ),
    );
  }
  return out;
});

export interface RpmSeeds {
  sqlite: Buffer[];
  bdb: Buffer[];
  ndb: Buffer[];
  headers: Buffer[];
}

/** Real rpm databases made with Debian's rpm tools (cached between runs), else minimal ones. */
export const rpmSeeds = memo((): RpmSeeds => {
  const dir = path.join(cacheDir, 'rpm');
  const files = {
    sqlite: path.join(dir, 'rpmdb.sqlite'),
    bdb: path.join(dir, 'Packages'),
    ndb: path.join(dir, 'Packages.db'),
    headers: path.join(dir, 'headers.json'),
  };
  if (!existsSync(files.headers)) {
    let fixture: ReturnType<typeof makeRpmFixture>;
    try {
      fixture = makeRpmFixture();
    } catch {
      fixture = undefined;
    }
    if (fixture) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(files.sqlite, readFileSync(fixture.sqlite));
      if (fixture.bdb) writeFileSync(files.bdb, readFileSync(fixture.bdb));
      writeFileSync(files.ndb, ndbFromHeaders(fixture.headers));
      writeFileSync(files.headers, JSON.stringify(fixture.headers.map((h) => h.toString('base64'))));
      spawnSync('rm', ['-rf', fixture.dir]);
    }
  }
  if (existsSync(files.headers)) {
    const headers = (JSON.parse(readFileSync(files.headers, 'utf8')) as string[]).map((h) => Buffer.from(h, 'base64'));
    const small = headers.filter((h) => h.length < 64 * 1024);
    return {
      sqlite: [readFileSync(files.sqlite)],
      bdb: existsSync(files.bdb) ? [readFileSync(files.bdb)] : [],
      // A database of the small package alone keeps most mutations cheap.
      ndb: [readFileSync(files.ndb), ...(small.length ? [ndbFromHeaders(small)] : [])],
      headers,
    };
  }
  const header = minimalRpmHeader();
  return { sqlite: [], bdb: [], ndb: [ndbFromHeaders([header])], headers: [header] };
});

/** One header blob with a NAME tag, for machines without rpm tools. */
function minimalRpmHeader(): Buffer {
  const store = Buffer.from('scannable\0');
  const b = Buffer.alloc(8 + 16 + store.length);
  b.writeUInt32BE(1, 0);
  b.writeUInt32BE(store.length, 4);
  b.writeInt32BE(1000, 8); // NAME
  b.writeUInt32BE(6, 12); // STRING
  b.writeInt32BE(0, 16);
  b.writeUInt32BE(1, 20);
  store.copy(b, 24);
  return b;
}

/** Hand-written apk installed-database entries (the format apk writes; no Alpine here to read a real one). */
export const apkSeeds = memo((): Buffer[] => [
  Buffer.from(
    'C:Q1p78yvTLG094tHE1+dToJGbmYzQE=\nP:musl\nV:1.2.5-r0\nA:x86_64\nS:411104\nI:643072\nT:the musl c library (libc) implementation\n' +
      'U:https://musl.libc.org/\nL:MIT\no:musl\nm:Timo Teräs <timo.teras@iki.fi>\nt:1712131622\nc:2a1ae7ec5fb7e03e8e5b0c8d0cfbb55f8a5dc1de\n' +
      'p:so:libc.musl-x86_64.so.1=1\nF:lib\nR:ld-musl-x86_64.so.1\na:0:0:755\nZ:Q1Wv1hUdbchpOckGJHTFZ0cOdJcS4=\nR:libc.musl-x86_64.so.1\n' +
      'a:0:0:777\nZ:Q17yJ3JFNypA4mxhJJr0ou6CzsJVI=\n\n' +
      'C:Q1bDfPZxSjlt5gCaXhTJp0F7Mf8Z8=\nP:busybox\nV:1.36.1-r29\nA:x86_64\nS:509452\nI:946176\nT:Size optimized toolbox\nU:https://busybox.net/\n' +
      'L:GPL-2.0-only\no:busybox\nD:so:libc.musl-x86_64.so.1\np:/bin/sh cmd:busybox=1.36.1-r29 cmd:sh=1.36.1-r29\nr:busybox-initscripts\n' +
      'F:bin\nR:busybox\na:0:0:755\nZ:Q1YXsy3aw2gFqe8hl2OIL3hb7MSZU=\nF:etc\nR:securetty\nZ:Q1mB95Hq2NUTZ599RDiSsj9w5FrOU=\nF:usr/share/udhcpc\n' +
      'R:default.script\nZ:Q1t9vir/ZrX3nbSIYT9BDLWZenkVQ=\n\n',
  ),
  Buffer.from(
    'P:ca-certificates-bundle\nV:20240226-r0\nA:x86_64\nL:MPL-2.0 AND MIT\no:ca-certificates\nF:etc/ssl/certs\nR:ca-certificates.crt\n\nP:zlib\nV:1.3.1-r0\nA:x86_64\nL:Zlib\nF:lib\nR:libz.so.1\n\n',
  ),
  Buffer.from('P:weird\nV:0\nL:custom license text, see COPYING\nD:so:x !y z>=1 ~w\nF:\nR:a b\nF:usr//lib/../x\nR:\n'),
]);

/** A small os-release, so deb/apk/rpm purls get a distro qualifier. */
export const OS_RELEASE =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n';

/** Runs a command only for its side effects on the seed cache; used by `npm run fuzz -- --refresh-seeds`. */
export function clearSeedCache(): void {
  execFileSync('rm', ['-rf', cacheDir]);
}
