/**
 * What `npm run fuzz` runs: every parser that reads untrusted bytes, each with
 * its seeds (bench/fuzz-seeds.ts), optional structure-aware generators, and a
 * `run` that throws on a crash or on a broken promise:
 *
 * - parsers return, never throw (an exception escaping `run` is a crash);
 * - a parser's safety net must not be what caught it: a problem whose reason is
 *   a JavaScript runtime error ("Cannot read properties of undefined", a
 *   RangeError from a buffer read...) is an internal error, reported as a crash;
 * - packages are well formed: a name, a purl, a license expression that is
 *   valid SPDX and backed by a license statement the metadata made (never an
 *   invented one), or a reason the license is unknown;
 * - every problem names a path and a reason.
 */
import fc from 'fast-check';
import { dumpTree, expandWord, lookupFrom, parseDockerfile } from '../grammar/dockerfile/index.js';
import { parseShell } from '../grammar/shell/index.js';
import { buildIR } from '../src/ir/index.js';
import { analyzeScript } from '../src/shell/index.js';
import { parseApkInstalled } from '../src/track/catalogers/apk.js';
import { parseDpkgStatus } from '../src/track/catalogers/dpkg.js';
import { parseGemspec } from '../src/track/catalogers/gem.js';
import { parseGoBinary } from '../src/track/catalogers/golang.js';
import { parseNpmPackageJson } from '../src/track/catalogers/npm.js';
import { parsePythonMetadata } from '../src/track/catalogers/python.js';
import { parseRpmDb, parseRpmHeader, RpmHeaderError } from '../src/track/catalogers/rpm.js';
import type { ParseResult } from '../src/track/catalogers/types.js';
import { parseDebianCopyright } from '../src/track/licenses/dep5.js';
import { isValidSpdx } from '../src/track/licenses/spdx.js';
import { MemoryFs } from '../src/snapshot/memory-fs.js';
import {
  OS_RELEASE,
  apkSeeds,
  copyrightSeeds,
  dockerfileSeeds,
  dpkgListSeeds,
  dpkgStatusSeeds,
  gemSeeds,
  goSeeds,
  npmSeeds,
  pythonSeeds,
  rpmSeeds,
  shellSeeds,
  wordSeeds,
} from './fuzz-seeds.js';

export interface FuzzTarget {
  name: string;
  /** How inputs are mutated: as text (UTF-16 edits) or as bytes. */
  kind: 'text' | 'bytes';
  /** Real inputs to mutate. */
  seeds: () => Array<string | Buffer>;
  /** Extra inputs of the target's own shape (every tenth input). */
  generator?: () => fc.Arbitrary<string | Buffer>;
  /** Throws on a crash or a broken invariant. */
  run: (input: string | Buffer) => void;
}

/** Separates the files of a multi-file input (status + list + copyright, METADATA + RECORD). */
export const PART = Buffer.from('\n\0--fuzz-part--\0\n');

function parts(input: Buffer, n: number): Buffer[] {
  const out: Buffer[] = [];
  let rest = input;
  while (out.length < n - 1) {
    const at = rest.indexOf(PART);
    if (at < 0) break;
    out.push(rest.subarray(0, at));
    rest = rest.subarray(at + PART.length);
  }
  out.push(rest);
  return out;
}

const bytes = (x: string | Buffer): Buffer => (typeof x === 'string' ? Buffer.from(x, 'utf8') : x);

/** Reasons that are JavaScript runtime errors a safety net caught, not a message written for a person. */
const INTERNAL =
  /Cannot read propert|Cannot set propert|is not a function|is not iterable|is not defined|Maximum call stack|Invalid array length|Invalid string length|ERR_OUT_OF_RANGE|ERR_BUFFER_OUT_OF_BOUNDS|is out of range|outside buffer bounds|Array buffer allocation failed|Invalid typed array length/;

export class InvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvariantError';
  }
}

export function checkResult(r: ParseResult): void {
  if (!Array.isArray(r.packages) || !Array.isArray(r.problems))
    throw new InvariantError('result without packages[] and problems[]');
  for (const p of r.problems) {
    if (typeof p.path !== 'string' || typeof p.reason !== 'string' || p.reason === '')
      throw new InvariantError(`malformed problem ${JSON.stringify(p)}`);
    if (INTERNAL.test(p.reason))
      throw new InvariantError(`internal error reported as a problem: ${p.path}: ${p.reason}`);
  }
  for (const p of r.packages) {
    if (typeof p.name !== 'string' || p.name === '') throw new InvariantError(`package without a name (${p.purl})`);
    if (typeof p.purl !== 'string' || !p.purl.startsWith('pkg:'))
      throw new InvariantError(`package ${p.name} with purl ${JSON.stringify(p.purl)}`);
    if (p.licenseExpression !== undefined) {
      if (!isValidSpdx(p.licenseExpression))
        throw new InvariantError(`package ${p.name}: license ${JSON.stringify(p.licenseExpression)} is not valid SPDX`);
      if (p.licenses.length === 0 && p.licenseTexts.length === 0)
        throw new InvariantError(
          `package ${p.name}: license ${p.licenseExpression} with no license statement behind it`,
        );
    } else if (!p.licenseUnknownReason) {
      throw new InvariantError(`package ${p.name}: no license and no reason why`);
    }
    for (const ev of p.licenses)
      if (ev.expression && !isValidSpdx(ev.expression))
        throw new InvariantError(`package ${p.name}: evidence ${JSON.stringify(ev.expression)} is not valid SPDX`);
  }
}

// ---- generators: inputs of each format's own shape ---------------------------

const DEB_FIELDS = [
  'Package',
  'Status',
  'Version',
  'Architecture',
  'Source',
  'Depends',
  'Pre-Depends',
  'Provides',
  'Maintainer',
  'Homepage',
  'Description',
  'Multi-Arch',
  'Conffiles',
  'Installed-Size',
];
const DEP5_FIELDS = ['Format', 'Files', 'Copyright', 'License', 'Upstream-Name', 'Source', 'Comment', 'Disclaimer'];
const LICENSE_WORDS = [
  'GPL-2+',
  'GPL-2',
  'LGPL-2.1+',
  'BSD-3-clause',
  'Artistic',
  'MIT',
  'Expat',
  'Apache-2.0',
  'public-domain',
  'or',
  'and',
  'with',
  'OpenSSL',
  'exception',
  ',',
  '(',
  ')',
  'GPL-3+ with Autoconf-data exception',
  'Zlib',
  'custom',
  '',
];

const fieldValue = fc.oneof(
  fc.constantFrom(
    ...LICENSE_WORDS,
    'install ok installed',
    'deinstall ok config-files',
    '1:2.3-4+b1',
    'amd64',
    'all',
    'a (>= 1) | b:any, c [amd64] <!nocheck>',
    'https://x.org',
    ' .',
    '\t',
  ),
  fc.string({ maxLength: 40 }),
);
const deb822 = (fields: string[]): fc.Arbitrary<string> =>
  fc
    .array(
      fc.array(fc.tuple(fc.constantFrom(...fields, 'X-Odd'), fieldValue, fc.array(fieldValue, { maxLength: 3 })), {
        minLength: 1,
        maxLength: 10,
      }),
      { minLength: 1, maxLength: 6 },
    )
    .map(
      (paras) =>
        paras
          .map((p) => p.map(([k, v, cont]) => `${k}: ${v}${cont.map((c) => `\n ${c}`).join('')}`).join('\n'))
          .join('\n\n') + '\n',
    );

const apkEntry = fc
  .array(
    fc.tuple(
      fc.constantFrom('P', 'V', 'A', 'L', 'o', 'D', 'p', 'F', 'R', 'Z', 'a', 'M', 'C', 'U', 'm', 'c', 'T', 'x'),
      fc.oneof(
        fc.constantFrom(...LICENSE_WORDS, 'usr/lib', 'so:libc.musl-x86_64.so.1', 'Q1AAAA=', '0:0:755'),
        fc.string({ maxLength: 20 }),
      ),
    ),
    { maxLength: 30 },
  )
  .map((lines) => lines.map(([k, v]) => `${k}:${v}`).join('\n'));

const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('v'), { maxKeys: 4 }),
  ),
})).v;
const packageJson = fc
  .record(
    {
      name: fc.oneof(fc.constantFrom('a', '@s/a', 'A B', '', '..'), json),
      version: fc.oneof(fc.constantFrom('1.0.0', '0', ''), json),
      license: fc.oneof(
        fc.constantFrom(
          ...LICENSE_WORDS,
          '(MIT OR Apache-2.0)',
          'SEE LICENSE IN LICENSE.txt',
          'UNLICENSED',
          'GPL-2.0+ WITH Classpath-exception-2.0',
        ),
        json,
      ),
      licenses: fc.oneof(fc.array(fc.record({ type: fc.constantFrom(...LICENSE_WORDS), url: fc.string() })), json),
      author: json,
      repository: json,
      dependencies: json,
      homepage: json,
    },
    { requiredKeys: [] },
  )
  .map((o) => JSON.stringify(o));

const rubyValue = fc.oneof(
  fc.constantFrom(
    '"MIT".freeze',
    '["MIT".freeze, "Ruby"]',
    '%q<x>.freeze',
    '%w[a b]',
    '{ "a" => "b" }',
    'Gem::Version.new("1.0")',
    'nil',
    '[">= 0"]',
    '"\\u00e9"',
    '["',
    '{',
    '%q{',
    '"#{x}"',
  ),
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
);
const gemspec = fc
  .array(
    fc.tuple(
      fc.constantFrom(
        'name',
        'version',
        'licenses',
        'license',
        'authors',
        'homepage',
        'metadata',
        'files',
        'summary',
        'add_runtime_dependency',
        'add_dependency',
      ),
      rubyValue,
    ),
    { maxLength: 12 },
  )
  .map(
    (lines) =>
      `Gem::Specification.new do |s|\n${lines.map(([k, v]) => (k.startsWith('add_') ? `  s.${k}(${v}, [">= 0"])` : `  s.${k} = ${v}`)).join('\n')}\nend\n`,
  );

const metadataText = fc
  .array(
    fc.tuple(
      fc.constantFrom(
        'Metadata-Version',
        'Name',
        'Version',
        'License',
        'License-Expression',
        'Classifier',
        'Requires-Dist',
        'Project-URL',
        'Author',
        'Home-page',
        'License-File',
      ),
      fc.oneof(
        fc.constantFrom(
          ...LICENSE_WORDS,
          'License :: OSI Approved :: MIT License',
          'License :: Other/Proprietary License',
          'Homepage, https://x',
          'a (>=1) ; extra == "x"',
        ),
        fc.string({ maxLength: 30 }),
      ),
    ),
    { maxLength: 14 },
  )
  .map((h) => h.map(([k, v]) => `${k}: ${v}`).join('\n') + '\n\nbody\n');
const recordText = fc
  .array(
    fc.tuple(
      fc.constantFrom('a/__init__.py', '../../../bin/a', '/abs', 'a b,c', '"q,x"', ''),
      fc.constantFrom('sha256=AAAA', '', 'md5=x', 'sha256='),
      fc.constantFrom('12', '', '-1', 'x'),
    ),
    { maxLength: 10 },
  )
  .map((rows) => rows.map((r) => r.join(',')).join('\n'));

// ---- targets -------------------------------------------------------------------

function catalogerRun(
  place: (input: Buffer) => { fs: MemoryFs; path: string },
  parse: (e: NonNullable<ReturnType<MemoryFs['stat']>>, fs: MemoryFs) => ParseResult,
) {
  return (input: string | Buffer) => {
    const { fs, path } = place(bytes(input));
    const entry = fs.stat(path);
    if (!entry) throw new InvariantError(`fuzz harness: ${path} was not placed`);
    checkResult(parse(entry, fs));
  };
}

/** Package names a status text declares (for its .list and copyright files). */
function statusNames(status: Buffer): string[] {
  const names: string[] = [];
  const re = /^Package:[ \t]*([^\s/]+)/gm;
  const text = status.toString('latin1');
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) && names.length < 4) if (m[1] !== '.' && m[1] !== '..') names.push(m[1]!);
  return names;
}

export const targets: FuzzTarget[] = [
  {
    name: 'dockerfile',
    kind: 'text',
    seeds: dockerfileSeeds,
    run: (input) => {
      const out = parseDockerfile(String(input), 'fuzz');
      if (out.ok) {
        dumpTree(out.tree);
        buildIR(out.tree);
      } else if (out.diagnostics.length === 0) throw new InvariantError('parse failed without a diagnostic');
    },
  },
  {
    name: 'word-expansion',
    kind: 'text',
    seeds: wordSeeds,
    run: (input) => {
      const env = lookupFrom({ a: 'x y', HOME: '/root', v: '' });
      expandWord(String(input), env, { escape: '\\' });
      expandWord(String(input), env, { escape: '`', rawQuotes: true, skipUnsetEnv: true });
    },
  },
  {
    name: 'shell',
    kind: 'text',
    seeds: shellSeeds,
    run: (input) => {
      const text = String(input);
      parseShell(text);
      analyzeScript(text, { workdir: '/src' });
    },
  },
  {
    name: 'dpkg-status',
    kind: 'bytes',
    seeds: () => {
      const lists = dpkgListSeeds();
      const cr = copyrightSeeds();
      return dpkgStatusSeeds().map((s, i) =>
        Buffer.concat([s, PART, lists[i % Math.max(1, lists.length)] ?? Buffer.alloc(0), PART, cr[i % cr.length]!]),
      );
    },
    generator: () =>
      fc
        .tuple(deb822(DEB_FIELDS), deb822(DEP5_FIELDS))
        .map(([s, c]) =>
          Buffer.concat([
            Buffer.from(`Package: a\n${s}`),
            PART,
            Buffer.from('/.\n/usr/bin/a\n/bin\n'),
            PART,
            Buffer.from(c),
          ]),
        ),
    run: catalogerRun((b) => {
      const [status, list, copyright] = parts(b, 3);
      const fs = new MemoryFs({
        '/etc/os-release': OS_RELEASE,
        '/var/lib/dpkg/status': status!,
        '/bin': { symlink: 'usr/bin' },
      });
      for (const name of statusNames(status!)) {
        fs.put(`/var/lib/dpkg/info/${name}.list`, list ?? '');
        fs.put(`/usr/share/doc/${name}/copyright`, copyright ?? '');
      }
      return { fs, path: '/var/lib/dpkg/status' };
    }, parseDpkgStatus),
  },
  {
    name: 'dep5-copyright',
    kind: 'bytes',
    seeds: copyrightSeeds,
    generator: () => deb822(DEP5_FIELDS),
    run: (input) => {
      const info = parseDebianCopyright(bytes(input).toString('utf8'), '/usr/share/doc/a/copyright');
      if (info.expression !== undefined) {
        if (!isValidSpdx(info.expression))
          throw new InvariantError(`copyright expression ${JSON.stringify(info.expression)} is not valid SPDX`);
        if (info.licenses.length === 0)
          throw new InvariantError(`copyright expression ${info.expression} with no License field behind it`);
      }
      for (const p of info.problems)
        if (INTERNAL.test(p)) throw new InvariantError(`internal error reported as a problem: ${p}`);
    },
  },
  {
    name: 'apk-installed',
    kind: 'bytes',
    seeds: apkSeeds,
    generator: () => fc.array(apkEntry, { minLength: 1, maxLength: 5 }).map((es) => es.join('\n\n') + '\n'),
    run: catalogerRun(
      (b) => ({
        fs: new MemoryFs({
          '/etc/os-release': 'ID=alpine\nVERSION_ID=3.20.3\n',
          '/lib/apk/db/installed': b,
          '/lib/libz.so.1': 'z',
        }),
        path: '/lib/apk/db/installed',
      }),
      parseApkInstalled,
    ),
  },
  {
    name: 'rpm-db',
    kind: 'bytes',
    // Each seed carries the database format in its first byte (s, b, n, h), stripped before parsing.
    seeds: () => {
      const s = rpmSeeds();
      const tag = (t: string, b: Buffer) => Buffer.concat([Buffer.from(t), b]);
      return [
        ...s.sqlite.map((b) => tag('s', b)),
        ...s.bdb.map((b) => tag('b', b)),
        ...s.ndb.map((b) => tag('n', b)),
        ...s.headers.map((b) => tag('h', b)),
      ];
    },
    run: (input) => {
      const b = bytes(input);
      const kind = String.fromCharCode(b[0] ?? 0x68);
      const body = b.subarray(1);
      if (kind !== 's' && kind !== 'b' && kind !== 'n') {
        try {
          parseRpmHeader(body);
        } catch (e) {
          // The header parser signals a bad blob with RpmHeaderError; the database reader turns it into a problem.
          if (!(e instanceof RpmHeaderError)) throw e;
        }
        return;
      }
      const file =
        kind === 's'
          ? '/var/lib/rpm/rpmdb.sqlite'
          : kind === 'b'
            ? '/var/lib/rpm/Packages'
            : '/usr/lib/sysimage/rpm/Packages.db';
      catalogerRun(
        () => ({
          fs: new MemoryFs({ '/etc/os-release': 'ID=fedora\nVERSION_ID=40\n', [file]: body, '/usr/share/x': 'x' }),
          path: file,
        }),
        parseRpmDb,
      )(body);
    },
  },
  {
    name: 'python',
    kind: 'bytes',
    seeds: () => pythonSeeds().map((s) => Buffer.concat([s.metadata, PART, s.record])),
    generator: () =>
      fc.tuple(metadataText, recordText).map(([m, r]) => Buffer.concat([Buffer.from(m), PART, Buffer.from(r)])),
    run: catalogerRun((b) => {
      const [metadata, record] = parts(b, 2);
      const dir = '/usr/lib/python3/dist-packages/a-1.0.dist-info';
      return {
        fs: new MemoryFs({
          [`${dir}/METADATA`]: metadata!,
          [`${dir}/RECORD`]: record ?? '',
          [`${dir}/LICENSE`]: 'MIT License\n',
        }),
        path: `${dir}/METADATA`,
      };
    }, parsePythonMetadata),
  },
  {
    name: 'npm-package-json',
    kind: 'text',
    seeds: () => npmSeeds().map((b) => b.toString('utf8')),
    generator: () => packageJson,
    run: catalogerRun(
      (b) => ({
        fs: new MemoryFs({
          '/app/node_modules/a/package.json': b,
          '/app/node_modules/a/LICENSE': 'license text\n',
          '/app/node_modules/a/lib/x.js': '',
        }),
        path: '/app/node_modules/a/package.json',
      }),
      parseNpmPackageJson,
    ),
  },
  {
    name: 'gemspec',
    kind: 'text',
    seeds: () => gemSeeds().map((b) => b.toString('utf8')),
    generator: () => gemspec,
    run: catalogerRun(
      (b) => ({
        fs: new MemoryFs({
          '/usr/share/rubygems-integration/all/specifications/a-1.0.gemspec': b,
          '/usr/share/rubygems-integration/all/gems/a-1.0/LICENSE': 'x',
        }),
        path: '/usr/share/rubygems-integration/all/specifications/a-1.0.gemspec',
      }),
      parseGemspec,
    ),
  },
  {
    name: 'go-buildinfo',
    kind: 'bytes',
    seeds: goSeeds,
    run: catalogerRun(
      (b) => ({ fs: new MemoryFs({ '/usr/local/bin/app': { content: b, mode: 0o755 } }), path: '/usr/local/bin/app' }),
      parseGoBinary,
    ),
  },
];

export function targetNamed(name: string): FuzzTarget {
  const t = targets.find((x) => x.name === name);
  if (!t) throw new Error(`no fuzz target ${name}; there are: ${targets.map((x) => x.name).join(', ')}`);
  return t;
}
