/**
 * The plan as printed: build arguments and ARG/ENV values whose names look
 * secret become `<redacted>` (BuildKit's SecretsUsedInArgOrEnv names), and
 * those values are scrubbed from every other string of the ops (a URL or a
 * word of a RUN that was expanded with them). The plan the builder runs is
 * not changed.
 */
import { redactPairs, scrub, secretValues } from '../common/secrets.js';
import type { Op, Plan } from '../lower/types.js';

/** Every name/value pair a plan carries: build arguments, and each op's ENV and ARG values. */
export function planPairs(plan: Plan): Array<[string, string | undefined]> {
  const pairs: Array<[string, string | undefined]> = Object.entries(plan.buildArgs);
  for (const s of plan.stages) {
    for (const op of s.ops) {
      if (op.kind === 'exec') pairs.push(...op.env, ...op.args);
      if (op.kind === 'config') pairs.push(...(op.patch.env ?? []), ...(op.patch.args ?? []));
    }
  }
  return pairs;
}

/** Values to scrub from anything written about this plan (and the build that runs it). */
export function planSecrets(plan: Plan): string[] {
  return secretValues(planPairs(plan));
}

function redactOp(op: Op): Op {
  if (op.kind === 'exec') return { ...op, env: redactPairs(op.env), args: redactPairs(op.args) };
  if (op.kind === 'config' && (op.patch.env || op.patch.args)) {
    return {
      ...op,
      patch: {
        ...op.patch,
        ...(op.patch.env ? { env: redactPairs(op.patch.env) } : {}),
        ...(op.patch.args ? { args: redactPairs(op.patch.args) } : {}),
      },
    };
  }
  return op;
}

export function redactPlan(plan: Plan): Plan {
  const secrets = planSecrets(plan);
  return {
    ...plan,
    buildArgs: Object.fromEntries(redactPairs(Object.entries(plan.buildArgs))) as Record<string, string>,
    stages: plan.stages.map((s) => ({ ...s, ops: s.ops.map((op) => scrub(redactOp(op), secrets)) })),
    diagnostics: scrub(plan.diagnostics, secrets),
  };
}
