/**
 * `npm run fuzz [-- --inputs N] [-- --only NAME]`: runs generated and mutated
 * inputs through every parser that reads untrusted bytes and reports, per
 * parser, inputs per second, crashes (any exception), and the slowest input
 * relative to its size. Seeds come from the real corpus and from real package
 * metadata on this machine. A crash prints the input (as JSON) to reproduce it;
 * each one found becomes a regression test.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { dumpTree, expandWord, lookupFrom, parseDockerfile } from '../grammar/dockerfile/index.js';
import { buildIR } from '../src/ir/index.js';
import { loadCorpus } from './corpus.js';

export interface FuzzTarget {
  name: string;
  /** Real inputs to mutate. */
  seeds: () => string[] | Buffer[];
  /** Extra random inputs of the target's own shape. */
  generator?: fc.Arbitrary<string>;
  run: (input: string | Buffer) => void;
}

const args = process.argv.slice(2);
const argValue = (flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const INPUTS = Number(argValue('--inputs') ?? 1_000_000);
const ONLY = argValue('--only');
const SEED = Number(argValue('--seed') ?? 42);

/** A deterministic xorshift PRNG, so a run can be repeated exactly. */
function rng(seed: number): () => number {
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

const SPLICE = ['\\\n', '`\n', '\n', '<<EOF\n', 'EOF\n', '"', "'", '$', '${', '}', '[', ']', '#', '\0', '\r\n', '\u00a0', '\ufeff', '\xff', '--', '=', ' ', '\t', '&&', '|'];

function mutateText(seed: string, r: () => number, donors: readonly string[]): string {
  let s = seed;
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (s.length + 1));
    switch (Math.floor(r() * 6)) {
      case 0: // delete a span
        s = s.slice(0, at) + s.slice(at + Math.floor(r() * 16));
        break;
      case 1: // insert a token that matters to parsers
        s = s.slice(0, at) + SPLICE[Math.floor(r() * SPLICE.length)]! + s.slice(at);
        break;
      case 2: // duplicate a span
        s = s.slice(0, at) + s.slice(at, at + Math.floor(r() * 64)) + s.slice(at);
        break;
      case 3: {
        // splice in a piece of another seed
        const d = donors[Math.floor(r() * donors.length)]!;
        const from = Math.floor(r() * d.length);
        s = s.slice(0, at) + d.slice(from, from + Math.floor(r() * 80)) + s.slice(at);
        break;
      }
      case 4: // truncate
        s = s.slice(0, at);
        break;
      default: // replace one character with a random code unit
        s = s.slice(0, at) + String.fromCharCode(Math.floor(r() * 0x3000)) + s.slice(at + 1);
    }
  }
  return s;
}

function mutateBytes(seed: Buffer, r: () => number, donors: readonly Buffer[]): Buffer {
  const text = mutateText(seed.toString('latin1'), r, donors.map((d) => d.toString('latin1')));
  return Buffer.from(text, 'latin1');
}

export interface FuzzReport {
  name: string;
  inputs: number;
  seconds: number;
  perSecond: number;
  crashes: Array<{ input: string; error: string }>;
  slowest: { nsPerByte: number; bytes: number; ms: number };
}

export function fuzz(target: FuzzTarget, inputs: number, seed: number): FuzzReport {
  const seeds = target.seeds();
  const r = rng(seed);
  const generated = target.generator ? fc.sample(target.generator, { numRuns: Math.min(10_000, Math.ceil(inputs / 10)), seed }) : [];
  const crashes: FuzzReport['crashes'] = [];
  let slowest = { nsPerByte: 0, bytes: 0, ms: 0 };
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < inputs; i++) {
    let input: string | Buffer;
    if (generated.length && i % 10 === 0) input = generated[(i / 10) % generated.length]!;
    else if (seeds.length === 0) input = '';
    else {
      const s = seeds[Math.floor(r() * seeds.length)]!;
      input = typeof s === 'string' ? mutateText(s, r, seeds as string[]) : mutateBytes(s, r, seeds as Buffer[]);
    }
    const s0 = process.hrtime.bigint();
    try {
      target.run(input);
    } catch (e) {
      if (crashes.length < 20) crashes.push({ input: JSON.stringify(typeof input === 'string' ? input : input.toString('latin1')), error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
    const ns = Number(process.hrtime.bigint() - s0);
    const bytes = Math.max(input.length, 64); // tiny inputs are all fixed overhead
    if (ns / bytes > slowest.nsPerByte) slowest = { nsPerByte: ns / bytes, bytes: input.length, ms: ns / 1e6 };
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { name: target.name, inputs, seconds, perSecond: inputs / seconds, crashes, slowest };
}

function corpusSeeds(): string[] {
  return loadCorpus().map((f) => f.text);
}

/** RUN bodies and ENV values of the corpus: the texts the word lexer sees. */
function wordSeeds(): string[] {
  const out: string[] = [];
  for (const text of corpusSeeds()) {
    const p = parseDockerfile(text);
    if (!p.ok) continue;
    for (const ins of p.tree.instructions) out.push(...ins.args.filter((a) => a.length < 400));
  }
  return out;
}

export const targets: FuzzTarget[] = [
  {
    name: 'dockerfile',
    seeds: corpusSeeds,
    run: (input) => {
      const out = parseDockerfile(String(input), 'fuzz');
      if (out.ok) {
        dumpTree(out.tree);
        buildIR(out.tree);
      }
    },
  },
  {
    name: 'word-expansion',
    seeds: wordSeeds,
    run: (input) => {
      const env = lookupFrom({ a: 'x y', HOME: '/root', v: '' });
      expandWord(String(input), env, { escape: '\\' });
      expandWord(String(input), env, { escape: '`', rawQuotes: true, skipUnsetEnv: true });
    },
  },
];

export function readSeedFiles(dir: string, match: RegExp, limit = 500): Buffer[] {
  if (!existsSync(dir)) return [];
  const out: Buffer[] = [];
  for (const f of readdirSync(dir)) {
    if (out.length >= limit) break;
    if (match.test(f)) out.push(readFileSync(path.join(dir, f)));
  }
  return out;
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]).endsWith(path.join('bench', 'fuzz.js'));
if (isMain) {
  let failed = false;
  console.log(`fuzz: ${INPUTS} inputs per parser, seed ${SEED}`);
  for (const t of targets) {
    if (ONLY && t.name !== ONLY) continue;
    const r = fuzz(t, INPUTS, SEED);
    console.log(
      `  ${r.name.padEnd(16)} ${r.inputs} inputs in ${r.seconds.toFixed(1)} s = ${Math.round(r.perSecond)}/s, crashes ${r.crashes.length}, slowest ${r.slowest.nsPerByte.toFixed(0)} ns/B (${r.slowest.bytes} B in ${r.slowest.ms.toFixed(2)} ms)`,
    );
    for (const c of r.crashes) console.log(`    CRASH ${c.error}\n      input: ${c.input.slice(0, 500)}`);
    if (r.crashes.length) failed = true;
  }
  process.exitCode = failed ? 1 : 0;
}
