import { goQuote } from '../../../common/go-text.js';
import type { Platform } from '../../../ir/index.js';
import { formatAllPlatform, parsePlatformSpecifier } from '../../platforms.js';
import type { Report } from '../../types.js';
import { buildkitRule } from './define.js';

export const invalidBaseImagePlatform = buildkitRule({
  id: 'InvalidBaseImagePlatform',
  title: 'Base image platform does not match expected target platform',
  description:
    "The base image has no variant for the platform being built, so the builder pulled another platform's image: the build then runs under emulation " +
    'or produces an image for the wrong architecture. Needs to know the platform the base image really has, so it runs only when that is known ' +
    '(never offline).',
  check(ctx) {
    const resolve = ctx.baseImagePlatform;
    if (!resolve) return [];
    const out: Report[] = [];
    for (const stage of ctx.ir.stages) {
      if (stage.base.kind !== 'image' || stage.from.image.value === '') continue;
      let expected: Platform = ctx.ir.targetPlatform;
      const requested = stage.from.platform?.value;
      if (requested) {
        const p = parsePlatformSpecifier(requested, ctx.ir.buildPlatform);
        if (!p) continue;
        expected = { os: p.os, architecture: p.architecture, ...(p.variant ? { variant: p.variant } : {}) };
      }
      const actual = resolve(stage.base.ref, expected);
      if (!actual) continue;
      if (actual.os === expected.os && actual.architecture === expected.architecture) continue;
      out.push({
        range: stage.from.range,
        message: `Base image ${stage.from.image.value} was pulled with platform ${goQuote(formatAllPlatform(actual))}, expected ${goQuote(formatAllPlatform(expected))} for current build`,
      });
    }
    return out;
  },
});
