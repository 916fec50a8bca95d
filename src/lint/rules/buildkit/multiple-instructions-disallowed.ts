import type { Range } from '../../../common/diagnostics.js';
import type { Report } from '../../types.js';
import { buildkitRule } from './define.js';

export const multipleInstructionsDisallowed = buildkitRule({
  id: 'MultipleInstructionsDisallowed',
  title: 'Multiple instructions of the same type should not be used in the same stage',
  description:
    'A stage keeps only the last CMD, ENTRYPOINT and HEALTHCHECK: earlier ones have no effect and mislead the reader. ' +
    'The earlier instruction, the one that is ignored, is reported.',
  hadolint: ['DL4003', 'DL4004', 'DL3012'],
  check(ctx) {
    const out: Report[] = [];
    for (const stage of ctx.ir.stages) {
      const last = new Map<string, Range>();
      for (const ins of stage.instructions) {
        if (ins.kind !== 'cmd' && ins.kind !== 'entrypoint' && ins.kind !== 'healthcheck') continue;
        const previous = last.get(ins.kind);
        if (previous) {
          out.push({
            range: previous,
            message: `Multiple ${ins.keyword} instructions should not be used in the same stage because only the last one will be used`,
          });
        }
        last.set(ins.kind, ins.range);
      }
    }
    return out;
  },
});
