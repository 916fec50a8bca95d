import { goQuote } from '../../../common/go-text.js';
import { parsePlatformSpecifier } from '../../platforms.js';
import type { Report } from '../../types.js';
import { buildkitRule } from './define.js';
import { expandFrom } from './from-expansion.js';

export const fromPlatformFlagConstDisallowed = buildkitRule({
  id: 'FromPlatformFlagConstDisallowed',
  title: 'FROM --platform flag should not use a constant value',
  description:
    'A constant `FROM --platform=linux/amd64` pins the stage to one platform whatever platform is being built, which breaks multi-platform builds ' +
    'and emulates the wrong architecture on other hosts. Use `$BUILDPLATFORM` or `$TARGETPLATFORM`, or name the stage after the platform it is meant for.',
  hadolint: ['DL3029'],
  check(ctx) {
    const out: Report[] = [];
    for (const stage of ctx.ir.stages) {
      const e = expandFrom(ctx, stage);
      // BuildKit checks the platform only once the image name expanded to something.
      if (!e.image || e.image.value === '' || !e.platform) continue;
      if (e.platform.matched.size > 0 || e.platform.unmatched.size > 0) continue;
      const p = parsePlatformSpecifier(e.platform.value, ctx.ir.buildPlatform);
      if (!p) continue;
      // A stage named for its platform (`AS build-arm64`) pins it on purpose.
      const name = stage.name ?? '';
      if (name.includes(p.os) || name.includes(p.architecture)) continue;
      out.push({
        range: stage.from.range,
        message: `FROM --platform flag should not use constant value ${goQuote(e.platform.value)}`,
      });
    }
    return out;
  },
});
