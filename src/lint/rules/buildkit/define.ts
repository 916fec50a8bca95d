/**
 * BuildKit's build checks share their shape: warning severity, BuildKit's
 * description as the title, and a documentation page under
 * https://docs.docker.com/go/dockerfile/rule/<kebab-case-name>/.
 */
import type { LintContext, Report, Rule } from '../../types.js';

export interface BuildkitRuleSpec {
  /** BuildKit's rule name, e.g. `UndefinedVar`. */
  id: string;
  /** BuildKit's description, word for word. */
  title: string;
  /** Our own words: what is checked and why it matters. */
  description: string;
  experimental?: boolean;
  hadolint?: readonly string[];
  check(ctx: LintContext): Report[];
}

/** `UndefinedVar` -> `undefined-var`, `JSONArgsRecommended` -> `json-args-recommended`. */
export function kebabCase(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

export function buildkitRule(spec: BuildkitRuleSpec): Rule {
  return {
    id: spec.id,
    family: 'buildkit',
    severity: 'warning',
    title: spec.title,
    description: spec.description,
    docs: `https://docs.docker.com/go/dockerfile/rule/${kebabCase(spec.id)}/`,
    ...(spec.experimental ? { experimental: true } : {}),
    ...(spec.hadolint ? { hadolint: spec.hadolint } : {}),
    check: spec.check,
  };
}
