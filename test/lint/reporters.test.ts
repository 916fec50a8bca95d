import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { formatJson, formatSarif, formatTty, lintFile, rules, useColor, type Finding } from '../../src/lint/index.js';

const text =
  'FROM scratch as build\n\tCMD run \\\n\t  --fast \\\n\t  --a \\\n\t  --b \\\n\t  --c \\\n\t  --d \\\n\t  --e\nMAINTAINER me\n';
const findings = lintFile({ file: 'svc/Dockerfile', text }).findings;
const sources = new Map([['svc/Dockerfile', text]]);

describe('json reporter', () => {
  it('a stable array with fixed keys', () => {
    const out = JSON.parse(formatJson(findings)) as unknown[];
    expect(out[0]).toEqual({
      file: 'svc/Dockerfile',
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 22,
      rule: 'FromAsCasing',
      severity: 'warning',
      message: "'as' and 'FROM' keywords' casing do not match",
    });
    expect(Object.keys(out[1] as object)).toEqual([
      'file',
      'line',
      'column',
      'endLine',
      'endColumn',
      'rule',
      'severity',
      'message',
    ]);
    expect(formatJson([])).toBe('[]\n');
  });
});

describe('tty reporter', () => {
  it('a code frame per finding: location, rule, source lines, underline, docs', () => {
    const out = formatTty(findings, { color: false, sources });
    expect(out).toContain(
      [
        "warning[FromAsCasing]: 'as' and 'FROM' keywords' casing do not match",
        ' --> svc/Dockerfile:1:1',
        '  |',
        '1 | FROM scratch as build',
        '  | ^^^^^^^^^^^^^^^^^^^^^',
        '  = https://docs.docker.com/go/dockerfile/rule/from-as-casing/',
      ].join('\n'),
    );
    // Tabs are kept in the underline so that it lines up; tall frames are shortened.
    expect(out).toContain(
      [
        'warning[JSONArgsRecommended]: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals',
        ' --> svc/Dockerfile:2:2',
        '  |',
        '2 | \tCMD run \\',
        '  | \t^^^^^^^^^',
      ].join('\n'),
    );
    expect(out).toContain(['5 | \t  --b \\', '  | ^^^^^^^^', '...', '8 | \t  --e', '  | ^^^^^'].join('\n'));
    expect(out).not.toContain('\x1b[');
    expect(out.trimEnd().split('\n').at(-1)).toBe('3 finding(s): 0 error(s), 3 warning(s), 0 info');
    expect(formatTty([], { color: false, sources })).toBe('no problems found\n');
  });
  it('colour only when asked', () => {
    expect(formatTty(findings, { color: true, sources })).toContain('\x1b[1m\x1b[33mwarning[FromAsCasing]\x1b[0m');
    expect(useColor({ isTTY: true }, {})).toBe(true);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ isTTY: false }, {})).toBe(false);
  });
  it('without the source, no frame', () => {
    expect(formatTty(findings.slice(0, 1), { color: false, sources: new Map() })).toBe(
      "warning[FromAsCasing]: 'as' and 'FROM' keywords' casing do not match\n --> svc/Dockerfile:1:1\n  = https://docs.docker.com/go/dockerfile/rule/from-as-casing/\n\n1 finding(s): 0 error(s), 1 warning(s), 0 info\n",
    );
  });
});

describe('sarif reporter', () => {
  // The official SARIF 2.1.0 schema (the OASIS standard's RTM 5), as @microsoft/jest-sarif ships it.
  const require = createRequire(import.meta.url);
  const schemaPath = path.join(
    path.dirname(require.resolve('@microsoft/jest-sarif/package.json')),
    'lib',
    'schemas',
    'sarif-2.1.0-rtm.5.json',
  );
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
  // The schema's language pattern has a stray ']', valid only outside unicode mode (as in the JSON Schema reference validators).
  // Both are CommonJS modules whose `default` export is the class / plugin.
  const AjvDraft04 = ajvDraft04.default;
  const addFormats = ajvFormats.default;
  const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  const cwd = path.resolve('/work/project');
  const outside: Finding = { ...findings[0]!, file: '/elsewhere/Dockerfile' };
  const spaced: Finding = { ...findings[0]!, file: 'my app/Dockerfile' };
  const parseError = {
    file: 'bad/Dockerfile',
    range: { start: { line: 2, column: 1 }, end: { line: 2, column: 1 } },
    severity: 'error' as const,
    message: 'unterminated heredoc',
    code: 'parse/heredoc',
  };
  const log = JSON.parse(
    formatSarif([...findings, outside, spaced], { rules, cwd, toolVersion: '0.1.0' }, [parseError]),
  ) as {
    version: string;
    runs: Array<{
      tool: {
        driver: {
          rules: Array<{ id: string; helpUri: string; defaultConfiguration: { level: string; enabled: boolean } }>;
        };
      };
      results: Array<{
        ruleId: string;
        ruleIndex: number;
        level: string;
        locations: Array<{
          physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: object };
        }>;
      }>;
      invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications: unknown[] }>;
    }>;
  };

  it('validates against the SARIF 2.1.0 schema', () => {
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(validate({ version: '2.1.0', runs: [{ tool: {} }] })).toBe(false);
  });
  it('lists every rule with its documentation and default level', () => {
    const driverRules = log.runs[0]!.tool.driver.rules;
    expect(driverRules.map((r) => r.id)).toEqual(rules.map((r) => r.id));
    expect(driverRules.find((r) => r.id === 'UndefinedVar')).toMatchObject({
      helpUri: 'https://docs.docker.com/go/dockerfile/rule/undefined-var/',
      defaultConfiguration: { level: 'warning', enabled: true },
    });
    expect(driverRules.find((r) => r.id === 'CopyIgnoredFile')!.defaultConfiguration.enabled).toBe(false);
    expect(driverRules.find((r) => r.id === 'DockerfileError')!.helpUri).toMatch(
      /^file:\/\/.*\/docs\/rules\/DockerfileError\.md$/,
    );
  });
  it('results point at regions of files relative to the working directory', () => {
    const results = log.runs[0]!.results;
    expect(results[0]).toMatchObject({
      ruleId: 'FromAsCasing',
      ruleIndex: rules.findIndex((r) => r.id === 'FromAsCasing'),
      level: 'warning',
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'svc/Dockerfile', uriBaseId: '%SRCROOT%' },
            region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 22 },
          },
        },
      ],
    });
    expect(results.at(-2)!.locations[0]!.physicalLocation.artifactLocation).toEqual({
      uri: 'file:///elsewhere/Dockerfile',
    });
    expect(results.at(-1)!.locations[0]!.physicalLocation.artifactLocation).toEqual({
      uri: 'my%20app/Dockerfile',
      uriBaseId: '%SRCROOT%',
    });
  });
  it('files that could not be parsed are error notifications', () => {
    expect(log.runs[0]!.invocations[0]!.executionSuccessful).toBe(false);
    expect(log.runs[0]!.invocations[0]!.toolExecutionNotifications).toHaveLength(1);
  });
});
