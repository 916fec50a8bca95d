/** `scannable plan --format json`: the Plan itself, without the IR objects it points at. */
import type { Plan } from '../lower/types.js';

export function planToJSON(plan: Plan): unknown {
  return {
    file: plan.file,
    target: plan.target,
    platform: plan.platform,
    buildArgs: plan.buildArgs,
    stages: plan.stages.map((s) => ({
      index: s.index,
      ...(s.name !== undefined ? { name: s.name } : {}),
      dependsOn: s.dependsOn,
      images: s.images,
      ops: s.ops,
    })),
    diagnostics: plan.diagnostics,
  };
}
