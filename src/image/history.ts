/**
 * Image history -> Dockerfile instructions. An image records one history
 * entry per instruction that built it, with the command in `created_by`, but
 * each builder writes it its own way:
 *
 *   legacy builder   /bin/sh -c apt-get update && ...                 (RUN)
 *                    |2 A=1 B=2 /bin/sh -c make                        (RUN with build args)
 *                    /bin/sh -c #(nop) COPY file:<hash> in /usr/bin/x  (COPY / ADD)
 *                    /bin/sh -c #(nop)  CMD ["hello"]                  (config instructions)
 *   BuildKit         RUN /bin/sh -c apt-get update && ... # buildkit
 *                    COPY hello.sh /usr/local/bin/hello # buildkit
 *                    CMD ["hello"]
 *
 * Entries are matched to the Dockerfile's ops in order (a weighted longest
 * common subsequence): a match on the instruction and its content is strong,
 * on the instruction alone weak. What matches neither way is reported.
 */
import type { ImageHistoryEntry } from '../engine/types.js';
import type { Op } from '../lower/types.js';

export type Builder = 'legacy' | 'buildkit' | 'unknown';

export interface ParsedHistory {
  builder: Builder;
  /** The instruction keyword (RUN, COPY, ENV, ...), upper case; '' when the entry names none. */
  keyword: string;
  /** What follows the keyword (for RUN: the command, build-arg prefix removed). */
  text: string;
  /** RUN entries: the `|N K=V ...` build-arg prefix was present (its values may hold spaces). */
  buildArgs: boolean;
}

const KEYWORDS = new Set([
  'RUN',
  'COPY',
  'ADD',
  'ENV',
  'LABEL',
  'CMD',
  'ENTRYPOINT',
  'EXPOSE',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
  'MAINTAINER',
]);

/** Removes the legacy builder's `|N K=V ...` build-arg prefix (best effort: a value may contain spaces). */
function stripBuildArgs(s: string): { text: string; found: boolean } {
  const m = /^\|(\d+)\s+/.exec(s);
  if (!m) return { text: s, found: false };
  let rest = s.slice(m[0].length);
  for (let i = 0; i < Number(m[1]); i++) rest = rest.replace(/^\S+\s*/, '');
  return { text: rest, found: true };
}

export function parseCreatedBy(createdBy: string | undefined): ParsedHistory {
  let s = (createdBy ?? '').trim();
  if (!s) return { builder: 'unknown', keyword: '', text: '', buildArgs: false };
  let builder: Builder = 'unknown';
  if (/\s#\s*buildkit$/.test(s)) {
    s = s.replace(/\s#\s*buildkit$/, '').trim();
    builder = 'buildkit';
  }
  const nop = /^\/bin\/sh -c #\(nop\)\s+(\S+)\s*([\s\S]*)$/.exec(s);
  if (nop) return { builder: 'legacy', keyword: nop[1]!.toUpperCase(), text: nop[2]!.trim(), buildArgs: false };
  const first = /^(\S+)\s*([\s\S]*)$/.exec(s)!;
  if (KEYWORDS.has(first[1]!)) {
    const keyword = first[1]!;
    if (keyword === 'RUN') {
      const { text, found } = stripBuildArgs(first[2]!);
      return { builder: builder === 'unknown' ? 'buildkit' : builder, keyword, text, buildArgs: found };
    }
    return { builder: builder === 'unknown' ? 'buildkit' : builder, keyword, text: first[2]!, buildArgs: false };
  }
  // The legacy builder writes a RUN as the command line itself (shell and all).
  const { text, found } = stripBuildArgs(s);
  return { builder: builder === 'unknown' ? 'legacy' : builder, keyword: 'RUN', text, buildArgs: found };
}

/** An op of the Dockerfile the image history may record. */
export interface ExpectedOp {
  op: Op;
  stage: number;
  /** The instruction as written, continuation lines joined. */
  instruction: string;
}

export type Strength = 'strong' | 'weak';

const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();
const tokens = (s: string): string[] => s.split(/[\s"'[\],=]+/).filter(Boolean);
const sameTokens = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** The instruction's arguments as written (what follows the keyword and its flags are kept). */
function argsOf(e: ExpectedOp): string {
  return e.instruction.replace(/^\s*\S+\s*/, '');
}

function runCandidates(op: Extract<Op, { kind: 'exec' }>): string[] {
  if (op.command.form === 'exec') return [op.command.argv.join(' ')];
  return [[...op.shell, op.command.script].join(' '), op.command.script];
}

/** The destination a copy-like op writes, in the forms a builder may record it. */
function destCandidates(e: ExpectedOp): string[] {
  const op = e.op;
  const out: string[] = [];
  if ('dest' in op && typeof op.dest === 'string') out.push(op.dest, op.dest.replace(/(.)\/$/, '$1'));
  const words = argsOf(e).split(/\s+/).filter(Boolean);
  if (words.length) out.push(words[words.length - 1]!);
  return out;
}

/** How well a history entry records an op, if at all. */
export function matchStrength(h: ParsedHistory, e: ExpectedOp): Strength | undefined {
  const op = e.op;
  if (!h.keyword || h.keyword !== op.keyword.toUpperCase()) return undefined;
  switch (op.kind) {
    case 'base':
      return undefined;
    case 'exec': {
      const text = norm(h.text);
      for (const c of runCandidates(op).map(norm)) {
        if (text === c) return 'strong';
        if (h.buildArgs && text.endsWith(` ${c}`)) return 'strong';
      }
      return 'weak';
    }
    case 'copy':
    case 'fetch':
    case 'gitFetch':
    case 'extract': {
      // Legacy: "file:<hash> in <dest>"; BuildKit: the instruction's own words, destination last.
      const legacy = /\sin\s+(\S+)\s*$/.exec(h.text);
      const recorded = legacy ? legacy[1]! : (h.text.trim().split(/\s+/).pop() ?? '');
      return destCandidates(e).includes(recorded) ? 'strong' : 'weak';
    }
    case 'mkdir':
      return sameTokens(tokens(h.text), tokens(argsOf(e))) || sameTokens(tokens(h.text), [op.path]) ? 'strong' : 'weak';
    case 'config': {
      const got = tokens(h.text);
      const wanted = [tokens(argsOf(e))];
      if (op.patch.cmd) wanted.push(op.patch.cmd);
      if (op.patch.entrypoint) wanted.push(op.patch.entrypoint);
      return wanted.some((w) => sameTokens(got, w.flatMap(tokens))) ? 'strong' : 'weak';
    }
  }
}

export type AlignEvent =
  | { kind: 'match'; history: number; op: number; strength: Strength }
  /** A history entry no op accounts for. */
  | { kind: 'history'; history: number }
  /** An op no history entry records. */
  | { kind: 'op'; op: number };

const SCORE: Record<Strength, number> = { strong: 3, weak: 1 };

/**
 * Aligns history entries with ops, both in order, maximising the matches'
 * total weight. Among equally good alignments, matches go to the latest
 * history entries: a Dockerfile's instructions are the end of its image's
 * history, and the base image's own entries come first.
 */
export function alignHistory(history: readonly ParsedHistory[], ops: readonly ExpectedOp[]): AlignEvent[] {
  const n = history.length;
  const m = ops.length;
  const w = m + 1;
  const best = new Int32Array((n + 1) * w);
  const strength: (Strength | undefined)[] = new Array(n * m);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const s = matchStrength(history[i]!, ops[j]!);
      strength[i * m + j] = s;
      let v = Math.max(best[(i + 1) * w + j]!, best[i * w + j + 1]!);
      if (s) v = Math.max(v, SCORE[s] + best[(i + 1) * w + j + 1]!);
      best[i * w + j] = v;
    }
  }
  const out: AlignEvent[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    const here = best[i * w + j]!;
    const s = strength[i * m + j];
    if (best[(i + 1) * w + j] === here) out.push({ kind: 'history', history: i++ });
    else if (s && SCORE[s] + best[(i + 1) * w + j + 1]! === here)
      out.push({ kind: 'match', history: i++, op: j++, strength: s });
    else out.push({ kind: 'op', op: j++ });
  }
  while (i < n) out.push({ kind: 'history', history: i++ });
  while (j < m) out.push({ kind: 'op', op: j++ });
  return out;
}

/** Index of the layer each history entry produced (undefined for empty-layer entries); undefined when they disagree with the layer count. */
export function layersOfHistory(
  history: readonly ImageHistoryEntry[],
  layerCount: number,
): Array<number | undefined> | undefined {
  let next = 0;
  const out = history.map((h) => (h.emptyLayer ? undefined : next++));
  return next === layerCount ? out : undefined;
}
