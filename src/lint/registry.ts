/**
 * Every rule scannable knows: the core rule, BuildKit's checks and the
 * provenance rules (SCN101-SCN110). Configuration, pragmas, reporters and the
 * documentation meta-test all go through this registry.
 */
import { buildkitRules } from './rules/buildkit/index.js';
import { dockerfileError } from './rules/core/dockerfile-error.js';
import { scannableRules } from './rules/scannable/index.js';
import type { Rule } from './types.js';

export const rules: readonly Rule[] = [dockerfileError, ...buildkitRules, ...scannableRules];

const byId = new Map(rules.map((r) => [r.id, r]));

export function ruleById(id: string): Rule | undefined {
  return byId.get(id);
}

export function ruleIds(): string[] {
  return rules.map((r) => r.id);
}
