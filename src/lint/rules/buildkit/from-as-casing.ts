import type { Report } from '../../types.js';
import { buildkitRule } from './define.js';

export const fromAsCasing = buildkitRule({
  id: 'FromAsCasing',
  title: "The 'as' keyword should match the case of the 'from' keyword",
  description:
    'In `FROM image AS name`, the `AS` keyword should be written in the same case as `FROM`, so that the line reads consistently.',
  check(ctx) {
    const out: Report[] = [];
    for (const stage of ctx.ir.stages) {
      const n = stage.from.syntax;
      if (n.args.length < 3) continue;
      const kw = n.keyword;
      const as = n.args[1]!;
      // A FROM keyword in mixed case is ConsistentInstructionCasing's business.
      if (kw === kw.toLowerCase()) {
        if (as !== as.toLowerCase())
          out.push({ range: n.range, message: `'${as}' and '${kw}' keywords' casing do not match` });
      } else if (kw === kw.toUpperCase()) {
        if (as !== as.toUpperCase())
          out.push({ range: n.range, message: `'${as}' and '${kw}' keywords' casing do not match` });
      }
    }
    return out;
  },
});
