import type { Report } from '../../types.js';
import { buildkitRule } from './define.js';
import { walkStages } from './stages.js';

export const jsonArgsRecommended = buildkitRule({
  id: 'JSONArgsRecommended',
  title: 'JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals',
  description:
    'In shell form, `CMD`/`ENTRYPOINT` run under `/bin/sh -c`: the shell is PID 1 and does not pass SIGTERM on to the program, so containers ' +
    'stop only when killed after the timeout. The exec (JSON) form runs the program itself. Not reported once a SHELL instruction has chosen the shell on purpose.',
  hadolint: ['DL3025'],
  check(ctx) {
    const out: Report[] = [];
    walkStages(
      ctx.ir,
      () => ({ shellSet: false }),
      (parent) => ({ ...parent }),
      (stage, state) => {
        for (const ins of stage.instructions) {
          if (ins.kind === 'shell') state.shellSet = true;
          else if ((ins.kind === 'cmd' || ins.kind === 'entrypoint') && !ins.syntax.json && !state.shellSet) {
            out.push({
              range: ins.range,
              message: `JSON arguments recommended for ${ins.keyword} to prevent unintended behavior related to OS signals`,
            });
          }
        }
      },
    );
    return out;
  },
});
