/**
 * Validation of our SBOMs against the official CycloneDX 1.6 JSON schema (the
 * copy shipped in @cyclonedx/cyclonedx-library), with the library's own ajv
 * settings. Compiling that schema takes about 0.7 s, longer than the rest of
 * a cached rebuild, so the compiled validator (ajv's standalone code) is kept
 * in the cache directory, keyed by the schema files' digest, and reused.
 *
 * `uniqueItems` is checked here, not by ajv: ajv compares every pair of items
 * (quadratic: 10,000 components took 100 s, 100,000 would take hours). The
 * schema is compiled without it, and the arrays the schema marks unique are
 * checked in one pass over digests of their items' canonical JSON.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);

type ValidateFn = ((data: unknown) => boolean) & { errors?: unknown[] | null };

const SCHEMA_DIR = path.join(path.dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res', 'schema');
const MAIN = 'bom-1.6.SNAPSHOT.schema.json';
const REFERENCED: Record<string, string> = {
  'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json': 'spdx.SNAPSHOT.schema.json',
  'http://cyclonedx.org/schema/cryptography-defs.SNAPSHOT.schema.json': 'cryptography-defs.SNAPSHOT.schema.json',
  'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json': 'jsf-0.82.SNAPSHOT.schema.json',
};

let compiled: ValidateFn | undefined;
/** Property names whose arrays the schema marks `uniqueItems`. */
let uniqueKeys: Set<string> | undefined;

/** A copy of a schema without `uniqueItems`, and the property names that had it on an array. */
function withoutUniqueItems(schema: unknown, keys: Set<string>): unknown {
  const strip = (node: unknown, key: string | undefined): unknown => {
    if (Array.isArray(node)) return node.map((n) => strip(n, key));
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (k === 'uniqueItems') {
        if (v === true && key) keys.add(key);
        continue;
      }
      if (k === 'properties' && v && typeof v === 'object' && !Array.isArray(v)) {
        out[k] = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([pk, pv]) => [pk, strip(pv, pk)]));
      } else out[k] = strip(v, key);
    }
    return out;
  };
  return strip(schema, undefined);
}

function schemaFiles(): { main: unknown; referenced: Record<string, unknown>; keys: Set<string> } {
  const keys = new Set<string>();
  const read = (f: string) => withoutUniqueItems(JSON.parse(readFileSync(path.join(SCHEMA_DIR, f), 'utf8')), keys);
  const referenced = Object.fromEntries(Object.entries(REFERENCED).map(([id, f]) => [id, read(f)]));
  return { main: read(MAIN), referenced, keys };
}

/** JSON with object keys sorted: equal for values JSON Schema calls equal. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Arrays under the schema's unique keys that hold two equal items, as ajv would report them. */
function duplicateItems(doc: unknown, keys: Set<string>): unknown[] {
  const errors: unknown[] = [];
  const walk = (node: unknown, at: string, key: string | undefined) => {
    if (Array.isArray(node)) {
      if (key && keys.has(key) && node.length > 1) {
        const seen = new Map<string, number>();
        node.forEach((item, i) => {
          const d = createHash('sha256').update(canonical(item)).digest('base64');
          const first = seen.get(d);
          if (first === undefined) seen.set(d, i);
          else errors.push({ instancePath: at, keyword: 'uniqueItems', params: { i: first, j: i }, message: `must NOT have duplicate items (items ## ${first} and ${i} are identical)` });
        });
      }
      node.forEach((item, i) => walk(item, `${at}/${i}`, undefined));
      return;
    }
    if (node && typeof node === 'object') for (const [k, v] of Object.entries(node as Record<string, unknown>)) walk(v, `${at}/${k}`, k);
  };
  walk(doc, '', undefined);
  return errors;
}

function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(base, 'scannable', 'validators');
}

/** Evaluates generated CommonJS with our module resolution (it requires ajv's runtime helpers). */
function load(code: string): ValidateFn {
  const mod = { exports: {} as Record<string, unknown> };
  new Function('require', 'module', 'exports', code)(require, mod, mod.exports);
  return (mod.exports.default ?? mod.exports) as ValidateFn;
}

function compile(): { fn: ValidateFn; code: string } {
  const Ajv = require('ajv').default as new (o: object) => {
    compile(s: object): ValidateFn;
    addFormat(name: string, f: boolean): void;
  };
  const { _ } = require('ajv') as { _: (s: TemplateStringsArray, ...a: unknown[]) => unknown };
  const standalone = require('ajv/dist/standalone').default as (ajv: unknown, v: ValidateFn) => string;
  const { main, referenced: schemas } = schemaFiles();
  // The library's options (strict off, no remote schemas), plus source generation.
  const ajv = new Ajv({
    useDefaults: false,
    strict: false,
    strictSchema: false,
    addUsedSchema: false,
    schemas,
    code: {
      source: true,
      formats: _`Object.assign({}, require("ajv-formats/dist/formats").fullFormats, require("ajv-formats-draft2019/formats"))`,
    },
  });
  (require('ajv-formats').default as (a: unknown) => void)(ajv);
  (require('ajv-formats-draft2019') as (a: unknown, o: object) => void)(ajv, { formats: ['idn-email'] });
  ajv.addFormat('iri-reference', true);
  const fn = ajv.compile(main as object);
  return { fn, code: standalone(ajv, fn) };
}

function validator(): ValidateFn {
  if (compiled) return compiled;
  const h = createHash('sha256');
  for (const f of [MAIN, ...Object.values(REFERENCED)]) h.update(readFileSync(path.join(SCHEMA_DIR, f)));
  // "-u": compiled without uniqueItems (an older cached validator checks it the slow way).
  const file = path.join(cacheDir(), `cyclonedx-1.6-${h.digest('hex').slice(0, 16)}-u.cjs`);
  try {
    compiled = load(readFileSync(file, 'utf8'));
    return compiled;
  } catch {
    // Not cached yet (or unreadable): compile and try to keep it.
  }
  const { fn, code } = compile();
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, file);
  } catch {
    // A cache that cannot be written only costs time.
  }
  compiled = fn;
  return fn;
}

/** Schema errors of a CycloneDX 1.6 JSON document, or null when it is valid. */
export function schemaErrors(doc: unknown): unknown[] | null {
  const v = validator();
  if (!v(doc)) return v.errors ?? [{ message: 'invalid' }];
  uniqueKeys ??= schemaFiles().keys;
  const dups = duplicateItems(doc, uniqueKeys);
  return dups.length ? dups : null;
}
