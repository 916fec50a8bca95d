/**
 * Schema validation of an SBOM, started early on another thread. Compiling
 * the CycloneDX 1.6 schema takes about as long as reading a whole image, so
 * the CLI starts it first and the compile runs while the image streams in;
 * validating the finished document is then quick. Where a worker thread
 * cannot start, validation runs in this thread (same library, same schema).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { validateCycloneDX } from '../sbom/cyclonedx.js';

export interface SbomValidator {
  /** Schema errors of the serialised document, or null when it is valid. */
  validate(json: string): Promise<unknown[] | null>;
  close(): Promise<void>;
}

// Runs in the worker: compile once at start, then answer one request per message.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const CDX = require(workerData.library);
const validator = new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6);
const ready = validator.validate('{"bomFormat":"CycloneDX","specVersion":"1.6","version":1}');
parentPort.on('message', async ({ id, json }) => {
  try {
    await ready;
    parentPort.postMessage({ id, errors: (await validator.validate(json)) ?? null });
  } catch (e) {
    parentPort.postMessage({ id, failure: String(e && e.stack || e) });
  }
});
`;

export function startValidator(): SbomValidator {
  let worker: Worker | undefined;
  try {
    const library = createRequire(import.meta.url).resolve('@cyclonedx/cyclonedx-library');
    worker = new Worker(WORKER, { eval: true, workerData: { library } });
    // An idle validator must not keep the process alive.
    worker.unref();
  } catch {
    worker = undefined;
  }
  if (!worker) {
    return { validate: (json) => validateCycloneDX(json), close: async () => undefined };
  }
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
      if (broken) return validateCycloneDX(json);
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
