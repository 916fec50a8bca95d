/**
 * Robustness: every cataloger's parser, and the readers under them, on
 * truncated, mutated and random inputs must return (packages and problems),
 * never throw. Seeds are real files from this machine where there are some,
 * otherwise small valid inputs written here.
 */
import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseApkInstalled } from '../../src/track/catalogers/apk.js';
import { parseDpkgStatus } from '../../src/track/catalogers/dpkg.js';
import { parseGemspec } from '../../src/track/catalogers/gem.js';
import { parseGoBinary } from '../../src/track/catalogers/golang.js';
import { parseNpmPackageJson } from '../../src/track/catalogers/npm.js';
import { parsePythonMetadata } from '../../src/track/catalogers/python.js';
import { parseRpmDb, parseRpmHeader } from '../../src/track/catalogers/rpm.js';
import type { ParseResult } from '../../src/track/catalogers/types.js';
import { mapDeclaredLicense } from '../../src/track/licenses/declared.js';
import { mapDebianLicense } from '../../src/track/licenses/debian.js';
import { parseDebianCopyright } from '../../src/track/licenses/dep5.js';
import { isValidSpdx, normalizeSpdx } from '../../src/track/licenses/spdx.js';
import { MemoryFs } from '../../src/snapshot/memory-fs.js';
import { mapOwnership, parseAlternatives, parseDiversions } from '../../src/track/ownership.js';
import { hasApt, isRoot } from './helpers/debian.js';
import { inlineBuildInfoElf } from './helpers/elf.js';
import { makeRpmFixture, ndbFromHeaders, type RpmFixture } from './helpers/rpm.js';

const RUNS = Number(process.env.SCANNABLE_FUZZ_RUNS ?? 2000);

function head(path: string, max: number): Buffer | undefined {
  if (!existsSync(path)) return undefined;
  const b = readFileSync(path);
  return b.subarray(0, Math.min(b.length, max));
}

/** Inputs made from seeds: truncated at any point, with bytes overwritten, spliced, or random. */
function inputs(seeds: Buffer[]): fc.Arbitrary<Buffer> {
  const seed = fc.constantFrom(...seeds);
  const truncated = fc
    .tuple(seed, fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([s, f]) => s.subarray(0, Math.floor(s.length * f)));
  const mutated = fc
    .tuple(
      seed,
      fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 16,
      }),
    )
    .map(([s, muts]) => {
      const b = Buffer.from(s);
      for (const [f, v] of muts) if (b.length) b[Math.min(b.length - 1, Math.floor(f * b.length))] = v;
      return b;
    });
  const spliced = fc
    .tuple(seed, seed, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([a, b, x, y]) =>
      Buffer.concat([a.subarray(0, Math.floor(a.length * x)), b.subarray(Math.floor(b.length * y))]),
    );
  const random = fc.uint8Array({ maxLength: 2048 }).map((u) => Buffer.from(u));
  const textual = fc.string({ maxLength: 400 }).map((s) => Buffer.from(s));
  return fc.oneof(truncated, mutated, spliced, random, textual);
}

function neverThrows(
  name: string,
  seeds: Buffer[] | (() => Buffer[]),
  run: (b: Buffer) => ParseResult | unknown,
  runs = RUNS,
): void {
  it(`${name}: ${runs} truncated/mutated/random inputs, no throw`, () => {
    const t0 = performance.now();
    fc.assert(
      fc.property(inputs(typeof seeds === 'function' ? seeds() : seeds), (b) => {
        const r = run(b);
        if (r && typeof r === 'object' && 'packages' in r) {
          const pr = r as ParseResult;
          expect(Array.isArray(pr.packages) && Array.isArray(pr.problems)).toBe(true);
          for (const p of pr.packages) if (p.licenseExpression) expect(isValidSpdx(p.licenseExpression)).toBe(true);
        }
      }),
      { numRuns: runs },
    );
    console.log(`[fuzz] ${name}: ${runs} inputs in ${(performance.now() - t0).toFixed(0)} ms`);
  });
}

const at = (path: string, b: Buffer, mode = 0o644) => {
  const fs = new MemoryFs({ [path]: { content: b, mode } });
  return { fs, entry: fs.stat(path)! };
};

const STATUS_SEED =
  head('/var/lib/dpkg/status', 16 * 1024) ??
  Buffer.from('Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\nDepends: b (>= 1) | c\n\n');
const COPYRIGHT_SEEDS = [
  '/usr/share/doc/bash/copyright',
  '/usr/share/doc/libc6/copyright',
  '/usr/share/doc/jq/copyright',
]
  .map((p) => head(p, 32 * 1024))
  .filter((b): b is Buffer => !!b);
const APK_SEED = Buffer.from(
  'P:musl\nV:1.2.5-r0\nA:x86_64\nL:MIT\nC:Q1AAECAwQFBgcICQoLDA0ODxAREhM=\nF:lib\nR:libc.so\nZ:Q1AAECAwQFBgcICQoLDA0ODxAREhM=\n\nP:b\nV:1\nD:so:x !y z>=1\n',
);

describe('parsers never throw', () => {
  neverThrows('dpkg status', [STATUS_SEED], (b) => {
    const { fs, entry } = at('/var/lib/dpkg/status', b);
    fs.put('/var/lib/dpkg/info/a.list', b.subarray(0, 200));
    fs.put('/usr/share/doc/a/copyright', b);
    return parseDpkgStatus(entry, fs);
  });
  neverThrows(
    'copyright files (DEP-5 and free-form)',
    COPYRIGHT_SEEDS.length ? COPYRIGHT_SEEDS : [STATUS_SEED],
    (b) => {
      const info = parseDebianCopyright(b.toString('utf8'), '/c');
      if (info.expression) expect(isValidSpdx(info.expression)).toBe(true);
      return info;
    },
  );
  neverThrows(
    'license names and expressions',
    [
      Buffer.from('GPL-2+ or Artistic, and BSD-3-clause with Foo exception'),
      Buffer.from('(MIT OR Apache-2.0) AND GPL-2.0+'),
    ],
    (b) => {
      const s = b.toString('utf8');
      expect(isValidSpdx(mapDebianLicense(s).expression)).toBe(true);
      expect(isValidSpdx(mapDeclaredLicense(s).expression)).toBe(true);
      const n = normalizeSpdx(s);
      if (n !== undefined) expect(isValidSpdx(n)).toBe(true);
      return undefined;
    },
    5000,
  );
  neverThrows('apk installed', [APK_SEED], (b) => {
    const { fs, entry } = at('/lib/apk/db/installed', b);
    return parseApkInstalled(entry, fs);
  });
  const pySeeds = [
    '/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA',
    '/usr/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA',
  ]
    .map((p) => head(p, 16 * 1024))
    .filter((b): b is Buffer => !!b);
  neverThrows(
    'python METADATA + RECORD',
    pySeeds.length ? pySeeds : [Buffer.from('Name: a\nVersion: 1\nLicense: MIT\n')],
    (b) => {
      const { fs, entry } = at('/s/site-packages/a-1.dist-info/METADATA', b);
      fs.put('/s/site-packages/a-1.dist-info/RECORD', b);
      return parsePythonMetadata(entry, fs);
    },
  );
  neverThrows(
    'npm package.json',
    [
      head(new URL('../../node_modules/vitest/package.json', import.meta.url).pathname, 16 * 1024) ??
        Buffer.from('{"name":"a","version":"1.0.0","license":"MIT"}'),
    ],
    (b) => {
      const { fs, entry } = at('/node_modules/a/package.json', b);
      return parseNpmPackageJson(entry, fs);
    },
  );
  neverThrows(
    'gemspec',
    [
      Buffer.from(
        'Gem::Specification.new do |s|\n  s.name = "rack".freeze\n  s.version = Gem::Version.new("2.2.4")\n  s.licenses = ["MIT".freeze]\n  s.metadata = { "a" => "b" }\n  s.add_runtime_dependency(%q<x>.freeze, [">= 0"])\nend\n',
      ),
    ],
    (b) => {
      const { fs, entry } = at('/g/specifications/x.gemspec', b);
      return parseGemspec(entry, fs);
    },
  );
  // Synthetic Go ELF files (small, so thousands of mutations stay quick) and the head of a real one.
  const goSeeds = [
    inlineBuildInfoElf(
      'go1.22.1',
      'path\tex.com/app\nmod\tex.com/app\tv1.0.0\th1:x=\ndep\tex.com/dep\tv0.1.0\th1:y=\n=>\t../dep\t(devel)\t\n',
    ),
    head('/usr/bin/containerd', 16 * 1024),
  ].filter((b): b is Buffer => !!b);
  neverThrows('Go build info (ELF)', goSeeds, (b) => {
    const { fs, entry } = at('/bin/x', b, 0o755);
    return parseGoBinary(entry, fs);
  });
  const header = Buffer.alloc(8 + 16 * 2 + 16);
  header.writeUInt32BE(2, 0);
  header.writeUInt32BE(16, 4);
  header.writeInt32BE(1000, 8);
  header.writeUInt32BE(6, 12);
  header.writeInt32BE(0, 16);
  header.writeUInt32BE(1, 20);
  header.writeInt32BE(1117, 24);
  header.writeUInt32BE(8, 28);
  header.writeInt32BE(5, 32);
  header.writeUInt32BE(2, 36);
  header.write('name\0a\0bc\0\0\0\0\0\0', 40, 'latin1');
  neverThrows(
    'rpm header blobs',
    [header],
    (b) => {
      try {
        parseRpmHeader(b);
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
      }
      return undefined;
    },
    5000,
  );
  // Real databases as seeds when rpm and Berkeley DB tools can be had (see rpm.test.ts).
  let fixture: RpmFixture | undefined;
  beforeAll(() => {
    if (hasApt && isRoot) fixture = makeRpmFixture();
  });
  const dbSeeds = (kind: 'sqlite' | 'bdb' | 'ndb') => (): Buffer[] => {
    const minimal = [
      Buffer.concat([
        Buffer.from('SQLite format 3\0'),
        Buffer.from([0x10, 0, 1, 1, 0, 64, 32, 32]),
        Buffer.alloc(4096 - 24),
      ]),
      header,
    ];
    if (!fixture) return minimal;
    if (kind === 'sqlite') return [readFileSync(fixture.sqlite)];
    if (kind === 'bdb') return fixture.bdb ? [readFileSync(fixture.bdb)] : minimal;
    return [ndbFromHeaders(fixture.headers)];
  };
  for (const [file, kind] of [
    ['/var/lib/rpm/rpmdb.sqlite', 'sqlite'],
    ['/var/lib/rpm/Packages', 'bdb'],
    ['/var/lib/rpm/Packages.db', 'ndb'],
  ] as const) {
    neverThrows(
      `rpm database ${file.split('/').pop()}`,
      dbSeeds(kind),
      (b) => {
        const { fs, entry } = at(file, b);
        return parseRpmDb(entry, fs);
      },
      1000,
    );
  }
  neverThrows(
    'dpkg diversions and alternatives, ownership',
    [
      Buffer.from('/a\n/a.distrib\npkg\n'),
      Buffer.from('auto\n/usr/bin/awk\nawk.1.gz\n/usr/share/man/man1/awk.1.gz\n\n/usr/bin/mawk\n5\n'),
    ],
    (b) => {
      const s = b.toString('utf8');
      parseDiversions(s);
      parseAlternatives('x', s);
      const fs = new MemoryFs({
        '/var/lib/dpkg/diversions': b,
        '/var/lib/dpkg/alternatives/x': b,
        '/a': 'x',
        '/bin': { symlink: 'usr/bin' },
      });
      mapOwnership(fs, []);
      return undefined;
    },
    1000,
  );
});
