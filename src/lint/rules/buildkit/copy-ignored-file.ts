import { goQuote } from '../../../common/go-text.js';
import { IgnoreMatcher } from '../../dockerignore.js';
import type { Report } from '../../types.js';
import { buildkitRule } from './define.js';

// Sources BuildKit fetches instead of reading from the context: URLs, and git remotes (scheme or scp-like user@host:path).
const REMOTE = /^(?:https?:\/\/|git:\/\/|ssh:\/\/|[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+:)/;

export const copyIgnoredFile = buildkitRule({
  id: 'CopyIgnoredFile',
  title: 'Attempting to Copy file that is excluded by .dockerignore',
  description:
    "A COPY or ADD source that the build context's .dockerignore excludes is never sent to the builder, so the instruction fails " +
    'or silently copies less than intended. Needs the build context (`--context DIR`); without one the check does not run.',
  experimental: true,
  check(ctx) {
    if (!ctx.dockerignore || ctx.dockerignore.length === 0) return [];
    const matcher = new IgnoreMatcher(ctx.dockerignore);
    const out: Report[] = [];
    for (const stage of ctx.ir.stages) {
      for (const ins of stage.instructions) {
        // COPY --from reads another stage or image, not the context.
        if (
          ins.kind !== 'add' &&
          !(ins.kind === 'copy' && ins.from === undefined && !ins.syntax.flags.some((f) => f.startsWith('--from=')))
        )
          continue;
        const verb = ins.kind === 'add' ? 'Add' : 'Copy';
        for (const src of ins.sources) {
          if (REMOTE.test(src.value)) continue;
          if (matcher.matchesOrParentMatches(src.value)) {
            out.push({
              range: ins.range,
              message: `Attempting to ${verb} file ${goQuote(src.value)} that is excluded by .dockerignore`,
            });
          }
        }
      }
    }
    return out;
  },
});
