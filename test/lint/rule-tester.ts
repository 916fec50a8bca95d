/**
 * typescript-eslint style rule tests: a table of valid Dockerfiles (no
 * finding) and invalid ones with the exact findings expected (rule, line,
 * column, message). Each case runs the one rule alone, experimental or not.
 */
import { describe, expect, it } from 'vitest';
import type { Platform } from '../../src/ir/index.js';
import { defaultConfig, lintFile, type Finding, type Rule, type Severity } from '../../src/lint/index.js';

export interface CaseOptions {
  /** `.dockerignore` patterns of the build context. */
  dockerignore?: string[];
  /** The platform base images turn out to have. */
  baseImagePlatform?: (ref: string, requested: Platform) => Platform | undefined;
  buildArgs?: Record<string, string>;
  /** `trustedRegistries` of the configuration. */
  trustedRegistries?: string[];
}

export interface ValidCase extends CaseOptions {
  code: string;
  name?: string;
}

export interface ExpectedFinding {
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  /** Checked when given (a rule may report some cases below its default severity). */
  severity?: Severity;
  message: string;
}

export interface InvalidCase extends CaseOptions {
  code: string;
  name?: string;
  errors: ExpectedFinding[];
}

function run(rule: Rule, c: ValidCase): Finding[] {
  const result = lintFile(
    {
      file: 'Dockerfile',
      text: c.code,
      ...(c.dockerignore ? { dockerignore: c.dockerignore } : {}),
      ...(c.trustedRegistries ? { config: { ...defaultConfig(), trustedRegistries: c.trustedRegistries } } : {}),
    },
    {
      rules: [rule],
      check: { experimental: 'all' },
      ...(c.baseImagePlatform ? { baseImagePlatform: c.baseImagePlatform } : {}),
      ...(c.buildArgs ? { ir: { buildArgs: c.buildArgs } } : {}),
    },
  );
  expect(result.errors).toEqual([]);
  return result.findings;
}

const title = (c: ValidCase): string => c.name ?? c.code.trim().split('\n').join(' ⏎ ').slice(0, 100);

export function ruleTester(rule: Rule, cases: { valid: Array<string | ValidCase>; invalid: InvalidCase[] }): void {
  // A table without both kinds of case cannot show the rule tells them apart.
  if (cases.valid.length === 0 || cases.invalid.length === 0)
    throw new Error(`${rule.id}: a rule test needs valid and invalid cases`);
  const valid = cases.valid.map((c) => (typeof c === 'string' ? { code: c } : c));
  describe(rule.id, () => {
    describe('valid', () => {
      it.each(valid.map((c) => [title(c), c] as const))('%s', (_t, c) => {
        expect(run(rule, c)).toEqual([]);
      });
    });
    describe('invalid', () => {
      it.each(cases.invalid.map((c) => [title(c), c] as const))('%s', (_t, c) => {
        const found = run(rule, c).map((f, i) => {
          expect(f.rule).toBe(rule.id);
          const e: ExpectedFinding = { line: f.line, column: f.column, message: f.message };
          if (c.errors[i]?.endLine !== undefined) e.endLine = f.endLine;
          if (c.errors[i]?.endColumn !== undefined) e.endColumn = f.endColumn;
          if (c.errors[i]?.severity !== undefined) e.severity = f.severity;
          return e;
        });
        expect(found).toEqual(c.errors);
      });
    });
  });
}
