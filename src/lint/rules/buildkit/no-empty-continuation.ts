import { buildkitRule } from './define.js';

export const noEmptyContinuation = buildkitRule({
  id: 'NoEmptyContinuation',
  title: 'Empty continuation lines will become errors in a future release',
  description:
    'An empty line inside a backslash-continued instruction is skipped today, but it usually means a line was deleted by mistake, ' +
    'and BuildKit will reject it in a future release. Remove the empty line or end the instruction before it. BuildKit reports the last line of the instruction.',
  check(ctx) {
    return ctx.tree.warnings
      .filter((w) => w.rule === 'NoEmptyContinuation')
      .map((w) => ({ range: w.range, message: 'Empty continuation line' }));
  },
});
