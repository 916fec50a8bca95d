/**
 * Values rules derive from a file (RUN views, the stage history, FROM
 * expansions), computed once per file and shared between rules. They live on
 * the file's LintContext, so that they die with it.
 *
 * Not module-level maps or WeakMaps keyed by the file's objects: V8's
 * young-generation collector keeps alive whatever a table in the old
 * generation points to (a WeakMap's entries even when their keys are garbage,
 * a cleared Map's old table until a full collection), so such a cache makes
 * every young collection copy, then promote, the data of the files handled
 * since the last full one. On lint of the corpus that made scavenges about
 * ten times slower and grew the heap by the survivors of each.
 */
import type { LintContext } from './types.js';

/** The property of a runner-built LintContext that holds its memo. */
export const FILE_MEMO: unique symbol = Symbol('scannable.lint.fileMemo');

export interface WithFileMemo {
  readonly [FILE_MEMO]: Map<symbol, Map<unknown, unknown>>;
}

// Contexts built by hand (tests, other callers) have no memo of their own.
const others = new WeakMap<LintContext, Map<symbol, Map<unknown, unknown>>>();

/** The memo of `ctx` for one kind of value (`kind` is a module's own symbol). */
export function fileMemo<K, V>(ctx: LintContext, kind: symbol): Map<K, V> {
  let all = (ctx as Partial<WithFileMemo>)[FILE_MEMO];
  if (all === undefined) {
    all = others.get(ctx);
    if (all === undefined) {
      all = new Map();
      others.set(ctx, all);
    }
  }
  let memo = all.get(kind);
  if (memo === undefined) {
    memo = new Map();
    all.set(kind, memo);
  }
  return memo as Map<K, V>;
}
