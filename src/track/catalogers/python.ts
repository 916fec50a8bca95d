/**
 * Python distributions installed under any site-packages or dist-packages:
 * *.dist-info/METADATA with RECORD (installed files and their sha256), and
 * *.egg-info/PKG-INFO (or an *.egg-info file holding PKG-INFO itself) with
 * installed-files.txt. License from License-Expression (PEP 639), else a
 * License field that names a license, else "License ::" classifiers.
 */
import type { FileEntry, SnapshotFs } from '../../snapshot/fs.js';
import { mapDeclaredLicense, mapLicenseClassifier } from '../licenses/declared.js';
import { andAll, licenseRef } from '../licenses/spdx.js';
import { newPackage, type LicenseEvidence, type Package } from '../package.js';
import { dirnameOf, joinPath, normalizePath } from '../../snapshot/paths.js';
import { pypiPurl } from '../purl.js';
import type { Cataloger, ParseResult, Problem } from './types.js';
import { MiB, readText } from './util.js';

/** Core metadata headers (RFC 822 style), up to the first blank line; repeated headers kept in order. */
export function parseCoreMetadata(text: string): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  let last: { key: string; index: number } | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '') break;
    if ((raw[0] === ' ' || raw[0] === '\t') && last) {
      // Continuation; setuptools indents License text with 8 spaces or "       |".
      const list = headers.get(last.key)!;
      list[last.index] += '\n' + raw.replace(/^\s{1,8}\|?/, '');
      continue;
    }
    const m = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(raw);
    if (!m) {
      last = undefined;
      continue;
    }
    const key = m[1]!.toLowerCase();
    let list = headers.get(key);
    if (!list) headers.set(key, (list = []));
    list.push(m[2]!.trim());
    last = { key, index: list.length - 1 };
  }
  return headers;
}

const first = (h: Map<string, string[]>, k: string): string | undefined => {
  const v = h.get(k)?.[0]?.trim();
  return v && v !== 'UNKNOWN' ? v : undefined;
};

/** Parse one CSV line of a RECORD file (paths may be quoted when they hold commas). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** RECORD: "path,sha256=<urlsafe base64>,size"; paths relative to the directory holding *.dist-info. */
export function parseRecord(text: string, base: string): { files: string[]; digests: Record<string, string> } {
  const files: string[] = [];
  const digests: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const [p, hash] = csvFields(line);
    if (!p) continue;
    const abs = p.startsWith('/') ? normalizePath(p) : joinPath(base, p);
    files.push(abs);
    const m = /^(sha256|sha384|sha512)=([A-Za-z0-9_-]+)$/.exec(hash ?? '');
    if (m) digests[abs] = `${m[1]}:${Buffer.from(m[2]!, 'base64url').toString('hex')}`;
  }
  return { files, digests };
}

function licenseOf(pkg: Package, h: Map<string, string[]>, path: string): void {
  const evidence: LicenseEvidence[] = [];
  const expr = first(h, 'license-expression');
  if (expr) {
    const m = mapDeclaredLicense(expr);
    evidence.push({
      expression: m.expression,
      original: expr,
      path,
      field: 'License-Expression',
      confidence: 'declared',
    });
  }
  const lic = first(h, 'license');
  let licenseIsText = false;
  if (!expr && lic) {
    // A long or multi-line License field is the license text itself, not a name.
    if (lic.includes('\n') || lic.length > 100) {
      licenseIsText = true;
    } else {
      const m = mapDeclaredLicense(lic);
      if (m.mapped)
        evidence.push({ expression: m.expression, original: lic, path, field: 'License', confidence: 'declared' });
      else licenseIsText = true;
    }
  }
  if (evidence.length === 0) {
    for (const c of h.get('classifier') ?? []) {
      const m = mapLicenseClassifier(c);
      if (m)
        evidence.push({ expression: m.expression, original: c, path, field: 'Classifier', confidence: 'declared' });
    }
  }
  if (evidence.length === 0 && lic && licenseIsText) {
    // Nothing names the license: keep the stated text under its own LicenseRef.
    const id = licenseRef(`${pkg.name}-License-field`);
    evidence.push({
      expression: id,
      original: lic.length > 200 ? lic.slice(0, 200) + '…' : lic,
      path,
      field: 'License',
      confidence: 'declared',
    });
    pkg.licenseTexts.push({ id, name: 'License field', text: lic, path });
  }
  pkg.licenses = evidence;
  const combined = andAll(evidence.map((e) => e.expression));
  if (combined) pkg.licenseExpression = combined;
  else pkg.licenseUnknownReason = `${path} has no License-Expression, License or license classifier`;
}

function requirementNames(h: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const r of h.get('requires-dist') ?? []) {
    // Extras are optional: only unconditional (or environment-marker) requirements count.
    if (/;\s*.*\bextra\s*==/.test(r)) continue;
    const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(r);
    if (m && !out.includes(m[1]!)) out.push(m[1]!);
  }
  return out;
}

/** License files a wheel ships in its .dist-info (PEP 639 License-File, and the usual names). */
function attachLicenseFiles(pkg: Package, fs: SnapshotFs, infoDir: string, h: Map<string, string[]>): void {
  const candidates = new Set<string>();
  for (const lf of h.get('license-file') ?? []) {
    candidates.add(joinPath(infoDir, 'licenses/' + lf));
    candidates.add(joinPath(infoDir, lf));
  }
  for (const e of fs.list(infoDir)) {
    if (e.kind === 'file' && /^(LICEN[CS]E|COPYING|NOTICE)/i.test(e.path.slice(infoDir.length + 1)))
      candidates.add(e.path);
  }
  for (const e of fs.list(infoDir + '/licenses')) if (e.kind === 'file') candidates.add(e.path);
  const id = pkg.licenseExpression ?? licenseRef(`${pkg.name}-license-file`);
  for (const p of candidates) {
    const r = readText(fs, p, MiB);
    if (r.ok && r.value.trim() !== '')
      pkg.licenseTexts.push({ id, name: p.slice(infoDir.length + 1), text: r.value, path: p });
  }
}

export function parsePythonMetadata(file: FileEntry, fs: SnapshotFs): ParseResult {
  const problems: Problem[] = [];
  const r = readText(fs, file.path, 16 * MiB);
  if (!r.ok) return { packages: [], problems: [r.problem] };
  const h = parseCoreMetadata(r.value);
  const name = first(h, 'name');
  const version = first(h, 'version');
  if (!name) return { packages: [], problems: [{ path: file.path, reason: 'no Name header' }] };
  if (!version) problems.push({ path: file.path, reason: 'no Version header' });

  const eggFile = file.path.endsWith('.egg-info');
  const infoDir = eggFile ? file.path : dirnameOf(file.path);
  const sitePackages = dirnameOf(infoDir);
  const urls = new Map<string, string>();
  for (const u of h.get('project-url') ?? []) {
    const i = u.indexOf(',');
    if (i > 0) urls.set(u.slice(0, i).trim().toLowerCase(), u.slice(i + 1).trim());
  }
  const author =
    first(h, 'author') ?? first(h, 'author-email') ?? first(h, 'maintainer') ?? first(h, 'maintainer-email');
  const pkg = newPackage({
    ecosystem: 'python',
    name,
    version,
    purl: pypiPurl(name, version),
    metadataPath: file.path,
    supplier: author,
    homepage: first(h, 'home-page') ?? urls.get('homepage') ?? urls.get('home'),
    vcs: urls.get('source') ?? urls.get('repository') ?? urls.get('source code'),
    dependencies: requirementNames(h),
  });
  const mv = first(h, 'metadata-version');
  if (mv) pkg.properties['metadata-version'] = mv;
  licenseOf(pkg, h, file.path);

  if (infoDir.endsWith('.dist-info')) {
    const recordPath = infoDir + '/RECORD';
    if (fs.stat(recordPath)) {
      const rec = readText(fs, recordPath, 64 * MiB);
      if (rec.ok) {
        const { files, digests } = parseRecord(rec.value, sitePackages);
        pkg.files = files;
        if (Object.keys(digests).length) pkg.fileDigests = digests;
        pkg.evidencePaths.push(recordPath);
      } else problems.push(rec.problem);
    }
    attachLicenseFiles(pkg, fs, infoDir, h);
  } else if (!eggFile) {
    const listPath = infoDir + '/installed-files.txt';
    if (fs.stat(listPath)) {
      const lst = readText(fs, listPath, 64 * MiB);
      if (lst.ok) {
        pkg.files = lst.value
          .split(/\r?\n/)
          .filter((l) => l.trim() !== '')
          .map((l) => (l.startsWith('/') ? normalizePath(l) : joinPath(infoDir, l)));
        pkg.evidencePaths.push(listPath);
      } else problems.push(lst.problem);
    }
  }
  return { packages: [pkg], problems };
}

const SITE = '{site-packages,dist-packages}';

export const pythonCataloger: Cataloger = {
  name: 'python',
  globs: [`/**/${SITE}/*.dist-info/METADATA`, `/**/${SITE}/*.egg-info/PKG-INFO`, `/**/${SITE}/*.egg-info`],
  accept: (e) => e.kind === 'file',
  parse: parsePythonMetadata,
};
