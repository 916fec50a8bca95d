/**
 * scannable's provenance rules (SCN1xx) share their shape: family
 * `scannable`, a page docs/rules/<ID>.md, and hadolint ids only where a
 * hadolint rule checks the same thing.
 */
import type { LintContext, Report, Rule, Severity } from '../../types.js';

export interface ScannableRuleSpec {
  id: string;
  severity: Severity;
  title: string;
  description: string;
  hadolint?: readonly string[];
  check(ctx: LintContext): Report[];
}

export function scannableRule(spec: ScannableRuleSpec): Rule {
  return {
    id: spec.id,
    family: 'scannable',
    severity: spec.severity,
    title: spec.title,
    description: spec.description,
    docs: `docs/rules/${spec.id}.md`,
    ...(spec.hadolint ? { hadolint: spec.hadolint } : {}),
    check: spec.check,
  };
}

/** A URL or file as a message shows it: its value when known, else as written. */
export function shownWord(w: { resolved: boolean; value?: string; text: string }): string {
  const s = w.resolved ? w.value! : w.text;
  return s.length > 120 ? s.slice(0, 117) + '...' : s;
}
