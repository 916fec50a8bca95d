import { goQuote } from '../../../common/go-text.js';
import type { Report } from '../../types.js';
import { buildkitRule } from './define.js';
import { stageOS, walkStages } from './stages.js';

/** BuildKit's system.IsAbs: on Windows a `C:` drive prefix is allowed and `\` separates. */
export function isAbsolute(p: string, os: string): boolean {
  if (os !== 'windows') return p.startsWith('/');
  if (p.length === 2 && p[1] === ':') return false;
  const slashed = p.replace(/\\/g, '/');
  if (slashed.startsWith('//')) return false;
  const colon = slashed.indexOf(':');
  if (colon < 0) return slashed.startsWith('/');
  if (slashed.slice(0, colon).toLowerCase() !== 'c') return false;
  return slashed.slice(colon + 1).startsWith('/');
}

export const workdirRelativePath = buildkitRule({
  id: 'WorkdirRelativePath',
  title:
    'Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes',
  description:
    'A relative WORKDIR is resolved against the working directory of the base image, which the Dockerfile does not control: ' +
    'a new base image version can move it. Set an absolute WORKDIR first; relative ones after it are fine.',
  hadolint: ['DL3000'],
  check(ctx) {
    const out: Report[] = [];
    walkStages(
      ctx.ir,
      (stage) => ({ set: false, os: stageOS(ctx.ir, stage) }),
      (parent) => ({ ...parent }),
      (stage, state) => {
        for (const ins of stage.instructions) {
          if (ins.kind !== 'workdir') continue;
          // Only the first WORKDIR matters: fixing it fixes the ones after it.
          if (!state.set && !isAbsolute(ins.path.value, state.os)) {
            out.push({
              range: ins.range,
              message: `Relative workdir ${goQuote(ins.path.value)} can have unexpected results if the base image changes`,
            });
          }
          state.set = true;
        }
      },
    );
    return out;
  },
});
