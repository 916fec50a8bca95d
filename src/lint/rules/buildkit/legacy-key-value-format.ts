import type { Report } from '../../types.js';
import { buildkitRule } from './define.js';

export const legacyKeyValueFormat = buildkitRule({
  id: 'LegacyKeyValueFormat',
  title: 'Legacy key/value format with whitespace separator should not be used',
  description:
    '`ENV key value` and `LABEL key value` set one variable whose value is the whole rest of the line, which reads like several words and ' +
    'cannot set more than one key. The `key=value` form is unambiguous and can set several keys at once.',
  check(ctx) {
    const out: Report[] = [];
    for (const stage of ctx.ir.stages) {
      for (const ins of stage.instructions) {
        if (ins.kind !== 'env' && ins.kind !== 'label') continue;
        for (const p of ins.pairs) {
          if (p.legacy)
            out.push({
              range: ins.range,
              message: `"${ins.keyword} key=value" should be used instead of legacy "${ins.keyword} key value" format`,
            });
        }
      }
    }
    return out;
  },
});
