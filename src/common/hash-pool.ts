/**
 * sha256 of files on worker threads. A build hashes what each step wrote
 * while the next steps run; without SHA extensions that is ~0.4 GB/s of CPU,
 * and on the main thread every engine request in between would wait behind
 * it (a COPY right after a large RUN took three times as long). Where no
 * worker can start, the files are hashed here, one per turn of the event
 * loop.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { sha256OfFile } from './hash.js';

// CommonJS, evaluated: the same code runs from dist/ and from the TypeScript sources under test,
// which is why it repeats common/hash.ts's loop instead of importing it.
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

/** Two threads: a build's CPU is mostly the engine's and this hashing; more would only contend. */
const THREADS = Math.min(2, availableParallelism());

interface HashThread {
  worker: Worker;
  waiting: Map<number, Waiter>;
}

/** Started as needed (each costs a Node environment's start-up, ~0.1 s of CPU); null once one failed to start or died. */
let threads: HashThread[] | null = [];
let nextId = 0;

function startThread(): HashThread {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  const t: HashThread = { worker, waiting: new Map() };
  const failAll = (e: Error) => {
    for (const w of t.waiting.values()) w.reject(e);
    t.waiting.clear();
    threads = null; // start no more work on threads; what is asked from now on is hashed here
  };
  worker.on('message', ({ id, sums }: { id: number; sums: Array<string | null> }) => {
    const waiter = t.waiting.get(id);
    t.waiting.delete(id);
    // Only outstanding work keeps the process alive.
    if (t.waiting.size === 0) worker.unref();
    waiter?.resolve(sums.map((x) => x ?? undefined));
  });
  worker.on('error', failAll);
  worker.on('exit', () => failAll(new Error('the hashing thread exited')));
  worker.unref();
  return t;
}

/** `n` threads (at most THREADS), started now where they are not yet. */
function getThreads(n: number): HashThread[] | null {
  try {
    while (threads && threads.length < Math.min(n, THREADS)) threads.push(startThread());
  } catch {
    threads = null;
  }
  return threads && threads.slice(0, Math.max(1, Math.min(n, THREADS)));
}

function onThread(t: HashThread, files: readonly string[]): Promise<Array<string | undefined>> {
  const id = nextId++;
  const done = new Promise<Array<string | undefined>>((resolve, reject) => t.waiting.set(id, { resolve, reject }));
  t.worker.ref();
  t.worker.postMessage({ id, files });
  return done;
}

/**
 * Hex sha256 of each file, in order; undefined for one that cannot be read
 * (the caller reads it again where it can say which file and why). On at
 * most `threadsAtMost` threads: fewer leave a core to what runs meanwhile.
 */
export async function sha256OfFiles(
  files: readonly string[],
  threadsAtMost = THREADS,
): Promise<Array<string | undefined>> {
  if (files.length === 0) return [];
  const pool = getThreads(threadsAtMost);
  if (pool) {
    // Dealt out in turn, so that each thread gets a share of the large files and the small.
    const shares = pool.map((_, i) => files.filter((_f, j) => j % pool.length === i));
    try {
      const sums = await Promise.all(
        pool.map((t, i) => (shares[i]!.length ? onThread(t, shares[i]!) : Promise.resolve([]))),
      );
      return files.map((_f, j) => sums[j % pool.length]![Math.floor(j / pool.length)]);
    } catch {
      // A thread died: do it here.
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
