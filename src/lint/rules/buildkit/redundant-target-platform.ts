import type { Report } from '../../types.js';
import { buildkitRule } from './define.js';
import { expandFrom } from './from-expansion.js';

export const redundantTargetPlatform = buildkitRule({
  id: 'RedundantTargetPlatform',
  title: 'Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior',
  description:
    'A stage is built for the target platform unless FROM says otherwise, so `--platform=$TARGETPLATFORM` only adds noise.',
  hadolint: ['DL3029'],
  check(ctx) {
    const out: Report[] = [];
    const target = ctx.ir.globalScope.vars.get('TARGETPLATFORM');
    for (const stage of ctx.ir.stages) {
      const e = expandFrom(ctx, stage);
      if (!e.image || e.image.value === '' || !e.platform) continue;
      // Only a value that is exactly $TARGETPLATFORM: another name expanding to "" alongside it must not count.
      if (e.platform.matched.size !== 1 || e.platform.unmatched.size !== 0 || !e.platform.matched.has('TARGETPLATFORM'))
        continue;
      if (e.platform.value !== target) continue;
      out.push({
        range: stage.from.range,
        message: `Setting platform to predefined ${stage.from.platform!.raw} in FROM is redundant as this is the default behavior`,
      });
    }
    return out;
  },
});
