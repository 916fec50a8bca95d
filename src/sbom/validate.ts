/**
 * Schema validation of an SBOM, started early on another thread.
 *
 * Compiling the CycloneDX 1.6 schema (what `validateCycloneDX` does on every
 * call) costs more CPU than reading a whole image from the layer cache. So
 * the CLI starts the validator first, on a worker thread, with the library's
 * own schema files and Ajv setup, and keeps the compiled validator as Ajv
 * "standalone" code in the cache directory: later runs load it instead of
 * compiling. The cache key covers the schema files and the versions of the
 * library, Ajv and its format packages, so a changed schema is never
 * validated with stale code. Where no worker can start, validation runs
 * through `validateCycloneDX` in this thread.
 *
 * `uniqueItems` is checked by us, not by Ajv: Ajv compares every pair of
 * items (quadratic: 10,000 components took 100 s, 100,000 would take hours).
 * The schema is compiled without it, and the arrays the schema marks unique
 * are checked in one pass over digests of their items' canonical JSON.
 *
 * With a cache directory, the digests of documents found valid are kept
 * (empty files named by sha256, per validator key): the same document is not
 * validated twice. A rebuild from the cache writes the same bytes but for
 * metadata.timestamp (the same ones with SOURCE_DATE_EPOCH); a valid
 * date-time there is left out of the digest, anything else is not.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { TIMESTAMP_HEAD } from './timestamp.js';

export interface SbomValidator {
  /** Schema errors of the serialised document, or null when it is valid. */
  validate(json: string): Promise<unknown[] | null>;
  close(): Promise<void>;
}

/** Bumped when the generated code's shape changes. */
const GENERATOR = 2;

// Runs in the worker (CommonJS): load or compile the validator, then answer one request per message.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { modules, cacheDir, generator } = workerData;

// The exact setup of @cyclonedx/cyclonedx-library's JsonStrictValidator for 1.6 (its __jsonValidators/ajv.js).
const AJV_OPTIONS = { useDefaults: false, strict: false, strictSchema: false, addUsedSchema: false };
function addFormats(ajv) {
  require(modules.ajvFormats.main).default(ajv);
  require(modules.ajvFormats2019.main)(ajv, { formats: ['idn-email'] });
  ajv.addFormat('iri-reference', true);
}

// A copy of a schema without uniqueItems; the property names that had it are added to keys.
function withoutUniqueItems(schema, keys) {
  const strip = (node, key) => {
    if (Array.isArray(node)) return node.map((n) => strip(n, key));
    if (!node || typeof node !== 'object') return node;
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'uniqueItems') { if (v === true && key) keys.add(key); continue; }
      if (k === 'properties' && v && typeof v === 'object' && !Array.isArray(v)) {
        out[k] = Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, strip(pv, pk)]));
      } else out[k] = strip(v, key);
    }
    return out;
  };
  return strip(schema, undefined);
}

// JSON with object keys sorted: equal strings for values JSON Schema calls equal.
function canonical(v) {
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  if (v && typeof v === 'object') {
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonical(v[k])).join(',') + '}';
  }
  return JSON.stringify(v) ?? 'null';
}

// Arrays under the schema's unique keys holding two equal items, reported as Ajv would.
function duplicateItems(doc, keys) {
  const errors = [];
  const walk = (node, at, key) => {
    if (Array.isArray(node)) {
      if (key && keys.has(key) && node.length > 1) {
        const seen = new Map();
        node.forEach((item, i) => {
          const d = crypto.createHash('sha256').update(canonical(item)).digest('base64');
          const first = seen.get(d);
          if (first === undefined) seen.set(d, i);
          else errors.push({ instancePath: at, keyword: 'uniqueItems', params: { i: first, j: i }, message: 'must NOT have duplicate items (items ## ' + first + ' and ' + i + ' are identical)' });
        });
      }
      node.forEach((item, i) => walk(item, at + '/' + i, undefined));
      return;
    }
    if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, at + '/' + k, k);
  };
  walk(doc, '', undefined);
  return errors;
}

function load() {
  // The library's resource table alone (loading all of the library only for it would double the start-up).
  let F;
  try { F = require(path.join(modules.library.dir, 'dist.node', 'resources.node.js')).FILES; }
  catch { F = require(modules.library.main)._Resources.FILES; }
  const files = {
    schema: F.CDX.JSON_STRICT_SCHEMA['1.6'],
    'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json': F.SPDX.JSON_SCHEMA,
    'http://cyclonedx.org/schema/cryptography-defs.SNAPSHOT.schema.json': F.CryptoDefs.JSON_SCHEMA,
    'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json': F.JSF.JSON_SCHEMA,
  };
  const texts = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, fs.readFileSync(f, 'utf8')]));
  const h = crypto.createHash('sha256').update(String(generator));
  for (const m of [modules.library, modules.ajv, modules.ajvFormats, modules.ajvFormats2019]) {
    h.update(fs.readFileSync(path.join(m.dir, 'package.json')));
  }
  for (const k of Object.keys(texts).sort()) h.update(k).update(texts[k]);
  const key = h.digest('hex').slice(0, 32);
  const keys = new Set();
  const schemas = Object.fromEntries(Object.entries(texts).map(([k, t]) => [k, withoutUniqueItems(JSON.parse(t), keys)]));
  const code = cacheDir && path.join(cacheDir, 'validators', 'cyclonedx-1.6-' + key + '.cjs');
  // Documents this validator found valid, by digest (a rebuild from the cache writes the same one again).
  const valid = cacheDir && path.join(cacheDir, 'validators', 'valid-' + key);
  if (code && fs.existsSync(code)) {
    try { return { validate: require(code), keys, valid }; } catch { /* unreadable: compile again */ }
  }
  const Ajv = require(modules.ajv.main).default;
  const { _ } = require(modules.ajv.main);
  const main = schemas.schema;
  delete schemas.schema;
  const formatsFile = code && code.replace(/\\.cjs$/, '.formats.cjs');
  const ajv = new Ajv({ ...AJV_OPTIONS, schemas, ...(code ? { code: { source: true, formats: _\`require(\${formatsFile})\` } } : {}) });
  addFormats(ajv);
  const validate = ajv.compile(main);
  if (code) {
    try {
      const standalone = require(path.join(modules.ajv.dir, 'dist', 'standalone')).default;
      // Generated code names Ajv's runtime helpers by package name; pin them to this installation.
      const src = standalone(ajv, validate).replace(/require\\("ajv\\/dist\\//g, 'require(' + JSON.stringify(modules.ajv.dir + '/dist/').slice(0, -1));
      const formats = 'const Ajv = require(' + JSON.stringify(modules.ajv.main) + ').default;\\n' +
        'const ajv = new Ajv(' + JSON.stringify(AJV_OPTIONS) + ');\\n' +
        'require(' + JSON.stringify(modules.ajvFormats.main) + ').default(ajv);\\n' +
        'require(' + JSON.stringify(modules.ajvFormats2019.main) + ')(ajv, { formats: ["idn-email"] });\\n' +
        'ajv.addFormat("iri-reference", true);\\nmodule.exports = ajv.formats;\\n';
      fs.mkdirSync(path.dirname(code), { recursive: true });
      for (const [file, text] of [[formatsFile, formats], [code, src]]) {
        const tmp = file + '.' + process.pid + '.tmp';
        fs.writeFileSync(tmp, text);
        fs.renameSync(tmp, file);
      }
    } catch { /* a cache that cannot be written only costs the next run time */ }
  }
  return { validate, keys, valid };
}

// A rebuild from the cache writes the same document but for the time it was made: metadata.timestamp,
// near the top, where our writer puts it. When that value is a valid date-time, the document is
// remembered without it; any other difference means validating again.
const HEAD = new RegExp(${JSON.stringify(TIMESTAMP_HEAD.source)});
function withoutTimestamp(json) {
  const m = HEAD.exec(json.slice(0, 1024));
  if (!m) return json;
  const t = new Date(m[2]);
  if (Number.isNaN(t.getTime()) || t.toISOString().slice(0, 19) !== m[2].slice(0, 19)) return json;
  return m[1] + 'TIMESTAMP' + json.slice(m[0].length - 1);
}

const ready = (async () => load())();
ready.catch(() => undefined);
parentPort.on('message', async ({ id, json }) => {
  try {
    const { validate, keys, valid } = await ready;
    const marker = valid && path.join(valid, crypto.createHash('sha256').update(withoutTimestamp(json)).digest('hex'));
    if (marker && fs.existsSync(marker)) {
      parentPort.postMessage({ id, errors: null });
      return;
    }
    const doc = JSON.parse(json);
    const errors = validate(doc) ? duplicateItems(doc, keys) : validate.errors;
    if (marker && !(errors && errors.length)) {
      try {
        fs.mkdirSync(valid, { recursive: true });
        fs.writeFileSync(marker, '');
      } catch { /* only costs the next run time */ }
    }
    parentPort.postMessage({ id, errors: errors && errors.length ? errors : null });
  } catch (e) {
    parentPort.postMessage({ id, failure: String((e && e.stack) || e) });
  }
});
`;

/** In this thread: the SBOM writer's validator, loaded only when it is needed. */
async function validateHere(json: string): Promise<unknown[] | null> {
  const { validateCycloneDX } = await import('../sbom/cyclonedx.js');
  return validateCycloneDX(json);
}

interface ModuleRef {
  main: string;
  dir: string;
}

function moduleRef(req: NodeJS.Require, name: string): ModuleRef {
  const main = req.resolve(name);
  const pkg = req.resolve(`${name}/package.json`);
  return { main, dir: path.dirname(pkg) };
}

/** Starts compiling (or loading) the validator; `cacheDir` undefined: never read or write compiled code. */
export function startValidator(cacheDir?: string): SbomValidator {
  let worker: Worker | undefined;
  try {
    const req = createRequire(import.meta.url);
    // The library resolves its own dependencies; Ajv and the format packages are taken where it takes them.
    const library = moduleRef(req, '@cyclonedx/cyclonedx-library');
    const libReq = createRequire(library.main);
    const modules = {
      library,
      ajv: moduleRef(libReq, 'ajv'),
      ajvFormats: moduleRef(libReq, 'ajv-formats'),
      ajvFormats2019: moduleRef(libReq, 'ajv-formats-draft2019'),
    };
    worker = new Worker(WORKER, { eval: true, workerData: { modules, cacheDir, generator: GENERATOR } });
    // An idle validator must not keep the process alive.
    worker.unref();
  } catch {
    worker = undefined;
  }
  if (!worker) return { validate: validateHere, close: async () => undefined };
  const w = worker;
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown[] | null) => void; reject: (e: Error) => void }>();
  let broken: Error | undefined;
  w.on('message', (m: { id: number; errors?: unknown[] | null; failure?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.failure) p.reject(new Error(`SBOM validation failed: ${m.failure}`));
    else p.resolve(m.errors ?? null);
  });
  w.on('error', (e) => {
    broken = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  });
  return {
    validate(json) {
      if (broken) return validateHere(json);
      const id = next++;
      w.ref();
      return new Promise<unknown[] | null>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.postMessage({ id, json });
      }).finally(() => {
        if (pending.size === 0) w.unref();
      });
    },
    async close() {
      await w.terminate();
    },
  };
}

let shared: SbomValidator | undefined;

/** Schema errors of a CycloneDX 1.6 document, or null when it is valid, through one validator shared by the process. */
export async function schemaErrors(doc: unknown, cacheDir?: string): Promise<unknown[] | null> {
  shared ??= startValidator(cacheDir);
  return shared.validate(typeof doc === 'string' ? doc : JSON.stringify(doc));
}
