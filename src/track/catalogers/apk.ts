/**
 * apk: /lib/apk/db/installed (older images: /var/lib/apk/db/installed... same
 * format). One package per blank-line separated block of "X:value" lines:
 * P name, V version, A arch, L license, o origin, m maintainer, U url,
 * D dependencies, C package checksum, F directory, R file in the last F,
 * Z file checksum ("Q1" + base64 SHA-1), a/M attributes.
 */
import type { FileEntry, SnapshotFs } from '../../snapshot/fs.js';
import { mapDeclaredLicense } from '../licenses/declared.js';
import { newPackage, type Package } from '../package.js';
import { apkPurl } from '../purl.js';
import type { Cataloger, ParseResult, Problem } from './types.js';
import { MiB, osRelease, readText } from './util.js';

/** "Q1<base64 sha1>" -> "sha1:<hex>"; other forms (old md5 hex) kept readable. */
export function apkChecksum(v: string): string | undefined {
  if (v.startsWith('Q1')) {
    const hex = Buffer.from(v.slice(2), 'base64').toString('hex');
    return hex.length === 40 ? 'sha1:' + hex : undefined;
  }
  if (/^[0-9a-f]{32}$/i.test(v)) return 'md5:' + v.toLowerCase();
  return undefined;
}

/** Dependency names from "D:": drop conflicts (!x), versions (x>=1), keep so:/cmd:/pc: virtuals as written. */
export function apkDependencyNames(v: string): string[] {
  const out: string[] = [];
  for (const tok of v.split(/\s+/)) {
    if (!tok || tok.startsWith('!')) continue;
    const name = tok.split(/[<>=~]/)[0]!;
    if (name && !out.includes(name)) out.push(name);
  }
  return out;
}

export function parseApkInstalled(file: FileEntry, fs: SnapshotFs): ParseResult {
  const problems: Problem[] = [];
  const packages: Package[] = [];
  const r = readText(fs, file.path, 256 * MiB);
  if (!r.ok) return { packages, problems: [r.problem] };
  const os = osRelease(fs);
  const vendor = os.id ?? 'alpine';

  let fields: Record<string, string> = {};
  let files: string[] = [];
  let digests: Record<string, string> = {};
  let dir = '';
  let lastFile: string | undefined;
  let startLine = 1;
  let badLines = 0;
  const seen = new Set<string>();

  const flush = (): void => {
    const name = fields.P;
    if (name) {
      const key = `${name}@${fields.V ?? ''}`;
      if (seen.has(key)) {
        problems.push({
          path: file.path,
          reason: `line ${startLine}: package ${key} listed twice; the first entry is kept`,
        });
      } else {
        seen.add(key);
        const pkg = newPackage({
          ecosystem: 'apk',
          name,
          version: fields.V,
          arch: fields.A,
          purl: apkPurl({ vendor, name, version: fields.V, arch: fields.A, distro: os.distro }),
          metadataPath: file.path,
          supplier: fields.m,
          homepage: fields.U,
          source: fields.o ? { name: fields.o, version: fields.V } : undefined,
          dependencies: fields.D ? apkDependencyNames(fields.D) : [],
          files,
        });
        if (Object.keys(digests).length) pkg.fileDigests = digests;
        if (fields.C) pkg.properties.checksum = apkChecksum(fields.C) ?? fields.C;
        if (fields.c) pkg.properties.commit = fields.c;
        if (fields.L) {
          const m = mapDeclaredLicense(fields.L);
          pkg.licenses.push({
            expression: m.expression,
            original: fields.L,
            path: file.path,
            field: 'L',
            confidence: 'declared',
          });
          pkg.licenseExpression = m.expression;
        } else {
          pkg.licenseUnknownReason = 'no L: field';
        }
        packages.push(pkg);
      }
    } else if (Object.keys(fields).length || files.length) {
      problems.push({ path: file.path, reason: `line ${startLine}: entry without a P: (name) line` });
    }
    fields = {};
    files = [];
    digests = {};
    dir = '';
    lastFile = undefined;
  };

  const lines = r.value.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line === '') {
      flush();
      startLine = i + 2;
      continue;
    }
    if (line.length < 2 || line[1] !== ':') {
      badLines++;
      continue;
    }
    const k = line[0]!;
    const v = line.slice(2);
    switch (k) {
      case 'F':
        dir = v.replace(/^\/+|\/+$/g, '');
        files.push('/' + dir);
        lastFile = undefined;
        break;
      case 'R':
        lastFile = '/' + (dir ? dir + '/' : '') + v;
        files.push(lastFile);
        break;
      case 'Z': {
        const d = apkChecksum(v);
        if (lastFile && d) digests[lastFile] = d;
        break;
      }
      case 'a':
      case 'M':
        break;
      default:
        if (fields[k] === undefined) fields[k] = v;
    }
  }
  flush();
  if (badLines) problems.push({ path: file.path, reason: `${badLines} line(s) not of the form "X:value"` });
  return { packages, problems };
}

export const apkCataloger: Cataloger = {
  name: 'apk',
  globs: ['/lib/apk/db/installed', '/var/lib/apk/db/installed'],
  parse: parseApkInstalled,
};
