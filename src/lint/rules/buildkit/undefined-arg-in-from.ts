import type { WordResult } from '../../../../grammar/dockerfile/index.js';
import { closestName } from '../../suggest.js';
import type { Report } from '../../types.js';
import { buildkitRule } from './define.js';
import { expandFrom, fromArgNames } from './from-expansion.js';

export const undefinedArgInFrom = buildkitRule({
  id: 'UndefinedArgInFrom',
  title: 'FROM command must use declared ARGs',
  description:
    'FROM can use only the builtin platform ARGs and ARGs declared before the first FROM. Any other name expands to an empty string, ' +
    'usually because the ARG is declared later or misspelt.',
  check(ctx) {
    const names = fromArgNames(ctx.ir);
    const known = new Set(names);
    const out: Report[] = [];
    const report = (stage: { from: { range: Report['range'] } }, word: WordResult): void => {
      for (const v of word.unmatched) {
        if (known.has(v)) continue;
        const s = closestName(v, names);
        out.push({
          range: stage.from.range,
          message: `FROM argument '${v}' is not declared${s ? ` (did you mean ${s}?)` : ''}`,
        });
      }
    };
    for (const stage of ctx.ir.stages) {
      const e = expandFrom(ctx, stage);
      if (!e.image) continue;
      report(stage, e.image);
      if (e.image.value !== '' && e.platform) report(stage, e.platform);
    }
    return out;
  },
});
