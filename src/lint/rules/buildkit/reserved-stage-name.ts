import { goQuote } from '../../../common/go-text.js';
import { buildkitRule } from './define.js';

const RESERVED: ReadonlySet<string> = new Set(['context', 'scratch']);

export const reservedStageName = buildkitRule({
  id: 'ReservedStageName',
  title: 'Reserved words should not be used as stage names',
  description:
    '`scratch` (the empty image) and `context` (the build context, as in `COPY --from=context`) already mean something to the builder; ' +
    'a stage with one of these names cannot be referenced reliably.',
  check(ctx) {
    return ctx.ir.stages
      .filter((s) => s.name !== undefined && RESERVED.has(s.name))
      .map((s) => ({
        range: s.from.range,
        message: `Stage name should not use the same name as reserved stage ${goQuote(s.name!)}`,
      }));
  },
});
