/**
 * Validation of our SBOMs against the official CycloneDX 1.6 JSON schema (the
 * copy shipped in @cyclonedx/cyclonedx-library), with the library's own ajv
 * settings. Compiling that schema takes about 0.7 s, longer than the rest of
 * a cached rebuild, so the compiled validator (ajv's standalone code) is kept
 * in the cache directory, keyed by the schema files' digest, and reused.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../common/atomic.js';

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
  const schemas = Object.fromEntries(Object.entries(REFERENCED).map(([id, f]) => [id, JSON.parse(readFileSync(path.join(SCHEMA_DIR, f), 'utf8'))]));
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
  const fn = ajv.compile(JSON.parse(readFileSync(path.join(SCHEMA_DIR, MAIN), 'utf8')));
  return { fn, code: standalone(ajv, fn) };
}

function validator(): ValidateFn {
  if (compiled) return compiled;
  const h = createHash('sha256');
  for (const f of [MAIN, ...Object.values(REFERENCED)]) h.update(readFileSync(path.join(SCHEMA_DIR, f)));
  const file = path.join(cacheDir(), `cyclonedx-1.6-${h.digest('hex').slice(0, 16)}.cjs`);
  try {
    compiled = load(readFileSync(file, 'utf8'));
    return compiled;
  } catch {
    // Not cached yet (or unreadable): compile and try to keep it.
  }
  const { fn, code } = compile();
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, code);
  } catch {
    // A cache that cannot be written only costs time.
  }
  compiled = fn;
  return fn;
}

/** Schema errors of a CycloneDX 1.6 JSON document, or null when it is valid. */
export function schemaErrors(doc: unknown): unknown[] | null {
  const v = validator();
  return v(doc) ? null : (v.errors ?? [{ message: 'invalid' }]);
}
