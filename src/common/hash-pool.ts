/**
 * sha256 of files on a worker thread. A build hashes what each step wrote
 * while the next steps run; without SHA extensions that is ~0.4 GB/s of CPU,
 * and on the main thread every engine request in between would wait behind
 * it (a COPY right after a large RUN took three times as long). Where no
 * worker can start, the files are hashed here, one per turn of the event
 * loop.
 */
import { Worker } from 'node:worker_threads';
import { sha256OfFile } from './hash.js';

// CommonJS, evaluated: the same code runs from dist/ and from the TypeScript sources under test.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
function sha256(file) {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null)) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
parentPort.on('message', ({ id, files }) => {
  const sums = files.map((f) => {
    try {
      return sha256(f);
    } catch {
      return null;
    }
  });
  parentPort.postMessage({ id, sums });
});
`;

type Waiter = { resolve: (sums: Array<string | undefined>) => void; reject: (e: Error) => void };

let worker: Worker | null | undefined;
let nextId = 0;
const waiting = new Map<number, Waiter>();

function failAll(e: Error): void {
  for (const w of waiting.values()) w.reject(e);
  waiting.clear();
}

function getWorker(): Worker | null {
  if (worker !== undefined) return worker;
  try {
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.on('message', ({ id, sums }: { id: number; sums: Array<string | null> }) => {
      const waiter = waiting.get(id);
      waiting.delete(id);
      // Only outstanding work keeps the process alive.
      if (waiting.size === 0) w.unref();
      waiter?.resolve(sums.map((s) => s ?? undefined));
    });
    w.on('error', (e) => {
      worker = null;
      failAll(e);
    });
    w.on('exit', () => {
      worker = null;
      failAll(new Error('the hashing thread exited'));
    });
    w.unref();
    worker = w;
  } catch {
    worker = null;
  }
  return worker;
}

/**
 * Hex sha256 of each file, in order; undefined for one that cannot be read
 * (the caller reads it again where it can say which file and why).
 */
export async function sha256OfFiles(files: readonly string[]): Promise<Array<string | undefined>> {
  if (files.length === 0) return [];
  const w = getWorker();
  if (w) {
    const id = nextId++;
    const done = new Promise<Array<string | undefined>>((resolve, reject) => waiting.set(id, { resolve, reject }));
    w.ref();
    w.postMessage({ id, files });
    try {
      return await done;
    } catch {
      // The thread died: do it here.
    }
  }
  return hashHere(files);
}

async function hashHere(files: readonly string[]): Promise<Array<string | undefined>> {
  const sums: Array<string | undefined> = [];
  for (const f of files) {
    try {
      sums.push(sha256OfFile(f));
    } catch {
      sums.push(undefined);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return sums;
}
