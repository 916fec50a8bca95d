/**
 * How BuildKit expands FROM lines: the image name and `--platform` against
 * the global scope (builtin platform ARGs and ARGs before the first FROM),
 * with the names that matched and did not match.
 */
import { expandWord, type WordResult } from '../../../../grammar/dockerfile/index.js';
import type { DockerfileIR, Stage } from '../../../ir/index.js';
import { scopeLookup } from '../../../ir/index.js';
import { fileMemo } from '../../memo.js';
import type { LintContext } from '../../types.js';

export interface FromExpansion {
  stage: Stage;
  /** Undefined when expansion failed (a build error). */
  image?: WordResult;
  platform?: WordResult;
}

// Three rules look at the same FROM expansions: do them once per stage.
const EXPANSIONS = Symbol('FROM expansions');

export function expandFrom(ctx: LintContext, stage: Stage): FromExpansion {
  const memo = fileMemo<Stage, FromExpansion>(ctx, EXPANSIONS);
  let out = memo.get(stage);
  if (out === undefined) {
    out = expand(ctx.ir, stage);
    memo.set(stage, out);
  }
  return out;
}

function expand(ir: DockerfileIR, stage: Stage): FromExpansion {
  const lookup = scopeLookup(ir.globalScope);
  const opts = { escape: ir.escape };
  const image = expandWord(stage.from.image.raw, lookup, opts);
  const out: FromExpansion = { stage };
  if (image.ok) out.image = image.result;
  if (stage.from.platform) {
    const platform = expandWord(stage.from.platform.raw, lookup, opts);
    if (platform.ok) out.platform = platform.result;
  }
  return out;
}

/**
 * The names an ARG-free FROM may use: builtin platform ARGs and every ARG
 * declared before the first FROM, with or without a value.
 */
export function fromArgNames(ir: DockerfileIR): string[] {
  const names = new Set<string>([...ir.globalScope.vars.keys(), ...ir.globalScope.declaredOnly]);
  for (const a of ir.globalArgs) for (const kv of a.args) names.add(kv.key);
  return [...names];
}
