import { expandWord } from '../../../../grammar/dockerfile/index.js';
import { parseImageReference } from '../../../ir/index.js';
import type { Report } from '../../types.js';
import { buildkitRule } from './define.js';

export const invalidDefaultArgInFrom = buildkitRule({
  id: 'InvalidDefaultArgInFrom',
  title: 'Default value for global ARG results in an empty or invalid base image name',
  description:
    "When a FROM image name is built from global ARGs, the ARGs' defaults alone should still give a valid image reference. " +
    'Otherwise a plain `docker build` without `--build-arg` fails, and tools that read the Dockerfile cannot tell which image it uses.',
  check(ctx) {
    const ir = ctx.ir;
    const out: Report[] = [];
    const report = (stage: (typeof ir.stages)[number], name: string): void => {
      if (!parseImageReference(name).ok) {
        out.push({
          range: stage.from.range,
          message: `Default value for ARG ${stage.from.image.raw} results in empty or invalid base image name`,
        });
      }
    };
    // Without build args for global ARGs and without expansion errors, the IR's FROM values are the defaults' values.
    if (ir.diagnostics.length === 0 && !ir.globalArgs.some((a) => a.args.some((kv) => kv.valueFrom === 'build-arg'))) {
      for (const stage of ir.stages) report(stage, stage.from.image.value);
      return out;
    }
    // The global scope as it is without build args: builtin platform ARGs, then the global ARGs' defaults.
    const vars = new Map((ir.globalArgs[0]?.scope ?? ir.globalScope).vars);
    const lookup = { get: (k: string) => vars.get(k) };
    for (const arg of ir.globalArgs) {
      for (const kv of arg.args) {
        if (kv.default === undefined) continue;
        const v = expandWord(kv.default.raw, lookup, { escape: ir.escape });
        // BuildKit abandons the check when a default cannot be expanded.
        if (!v.ok) return [];
        vars.set(kv.key, v.result.value);
      }
    }
    for (const stage of ir.stages) {
      const name = expandWord(stage.from.image.raw, lookup, { escape: ir.escape });
      if (!name.ok) return out;
      report(stage, name.result.value);
    }
    return out;
  },
});
