/**
 * Every registered rule is documented and tested, and every documentation
 * page and rule test belongs to a registered rule (typescript-eslint's
 * meta-tests). The examples in each page are checked: the bad one triggers
 * the rule, the good one does not.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintFile, rules, rulesForHadolint, type Rule } from '../../src/lint/index.js';
import { repoRoot } from '../helpers/shared.js';

const docsDir = path.join(repoRoot, 'docs', 'rules');
const testsDir = path.join(repoRoot, 'test', 'lint', 'rules');

/** BuildKit v0.24.0's rules (frontend/dockerfile/linter/ruleset.go). */
const BUILDKIT_RULES = [
  'ConsistentInstructionCasing',
  'CopyIgnoredFile',
  'DuplicateStageName',
  'ExposeInvalidFormat',
  'ExposeProtoCasing',
  'FromAsCasing',
  'FromPlatformFlagConstDisallowed',
  'InvalidBaseImagePlatform',
  'InvalidDefaultArgInFrom',
  'InvalidDefinitionDescription',
  'JSONArgsRecommended',
  'LegacyKeyValueFormat',
  'MaintainerDeprecated',
  'MultipleInstructionsDisallowed',
  'NoEmptyContinuation',
  'RedundantTargetPlatform',
  'ReservedStageName',
  'SecretsUsedInArgOrEnv',
  'StageNameCasing',
  'UndefinedArgInFrom',
  'UndefinedVar',
  'WorkdirRelativePath',
];

function section(md: string, heading: string): string {
  const start = md.indexOf(`\n## ${heading}\n`);
  if (start < 0) return '';
  const next = md.indexOf('\n## ', start + 1);
  return md.slice(start, next < 0 ? undefined : next);
}

/** The first ```<lang> block after `label` in `text`. */
function block(text: string, label: string, lang: string): string | undefined {
  const at = text.indexOf(label);
  if (at < 0) return undefined;
  const open = text.indexOf('```' + lang + '\n', at);
  if (open < 0) return undefined;
  const from = open + lang.length + 4;
  return text.slice(from, text.indexOf('\n```', from) + 1);
}

function exampleFindings(rule: Rule, code: string, md: string): string[] {
  const ignore = block(md, '', 'dockerignore');
  return lintFile(
    { file: 'Dockerfile', text: code, ...(ignore ? { dockerignore: ignore.split('\n').filter(Boolean) } : {}) },
    {
      rules: [rule],
      check: { experimental: 'all' },
      // For InvalidBaseImagePlatform's example: old-tool is published for linux/amd64 only.
      baseImagePlatform: (ref, requested) =>
        ref.includes('old-tool') ? { os: 'linux', architecture: 'amd64' } : requested,
    },
  ).findings.map((f) => f.message);
}

describe('rule registry', () => {
  it('ids are unique', () => {
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
  });
  it("holds BuildKit's 22 checks by their names, experimental as in v0.24", () => {
    expect(
      rules
        .filter((r) => r.family === 'buildkit')
        .map((r) => r.id)
        .sort(),
    ).toEqual(BUILDKIT_RULES);
    expect(
      rules
        .filter((r) => r.experimental)
        .map((r) => r.id)
        .sort(),
    ).toEqual(['CopyIgnoredFile', 'InvalidDefinitionDescription']);
  });
  it('BuildKit checks link to their docs.docker.com page, other rules to docs/rules', () => {
    for (const r of rules) {
      if (r.family === 'buildkit')
        expect(r.docs).toMatch(/^https:\/\/docs\.docker\.com\/go\/dockerfile\/rule\/[a-z-]+\/$/);
      else expect(r.docs).toBe(`docs/rules/${r.id}.md`);
    }
  });
});

describe.each(rules.map((r) => [r.id, r] as const))('%s', (id, rule) => {
  const docPath = path.join(docsDir, `${id}.md`);
  const md = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '';

  it('has a documentation page with every section', () => {
    expect(existsSync(docPath), `${docPath} is missing`).toBe(true);
    expect(md.startsWith(`# ${id}\n`)).toBe(true);
    for (const h of ['What it checks', 'Why it matters', 'Examples', 'Ignoring it'])
      expect(section(md, h), `section "${h}"`).not.toBe('');
    expect(section(md, 'Ignoring it')).toContain(`# scannable ignore=${id}`);
    if (rule.family === 'buildkit') expect(md).toContain(rule.docs);
    for (const h of rule.hadolint ?? []) expect(md).toContain(h);
  });

  it('its bad example triggers it and its good example does not', () => {
    const examples = section(md, 'Examples');
    const bad = block(examples, 'Bad:', 'dockerfile');
    const good = block(examples, 'Good:', 'dockerfile');
    expect(bad && good, 'a Bad: and a Good: dockerfile block').toBeTruthy();
    expect(exampleFindings(rule, bad!, md)).not.toEqual([]);
    expect(exampleFindings(rule, good!, md)).toEqual([]);
  });

  it('has a valid/invalid table test', () => {
    const testPath = path.join(testsDir, `${id}.test.ts`);
    expect(existsSync(testPath), `${testPath} is missing`).toBe(true);
    const src = readFileSync(testPath, 'utf8');
    expect(src).toMatch(/ruleTester\(\w+, \{/);
    expect(src).toContain('valid: [');
    expect(src).toContain('invalid: [');
  });

  it('is in the index', () => {
    expect(readFileSync(path.join(docsDir, 'README.md'), 'utf8')).toContain(`[${id}](${id}.md)`);
  });
});

describe('no strays', () => {
  const ids = new Set(rules.map((r) => r.id));
  it('every page in docs/rules belongs to a registered rule', () => {
    const pages = readdirSync(docsDir).filter((f) => f !== 'README.md');
    expect(pages.filter((f) => !f.endsWith('.md') || !ids.has(f.slice(0, -3)))).toEqual([]);
  });
  it('every rule test belongs to a registered rule', () => {
    const tests = readdirSync(testsDir);
    expect(tests.filter((f) => !f.endsWith('.test.ts') || !ids.has(f.slice(0, -'.test.ts'.length)))).toEqual([]);
  });
  it("the index's hadolint table is the rules' own mapping", () => {
    const readme = readFileSync(path.join(docsDir, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\s*\| (DL\d{4}) +\| [^|]+ \| ([^|]+?) *\|$/gm)];
    expect(rows.length).toBeGreaterThan(0);
    const documented = Object.fromEntries(rows.map((m) => [m[1]!, m[2]!.split(',').map((s) => s.trim())]));
    const actual = Object.fromEntries(
      [...new Set(rules.flatMap((r) => r.hadolint ?? []))].map((h) => [h, [...rulesForHadolint(h)]]),
    );
    expect(documented).toEqual(actual);
  });
});
