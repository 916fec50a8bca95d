/**
 * `npm run fuzz [-- --inputs N] [--only a,b] [--seed S] [--jobs J] [--json FILE]`
 *
 * Runs generated and mutated inputs through every parser that reads untrusted
 * bytes (bench/fuzz-targets.ts: both grammars and every package-database
 * parser) and reports, per parser: inputs per second, crashes, and the slowest
 * input relative to its size (ns per byte; inputs under 64 bytes count as 64,
 * since those are all fixed overhead). The slowest eight by first timing are
 * timed again three times each and the best time counts, so a GC pause or a
 * busy machine does not pass for a slow input.
 *
 * Each parser runs in its own worker thread, `--jobs` at a time (default: the
 * number of CPUs). A worker that makes no progress for `--hang-seconds`
 * (default 10) is stopped and the input it was stuck on is reported as a hang.
 * Crash, hang and slowest inputs are written under .bench/fuzz/ so they can be
 * replayed; every crash found becomes a regression test
 * (test/fuzz/regressions.test.ts).
 *
 * `--minimize FILE --only TARGET` shrinks a saved crash input while it still
 * fails the same way and prints it ready for a regression test.
 *
 * Runs are deterministic: the same seed, inputs and seed files give the same
 * inputs in the same order.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { repoRoot } from './corpus.js';
import { targetNamed, targets, type FuzzTarget } from './fuzz-targets.js';

export type { FuzzTarget } from './fuzz-targets.js';
export { targets } from './fuzz-targets.js';

/** A deterministic xorshift PRNG, so a run can be repeated exactly. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

const SPLICE = [
  '\\\n',
  '`\n',
  '\n',
  '\n\n',
  '<<EOF\n',
  'EOF\n',
  '"',
  "'",
  '$',
  '${',
  '}',
  '[',
  ']',
  '{',
  '(',
  ')',
  '#',
  '\0',
  '\r\n',
  '\u00a0',
  '\ufeff',
  '\xff',
  '--',
  '=',
  ' ',
  '\t',
  '&&',
  '|',
  ':',
  ',',
  '\\',
  '%q<',
  '.freeze',
  '=>',
  'License: ',
  'Files: *\n',
  ' .\n',
  'P:',
  'F:',
  'R:',
];

const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)]!;

/** Edits text: deletions, parser-relevant insertions, duplications, splices from other seeds, truncation, random code units. */
export function mutateText(seed: string, r: () => number, donors: readonly string[]): string {
  let s = seed;
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (s.length + 1));
    switch (Math.floor(r() * 7)) {
      case 0:
        s = s.slice(0, at) + s.slice(at + Math.floor(r() * 16));
        break;
      case 1:
        s = s.slice(0, at) + pick(SPLICE, r) + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + s.slice(at, at + Math.floor(r() * 64)) + s.slice(at);
        break;
      case 3: {
        const d = pick(donors, r);
        const from = Math.floor(r() * d.length);
        s = s.slice(0, at) + d.slice(from, from + Math.floor(r() * 80)) + s.slice(at);
        break;
      }
      case 4:
        s = s.slice(0, at);
        break;
      case 5: // repeat a short span many times (deep nesting, long runs)
        s = s.slice(0, at) + s.slice(at, at + 1 + Math.floor(r() * 4)).repeat(1 + Math.floor(r() * 200)) + s.slice(at);
        break;
      default:
        s = s.slice(0, at) + String.fromCharCode(Math.floor(r() * 0x3000)) + s.slice(at + 1);
    }
  }
  return s;
}

const INTERESTING_32 = [
  0, 1, 2, 4, 8, 16, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
  0xfffffffe, 0xffffffff,
];

/** Edits bytes: bit flips, interesting integers (both byte orders), deletions, duplications, splices, truncation. */
export function mutateBytes(seed: Buffer, r: () => number, donors: readonly Buffer[]): Buffer {
  let b = Buffer.from(seed);
  const n = 1 + Math.floor(r() * 8);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (b.length + 1));
    switch (Math.floor(r() * 9)) {
      case 0:
        if (at < b.length) b[at] = b[at]! ^ (1 << Math.floor(r() * 8));
        break;
      case 1:
        if (at < b.length) b[at] = Math.floor(r() * 256);
        break;
      case 2:
        if (at + 4 <= b.length) {
          const v = pick(INTERESTING_32, r);
          if (r() < 0.5) b.writeUInt32BE(v, at);
          else b.writeUInt32LE(v, at);
        }
        break;
      case 3:
        if (at + 2 <= b.length) b.writeUInt16LE(pick(INTERESTING_32, r) & 0xffff, at);
        break;
      case 4:
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + Math.floor(r() * 64)))]);
        break;
      case 5:
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + 1 + Math.floor(r() * 128)), b.subarray(at)]);
        break;
      case 6: {
        const d = pick(donors, r);
        const from = Math.floor(r() * d.length);
        const chunk = d.subarray(from, from + 1 + Math.floor(r() * 256));
        // Overwrite in place half the time: structured binary formats keep their offsets.
        if (r() < 0.5 && at + chunk.length <= b.length) chunk.copy(b, at);
        else b = Buffer.concat([b.subarray(0, at), chunk, b.subarray(at)]);
        break;
      }
      case 7:
        b = b.subarray(0, at);
        break;
      default: {
        const text = Buffer.from(pick(SPLICE, r));
        b = Buffer.concat([b.subarray(0, at), text, b.subarray(at)]);
      }
    }
  }
  return b;
}

/** The inputs of one run, in order: every tenth generated (when the target has a generator), the rest mutated seeds. */
export class InputStream {
  private readonly seeds: Array<string | Buffer>;
  private readonly textDonors: string[];
  private readonly byteDonors: Buffer[];
  private readonly generated: Array<string | Buffer>;
  private readonly r: () => number;
  private i = 0;

  constructor(
    private readonly target: FuzzTarget,
    total: number,
    seed: number,
  ) {
    this.seeds = target.seeds();
    this.textDonors = this.seeds.map((s) => (typeof s === 'string' ? s : s.toString('utf8')));
    this.byteDonors = this.seeds.map((s) => (typeof s === 'string' ? Buffer.from(s) : s));
    this.generated = target.generator
      ? fc.sample(target.generator(), { numRuns: Math.max(1, Math.min(10_000, Math.ceil(total / 10))), seed })
      : [];
    this.r = rng(seed);
  }

  get seedCount(): number {
    return this.seeds.length;
  }

  next(): string | Buffer {
    const i = this.i++;
    if (this.generated.length && i % 10 === 0) return this.generated[(i / 10) % this.generated.length]!;
    if (this.seeds.length === 0) return this.target.kind === 'text' ? '' : Buffer.alloc(0);
    const s = pick(this.seeds, this.r);
    // Now and then an unmodified seed: the real inputs must pass too.
    if (this.r() < 0.01) return s;
    if (this.target.kind === 'text')
      return mutateText(typeof s === 'string' ? s : s.toString('utf8'), this.r, this.textDonors);
    return mutateBytes(typeof s === 'string' ? Buffer.from(s) : s, this.r, this.byteDonors);
  }
}

export interface FuzzFailure {
  index: number;
  error: string;
  /** The input, base64. */
  input: string;
}

export interface FuzzReport {
  name: string;
  inputs: number;
  seeds: number;
  seconds: number;
  perSecond: number;
  crashes: FuzzFailure[];
  crashCount: number;
  slowest: { nsPerByte: number; bytes: number; ms: number; index: number; input?: string };
}

export interface FuzzOptions {
  /** Called before each input with its index (the worker publishes it for the hang watchdog). */
  onInput?: (index: number) => void;
  /** Crash inputs kept in the report (all are counted). Default 20. */
  keep?: number;
}

const toBuffer = (x: string | Buffer): Buffer => (typeof x === 'string' ? Buffer.from(x, 'utf8') : x);

export function fuzz(target: FuzzTarget, inputs: number, seed: number, options: FuzzOptions = {}): FuzzReport {
  const stream = new InputStream(target, inputs, seed);
  const keep = options.keep ?? 20;
  const crashes: FuzzFailure[] = [];
  let crashCount = 0;
  // The slowest few by first timing; re-timed at the end, so a GC pause or a busy
  // machine does not make an ordinary input look slow.
  const candidates: Array<{ nsPerByte: number; index: number; input: string | Buffer }> = [];
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < inputs; i++) {
    const input = stream.next();
    options.onInput?.(i);
    const s0 = process.hrtime.bigint();
    try {
      target.run(input);
    } catch (e) {
      crashCount++;
      if (crashes.length < keep)
        crashes.push({
          index: i,
          error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
          input: toBuffer(input).toString('base64'),
        });
    }
    const ns = Number(process.hrtime.bigint() - s0);
    const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
    const perByte = ns / Math.max(size, 64);
    if (candidates.length < 8 || perByte > candidates[candidates.length - 1]!.nsPerByte) {
      candidates.push({ nsPerByte: perByte, index: i, input });
      candidates.sort((a, b) => b.nsPerByte - a.nsPerByte);
      if (candidates.length > 8) candidates.pop();
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  let slowest: FuzzReport['slowest'] = { nsPerByte: 0, bytes: 0, ms: 0, index: -1 };
  let slowestInput: string | Buffer = '';
  for (const c of candidates) {
    let best = Infinity;
    for (let k = 0; k < 3; k++) {
      const s0 = process.hrtime.bigint();
      try {
        target.run(c.input);
      } catch {
        // counted above
      }
      best = Math.min(best, Number(process.hrtime.bigint() - s0));
    }
    const size = typeof c.input === 'string' ? Buffer.byteLength(c.input) : c.input.length;
    const perByte = best / Math.max(size, 64);
    if (perByte > slowest.nsPerByte) {
      slowest = { nsPerByte: perByte, bytes: size, ms: best / 1e6, index: c.index };
      slowestInput = c.input;
    }
  }
  return {
    name: target.name,
    inputs,
    seeds: stream.seedCount,
    seconds,
    perSecond: inputs / seconds,
    crashes,
    crashCount,
    slowest: { ...slowest, input: toBuffer(slowestInput).toString('base64') },
  };
}

/** The input at `index` of a run, regenerated (for hangs, where the worker could not say). */
export function inputAt(target: FuzzTarget, inputs: number, seed: number, index: number): string | Buffer {
  const stream = new InputStream(target, inputs, seed);
  let x: string | Buffer = '';
  for (let i = 0; i <= index; i++) x = stream.next();
  return x;
}

/** How a crash reads, with numbers blanked: a smaller input must fail the same way. */
export function crashSignature(target: FuzzTarget, input: string | Buffer): string | undefined {
  try {
    target.run(input);
    return undefined;
  } catch (e) {
    return (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).replace(/\d+/g, 'N').slice(0, 200);
  }
}

/**
 * Shrinks a crashing input while it still crashes the same way: cuts the end,
 * then deletes chunks (text) or zeroes them (bytes, keeping offsets in binary
 * formats), halving the chunk size down to one unit, within `budget` runs.
 */
export function minimize(target: FuzzTarget, input: string | Buffer, budget = 20_000): string | Buffer {
  const want = crashSignature(target, input);
  if (!want) return input;
  let runs = 0;
  const fails = (x: string | Buffer) => (runs++, crashSignature(target, x) === want);
  let cur = input;
  // The shortest prefix that still fails (binary search; failing is not monotonic, so keep what works).
  let lo = 0;
  let hi = cur.length;
  while (lo < hi && runs < budget) {
    const mid = Math.floor((lo + hi) / 2);
    if (fails(cur.slice(0, mid))) hi = mid;
    else lo = mid + 1;
  }
  if (fails(cur.slice(0, hi))) cur = cur.slice(0, hi);
  for (let size = Math.max(1, Math.floor(cur.length / 2)); size >= 1 && runs < budget; size = Math.floor(size / 2)) {
    for (let at = 0; at < cur.length && runs < budget; at += size) {
      let next: string | Buffer;
      if (typeof cur === 'string') next = cur.slice(0, at) + cur.slice(at + size);
      else {
        const b = Buffer.from(cur);
        if (b.subarray(at, at + size).every((x) => x === 0)) continue;
        b.fill(0, at, Math.min(b.length, at + size));
        next = b;
      }
      if (fails(next)) {
        cur = next;
        if (typeof cur === 'string') at -= size;
      }
    }
  }
  return cur;
}

// ---- command line ----------------------------------------------------------------

interface WorkerJob {
  name: string;
  inputs: number;
  seed: number;
  progress: SharedArrayBuffer;
}

function workerMain(job: WorkerJob): void {
  const progress = new Int32Array(job.progress);
  const report = fuzz(targetNamed(job.name), job.inputs, job.seed, { onInput: (i) => Atomics.store(progress, 0, i) });
  parentPort!.postMessage(report);
}

function runInWorker(name: string, inputs: number, seed: number, hangMs: number): Promise<FuzzReport> {
  const progress = new SharedArrayBuffer(4);
  const view = new Int32Array(progress);
  Atomics.store(view, 0, -1);
  const worker = new Worker(fileURLToPath(import.meta.url), {
    workerData: { name, inputs, seed, progress } satisfies WorkerJob,
  });
  return new Promise((resolve, reject) => {
    let last = -2;
    let lastChange = Date.now();
    let settled = false;
    const watch = setInterval(() => {
      const now = Atomics.load(view, 0);
      if (now !== last) {
        last = now;
        lastChange = Date.now();
        return;
      }
      // Seed collection (index -1) may take a while (apt, rpmbuild); only inputs are timed.
      if (now >= 0 && Date.now() - lastChange > hangMs) {
        settled = true;
        clearInterval(watch);
        void worker.terminate();
        const input = inputAt(targetNamed(name), inputs, seed, now);
        resolve({
          name,
          inputs: now,
          seeds: 0,
          seconds: 0,
          perSecond: 0,
          crashes: [
            {
              index: now,
              error: `hang: no result after ${hangMs / 1000} s`,
              input: toBuffer(input).toString('base64'),
            },
          ],
          crashCount: 1,
          slowest: { nsPerByte: 0, bytes: 0, ms: 0, index: -1 },
        });
      }
    }, 250);
    worker.on('message', (r: FuzzReport) => {
      settled = true;
      clearInterval(watch);
      resolve(r);
    });
    worker.on('error', (e) => {
      clearInterval(watch);
      if (!settled) reject(e);
    });
    worker.on('exit', (code) => {
      clearInterval(watch);
      if (!settled) reject(new Error(`fuzz worker for ${name} exited with code ${code}`));
    });
  });
}

function save(dir: string, name: string, input: string): string {
  mkdirSync(dir, { recursive: true });
  const data = Buffer.from(input, 'base64');
  const file = path.join(dir, `${name}-${createHash('sha256').update(data).digest('hex').slice(0, 16)}.bin`);
  writeFileSync(file, data);
  return path.relative(process.cwd(), file);
}

function printable(input: string, max = 300): string {
  const s = Buffer.from(input, 'base64').toString('utf8');
  return JSON.stringify(s.length > max ? s.slice(0, max) + '…' : s);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const inputs = Number(value('--inputs') ?? 1_000_000);
  const seed = Number(value('--seed') ?? 42);
  const only = value('--only')?.split(',').filter(Boolean);
  const jobs = Math.max(1, Number(value('--jobs') ?? os.availableParallelism?.() ?? os.cpus().length));
  const hangMs = Number(value('--hang-seconds') ?? 10) * 1000;
  const jsonOut = value('--json');
  const toMinimize = value('--minimize');
  if (toMinimize) {
    if (only?.length !== 1) throw new Error('--minimize FILE needs --only TARGET');
    const t = targetNamed(only[0]!);
    const raw = readFileSync(toMinimize);
    const input = t.kind === 'text' ? raw.toString('utf8') : raw;
    const sig = crashSignature(t, input);
    if (!sig) throw new Error(`${toMinimize} does not crash ${t.name}`);
    const small = minimize(t, input);
    const data = typeof small === 'string' ? Buffer.from(small) : small;
    const out = toMinimize.replace(/(\.bin)?$/, '.min.bin');
    writeFileSync(out, data);
    console.log(
      `${t.name}: ${raw.length} -> ${data.length} bytes, still "${sig}"\n  ${out}\n  gzip+base64 (for a regression test): ${gzipSync(data, { level: 9 }).toString('base64')}`,
    );
    return;
  }
  if (!Number.isInteger(inputs) || inputs <= 0) throw new Error('--inputs takes a positive integer');
  for (const n of only ?? []) targetNamed(n);
  const chosen = targets.filter((t) => !only || only.includes(t.name));
  const outDir = path.join(repoRoot, '.bench', 'fuzz');
  console.log(
    `fuzz: ${inputs} inputs per parser, seed ${seed}, ${Math.min(jobs, chosen.length)} at a time: ${chosen.map((t) => t.name).join(', ')}`,
  );

  const reports: FuzzReport[] = [];
  const queue = [...chosen];
  const started = Date.now();
  await Promise.all(
    Array.from({ length: Math.min(jobs, queue.length) }, async () => {
      for (let t = queue.shift(); t; t = queue.shift()) {
        const r = await runInWorker(t.name, inputs, seed, hangMs);
        reports.push(r);
        const slowFile = r.slowest.input ? save(path.join(outDir, 'slowest'), r.name, r.slowest.input) : '';
        console.log(
          `  ${r.name.padEnd(17)} ${r.inputs} inputs (${r.seeds} seeds) in ${r.seconds.toFixed(1)} s = ${Math.round(r.perSecond)}/s, ` +
            `crashes ${r.crashCount}, slowest ${r.slowest.nsPerByte.toFixed(0)} ns/B (${r.slowest.bytes} B in ${r.slowest.ms.toFixed(2)} ms${slowFile ? `; ${slowFile}` : ''})`,
        );
        for (const c of r.crashes)
          console.log(
            `    CRASH #${c.index} ${c.error}\n      input ${printable(c.input)} saved as ${save(path.join(outDir, 'crashes'), r.name, c.input)}`,
          );
      }
    }),
  );
  reports.sort((a, b) => chosen.indexOf(targetNamed(a.name)) - chosen.indexOf(targetNamed(b.name)));
  const crashes = reports.reduce((n, r) => n + r.crashCount, 0);
  console.log(`\n| parser | inputs | inputs/s | crashes | slowest ns/B |\n|---|---:|---:|---:|---:|`);
  for (const r of reports)
    console.log(
      `| ${r.name} | ${r.inputs} | ${Math.round(r.perSecond)} | ${r.crashCount} | ${r.slowest.nsPerByte.toFixed(0)} (${r.slowest.bytes} B) |`,
    );
  console.log(`\n${reports.length} parsers, ${crashes} crashes, ${((Date.now() - started) / 1000).toFixed(0)} s wall`);
  if (jsonOut)
    writeFileSync(
      jsonOut,
      JSON.stringify(
        reports.map(({ crashes: c, slowest: { input: _i, ...slow }, ...rest }) => ({
          ...rest,
          slowest: slow,
          crashes: c.map(({ input: _x, ...k }) => k),
        })),
        null,
        2,
      ) + '\n',
    );
  process.exitCode = crashes ? 1 : 0;
}

if (!isMainThread && (workerData as WorkerJob | undefined)?.progress) workerMain(workerData as WorkerJob);
else {
  const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
  if (isMain) {
    main().catch((e: unknown) => {
      console.error(`fuzz: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 2;
    });
  }
}
