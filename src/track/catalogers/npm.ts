/**
 * npm packages installed in node_modules (nested ones too): each
 * node_modules/<name>/package.json and node_modules/@scope/<name>/package.json.
 * A package.json deeper inside a package (lib/package.json with only "type")
 * is not a package and is never matched. npm keeps no file list, so the
 * package's files are its directory minus nested node_modules.
 */
import type { FileEntry, SnapshotFs } from '../../snapshot/fs.js';
import { mapDeclaredLicense } from '../licenses/declared.js';
import { andAll, licenseRef } from '../licenses/spdx.js';
import { newPackage, type LicenseEvidence, type Package } from '../package.js';
import { dirnameOf, joinPath } from '../../snapshot/paths.js';
import { npmPurl } from '../purl.js';
import type { Cataloger, ParseResult, Problem } from './types.js';
import { MiB, readText } from './util.js';

/** npm's own rule for package names (validate-npm-package-name, simplified). */
const NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[A-Za-z0-9._~-][A-Za-z0-9._~-]*$/;
/** Upper bound on files recorded per package: a runaway tree must not exhaust memory. */
const MAX_FILES = 200_000;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const str = (v: Json | undefined): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
const obj = (v: Json | undefined): { [k: string]: Json } | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;

function person(v: Json | undefined): string | undefined {
  const s = str(v);
  if (s) return s;
  const o = obj(v);
  if (!o) return undefined;
  const name = str(o.name);
  const email = str(o.email);
  return name && email ? `${name} <${email}>` : (name ?? email);
}

function repositoryUrl(v: Json | undefined): string | undefined {
  return str(v) ?? str(obj(v)?.url);
}

/** Every license statement in package.json: "license" (string or legacy object) and legacy "licenses". */
function licenseStatements(json: { [k: string]: Json }): { text: string; field: string }[] {
  const out: { text: string; field: string }[] = [];
  const one = (v: Json | undefined, field: string): void => {
    const s = str(v) ?? str(obj(v)?.type);
    if (s) out.push({ text: s, field });
  };
  one(json.license, 'license');
  const legacy = json.licenses;
  if (Array.isArray(legacy)) legacy.forEach((l, i) => one(l, `licenses[${i}]`));
  else one(legacy, 'licenses');
  return out;
}

function collectFiles(fs: SnapshotFs, dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.list(d)) {
      if (out.length >= MAX_FILES) return;
      if (e.kind === 'dir' && e.path.endsWith('/node_modules')) continue;
      out.push(e.path);
      if (e.kind === 'dir') walk(e.path);
    }
  };
  walk(dir);
  return out;
}

export function parseNpmPackageJson(file: FileEntry, fs: SnapshotFs): ParseResult {
  const problems: Problem[] = [];
  const r = readText(fs, file.path, 8 * MiB);
  if (!r.ok) return { packages: [], problems: [r.problem] };
  let parsed: Json;
  try {
    parsed = JSON.parse(r.value) as Json;
  } catch (err) {
    return { packages: [], problems: [{ path: file.path, reason: `not JSON: ${(err as Error).message}` }] };
  }
  const json = obj(parsed);
  if (!json) return { packages: [], problems: [{ path: file.path, reason: 'package.json is not an object' }] };
  const name = str(json.name);
  const version = str(json.version);
  const dir = dirnameOf(file.path);
  if (!name || !version) {
    // Test fixtures and build leftovers under node_modules: not installed packages.
    return {
      packages: [],
      problems: [{ path: file.path, reason: 'package.json without name and version; not a package' }],
    };
  }
  if (!NAME.test(name)) problems.push({ path: file.path, reason: `unusual package name ${JSON.stringify(name)}` });

  const pkg: Package = newPackage({
    ecosystem: 'npm',
    name,
    version,
    purl: npmPurl(name, version),
    metadataPath: file.path,
    supplier: person(json.author) ?? (Array.isArray(json.maintainers) ? person(json.maintainers[0]) : undefined),
    homepage: str(json.homepage),
    vcs: repositoryUrl(json.repository),
    dependencies: Object.keys(obj(json.dependencies) ?? {}),
  });

  const evidence: LicenseEvidence[] = [];
  for (const s of licenseStatements(json)) {
    const see = /^SEE LICEN[CS]E IN (.+)$/i.exec(s.text);
    if (see) {
      const id = licenseRef(`${name}-${see[1]!}`);
      const p = joinPath(dir, see[1]!.trim());
      const t = readText(fs, p, MiB);
      if (t.ok) pkg.licenseTexts.push({ id, name: s.text, text: t.value, path: p });
      evidence.push({ expression: id, original: s.text, path: file.path, field: s.field, confidence: 'declared' });
      continue;
    }
    const m = mapDeclaredLicense(s.text);
    evidence.push({
      expression: m.expression,
      original: s.text,
      path: file.path,
      field: s.field,
      confidence: 'declared',
    });
  }
  pkg.licenses = evidence;
  const expr = andAll(evidence.map((e) => e.expression));
  if (expr) pkg.licenseExpression = expr;
  else pkg.licenseUnknownReason = `${file.path} has no license or licenses field`;

  // The package's own license files (LICENSE, LICENCE.md, COPYING...).
  for (const e of fs.list(dir)) {
    if (e.kind !== 'file' || !/^(LICEN[CS]E|COPYING)([.-][A-Za-z0-9.-]*)?$/i.test(e.path.slice(dir.length + 1)))
      continue;
    const t = readText(fs, e.path, MiB);
    if (t.ok && t.value.trim() !== '') {
      pkg.licenseTexts.push({
        id: pkg.licenseExpression ?? licenseRef(`${name}-license-file`),
        name: e.path.slice(dir.length + 1),
        text: t.value,
        path: e.path,
      });
    }
  }
  pkg.files = collectFiles(fs, dir);
  if (pkg.files.length >= MAX_FILES)
    problems.push({ path: dir, reason: `more than ${MAX_FILES} files; list truncated` });
  return { packages: [pkg], problems };
}

export const npmCataloger: Cataloger = {
  name: 'npm',
  globs: ['/**/node_modules/*/package.json', '/**/node_modules/@*/*/package.json'],
  // "node_modules/.bin", ".cache" and the like are npm's own, not packages.
  accept: (e) => e.kind === 'file' && !/\/node_modules\/\.[^/]*\/package\.json$/.test(e.path),
  parse: parseNpmPackageJson,
};
