import type { Report } from '../../types.js';
import { buildkitRule } from './define.js';

export const stageNameCasing = buildkitRule({
  id: 'StageNameCasing',
  title: 'Stage names should be lowercase',
  description:
    'Stage names are case-insensitive: `AS Build` defines the stage `build`. Writing them in lower case avoids suggesting a difference that does not exist.',
  check(ctx) {
    const out: Report[] = [];
    for (const s of ctx.ir.stages) {
      const n = s.from.syntax;
      if (n.args.length === 3 && n.args[2] !== n.args[2]!.toLowerCase())
        out.push({ range: n.range, message: `Stage name '${n.args[2]}' should be lowercase` });
    }
    return out;
  },
});
