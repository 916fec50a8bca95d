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
 * are checked in one pass that builds every item's canonical JSON once.
 *
 * With a cache directory, the digests of documents found valid are kept
 * (empty files named by sha256, per validator key, the newest 64): the same
 * document is not validated twice. The worker starts validating at once
 * while the caller's thread computes the digest and looks it up. A rebuild
 * from the cache writes the same bytes but for metadata.timestamp (the same
 * ones with SOURCE_DATE_EPOCH); a valid date-time there is left out of the
 * digest, anything else is not.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { keepNewest } from '../common/cache-dir.js';
import { timestampIn } from './timestamp.js';

export interface SbomValidator {
  /** Schema errors of the serialised document, or null when it is valid. */
  validate(json: string): Promise<unknown[] | null>;
  /** Validates a document and drops the result: the validator's code is then compiled for the real one (see sbom/warm.ts). */
  warm(json: string): void;
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

// Whether every item has its own scalar fingerprint: an item's JSON type and scalar value, or an
// object's scalar properties (sorted by key). Equal items have equal fingerprints, so distinct
// fingerprints prove the items distinct; false says nothing.
function scalarsDiffer(items) {
  const seen = new Set();
  for (const item of items) {
    let print;
    if (item === null || typeof item !== 'object') print = JSON.stringify(item);
    else if (Array.isArray(item)) return false;
    else {
      const names = Object.keys(item).sort();
      print = '{';
      for (const k of names) {
        const v = item[k];
        if (v === null || typeof v !== 'object') print += JSON.stringify(k) + ':' + JSON.stringify(v) + ',';
      }
    }
    if (seen.has(print)) return false;
    seen.add(print);
  }
  return true;
}

// Arrays under the schema's unique keys holding two equal items, reported as Ajv would. Items of
// such arrays are compared by canonical JSON (object keys sorted: equal strings for values JSON
// Schema calls equal), built once per node from its children's, so nested unique arrays reuse what
// their items already made; what no unique array holds is only walked.
function duplicateItems(doc, keys) {
  const errors = [];
  const at = [];
  // Object keys repeat from item to item: each is quoted once.
  const quotedKeys = new Map();
  // Returns the node's canonical JSON when \`need\` (an enclosing array is unique), else undefined.
  const visit = (node, key, need) => {
    if (Array.isArray(node)) {
      let unique = key !== undefined && keys.has(key) && node.length > 1;
      // Items that differ already in their scalar fields (a component's bom-ref) differ: then no item
      // needs its canonical JSON (the document's components array would be most of the document).
      if (unique && !need && scalarsDiffer(node)) unique = false;
      const inner = need || unique;
      // An array's own findings come before its items' (the order of a walk from the top).
      const mark = errors.length;
      const items = new Array(node.length);
      for (let i = 0; i < node.length; i++) {
        at.push(i);
        items[i] = visit(node[i], undefined, inner);
        at.pop();
      }
      if (unique) {
        const seen = new Map();
        const own = [];
        for (let i = 0; i < items.length; i++) {
          const first = seen.get(items[i]);
          if (first === undefined) seen.set(items[i], i);
          else own.push({ instancePath: at.map((s) => '/' + s).join(''), keyword: 'uniqueItems', params: { i: first, j: i }, message: 'must NOT have duplicate items (items ## ' + first + ' and ' + i + ' are identical)' });
        }
        if (own.length) errors.splice(mark, 0, ...own);
      }
      return need ? '[' + items.join(',') + ']' : undefined;
    }
    if (node !== null && typeof node === 'object') {
      const names = Object.keys(node);
      if (!need) {
        for (const k of names) {
          at.push(k);
          visit(node[k], k, false);
          at.pop();
        }
        return undefined;
      }
      names.sort();
      let out = '{';
      for (let i = 0; i < names.length; i++) {
        const k = names[i];
        at.push(k);
        let quoted = quotedKeys.get(k);
        if (quoted === undefined) quotedKeys.set(k, (quoted = JSON.stringify(k) + ':'));
        out += (i ? ',' : '') + quoted + visit(node[k], k, true);
        at.pop();
      }
      return out + '}';
    }
    return need ? JSON.stringify(node) ?? 'null' : undefined;
  };
  visit(doc, undefined, false);
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

const ready = (async () => load())();
ready.then((r) => parentPort.postMessage({ valid: r.valid || null }), () => parentPort.postMessage({ valid: null }));
// flag[0]: 0 while the caller looks the document up among those found valid before, 1 found (nothing
// to do), 2 not found.
parentPort.on('message', async ({ id, json, flag, warm }) => {
  if (warm) {
    try {
      const { validate, keys } = await ready;
      const doc = JSON.parse(json);
      if (validate(doc)) duplicateItems(doc, keys);
    } catch { /* only a warm-up */ }
    return;
  }
  try {
    const { validate, keys } = await ready;
    if (Atomics.load(flag, 0) === 1) return parentPort.postMessage({ id, errors: null });
    const doc = JSON.parse(json);
    if (Atomics.load(flag, 0) === 1) return parentPort.postMessage({ id, errors: null });
    const errors = validate(doc) ? duplicateItems(doc, keys) : validate.errors;
    parentPort.postMessage({ id, errors: errors && errors.length ? errors : null });
  } catch (e) {
    parentPort.postMessage({ id, failure: String((e && e.stack) || e) });
  }
});
`;

/**
 * The name a document found valid is remembered by: the sha256 of its text
 * without metadata.timestamp when that is a valid date-time (a rebuild from
 * the cache writes the same document but for the time it was made), else of
 * the whole text.
 */
export function validDocumentDigest(json: string): string {
  const head = timestampIn(json);
  let text = json;
  if (head) {
    const t = new Date(head.value);
    if (!Number.isNaN(t.getTime()) && t.toISOString().slice(0, 19) === head.value.slice(0, 19))
      text = head.replacedBy('TIMESTAMP');
  }
  return createHash('sha256').update(text).digest('hex');
}

/** In this thread: the SBOM writer's validator, loaded only when it is needed. */
async function validateHere(json: string): Promise<unknown[] | null> {
  const { validateCycloneDX } = await import('./cyclonedx.js');
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
  if (!worker) return { validate: validateHere, warm: () => undefined, close: async () => undefined };
  const w = worker;
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown[] | null) => void; reject: (e: Error) => void }>();
  let broken: Error | undefined;
  // Where documents found valid are remembered, once the worker has loaded (none: not remembered).
  let knowValid: (dir: string | undefined) => void = () => undefined;
  const validDir = new Promise<string | undefined>((resolve) => (knowValid = resolve));
  w.on('message', (m: { id: number; errors?: unknown[] | null; failure?: string } | { valid: string | null }) => {
    if ('valid' in m) return knowValid(m.valid ?? undefined);
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.failure) p.reject(new Error(`SBOM validation failed: ${m.failure}`));
    else p.resolve(m.errors ?? null);
  });
  w.on('error', (e) => {
    broken = e;
    knowValid(undefined);
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  });
  return {
    async validate(json) {
      if (broken) return validateHere(json);
      const id = next++;
      w.ref();
      // The worker starts on the document at once; this thread meanwhile looks for it among those
      // found valid before, and tells the worker through `flag` when it need not go on.
      const flag = new Int32Array(new SharedArrayBuffer(4));
      const answer = new Promise<unknown[] | null>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.postMessage({ id, json, flag });
      }).finally(() => {
        if (pending.size === 0) w.unref();
      });
      answer.catch(() => undefined); // awaited below unless the memo answers
      const dir = await validDir;
      const marker = dir && path.join(dir, validDocumentDigest(json));
      if (marker && existsSync(marker)) {
        Atomics.store(flag, 0, 1);
        return null;
      }
      Atomics.store(flag, 0, 2);
      const errors = await answer;
      if (marker && !errors) {
        try {
          mkdirSync(dir, { recursive: true });
          writeFileSync(marker, '');
          keepNewest(dir, KEEP_VALID);
        } catch {
          // Only costs the next run time.
        }
      }
      return errors;
    },
    warm(json) {
      if (!broken) w.postMessage({ warm: true, json });
    },
    async close() {
      await w.terminate();
    },
  };
}

/** Documents remembered as valid (empty files, one per digest). */
const KEEP_VALID = 64;

let shared: SbomValidator | undefined;

/** Schema errors of a CycloneDX 1.6 document, or null when it is valid, through one validator shared by the process. */
export async function schemaErrors(doc: unknown, cacheDir?: string): Promise<unknown[] | null> {
  shared ??= startValidator(cacheDir);
  return shared.validate(typeof doc === 'string' ? doc : JSON.stringify(doc));
}
