import { goQuote } from '../../../common/go-text.js';
import type { Report } from '../../types.js';
import { buildkitRule } from './define.js';

export const duplicateStageName = buildkitRule({
  id: 'DuplicateStageName',
  title: 'Stage names should be unique',
  description:
    'Stage names are case-insensitive and refer to one stage: `COPY --from=name` and `FROM name` resolve to the first stage of that name, ' +
    'so a second stage with the same name cannot be referenced and is probably a copy-paste slip.',
  hadolint: ['DL3024'],
  check(ctx) {
    const seen = new Set<string>();
    const out: Report[] = [];
    for (const stage of ctx.ir.stages) {
      if (stage.name === undefined) continue;
      if (seen.has(stage.name))
        out.push({
          range: stage.from.range,
          message: `Duplicate stage name ${goQuote(stage.name)}, stage names should be unique`,
        });
      seen.add(stage.name);
    }
    return out;
  },
});
