import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig, findConfig, lintFile, parseConfig, type LintConfig } from '../../src/lint/index.js';

const parseError = (text: string): string => {
  try {
    parseConfig(text, '.scannable.yaml');
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a configuration error');
};

describe('.scannable.yaml', () => {
  it('reads every key', () => {
    const c = parseConfig(
      'ignore: [MaintainerDeprecated]\nseverity:\n  UndefinedVar: error\n  CopyIgnoredFile: warning\n  FromAsCasing: off\ntrustedRegistries:\n  - registry.example.com\n  - ghcr.io/acme\nthreshold: error\n',
      'x.yaml',
    );
    expect(c).toEqual({
      file: 'x.yaml',
      ignore: ['MaintainerDeprecated'],
      severity: { UndefinedVar: 'error', CopyIgnoredFile: 'warning', FromAsCasing: 'off' },
      trustedRegistries: ['registry.example.com', 'ghcr.io/acme'],
      threshold: 'error',
    });
  });

  it('an empty file or a comment is the defaults', () => {
    expect(parseConfig('', 'x')).toEqual({ ...defaultConfig(), file: 'x' });
    expect(parseConfig('# nothing yet\n', 'x')).toEqual({ ...defaultConfig(), file: 'x' });
  });

  it('names file, line and column of each mistake', () => {
    expect(parseError('ignore: []\nthreshhold: error\n')).toBe(
      '.scannable.yaml:2:1: unknown key "threshhold" (did you mean threshold?); the keys are ignore, severity, trustedRegistries, threshold',
    );
    expect(parseError('ignore:\n  - UndefinedVar\n  - UndefindVar\n')).toBe(
      '.scannable.yaml:3:5: unknown rule "UndefindVar" (did you mean UndefinedVar?)',
    );
    expect(parseError('severity:\n  UndefinedVar: loud\n')).toBe(
      '.scannable.yaml:2:17: severity of UndefinedVar must be one of error, warning, info, off',
    );
    expect(parseError('severity: [UndefinedVar]\n')).toBe(
      '.scannable.yaml:1:11: severity must be a mapping of rule id to error, warning, info or off',
    );
    expect(parseError('threshold: fatal\n')).toBe(
      '.scannable.yaml:1:12: threshold must be one of error, warning, info',
    );
    expect(parseError('threshold:\n')).toBe('.scannable.yaml:1:11: threshold must be one of error, warning, info');
    expect(parseError('ignore: UndefinedVar\n')).toBe('.scannable.yaml:1:9: ignore must be a list');
    expect(parseError('trustedRegistries: ["a b"]\n')).toBe(
      '.scannable.yaml:1:21: each trusted registry must be a host name such as registry.example.com (optionally with a path)',
    );
    expect(parseError('- a\n- b\n')).toBe(
      '.scannable.yaml:1:1: expected a mapping with the keys ignore, severity, trustedRegistries, threshold',
    );
    expect(parseError('ignore: [a\n')).toMatch(/^\.scannable\.yaml:\d+:\d+: /);
    expect(parseError('threshold: error\nthreshold: info\n')).toMatch(
      /^\.scannable\.yaml:2:1: Map keys must be unique/,
    );
  });

  it('is found next to the Dockerfile or in a parent directory', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'scannable-config-'));
    mkdirSync(path.join(root, 'svc', 'api'), { recursive: true });
    writeFileSync(path.join(root, '.scannable.yaml'), 'threshold: error\n');
    writeFileSync(path.join(root, 'svc', 'api', 'Dockerfile'), 'FROM alpine\n');
    expect(findConfig(path.join(root, 'svc', 'api', 'Dockerfile'))).toBe(path.join(root, '.scannable.yaml'));
    writeFileSync(path.join(root, 'svc', 'api', '.scannable.yaml'), 'threshold: info\n');
    expect(findConfig(path.join(root, 'svc', 'api', 'Dockerfile'))).toBe(
      path.join(root, 'svc', 'api', '.scannable.yaml'),
    );
  });
});

describe('configuration applied by the runner', () => {
  const code = 'FROM scratch\nMAINTAINER me\nCMD run\nCOPY a /a\n';
  const rules = (config: Partial<LintConfig>): string[] =>
    lintFile({
      file: 'Dockerfile',
      text: code,
      config: { ...defaultConfig(), ...config },
      dockerignore: ['a'],
    }).findings.map((f) => `${f.rule}:${f.severity}`);

  it('defaults: non-experimental rules at their severity', () => {
    expect(rules({})).toEqual(['MaintainerDeprecated:warning', 'JSONArgsRecommended:warning']);
  });
  it('ignore and severity off remove a rule; a severity changes it', () => {
    expect(rules({ ignore: ['MaintainerDeprecated'] })).toEqual(['JSONArgsRecommended:warning']);
    expect(rules({ severity: { MaintainerDeprecated: 'off', JSONArgsRecommended: 'error' } })).toEqual([
      'JSONArgsRecommended:error',
    ]);
  });
  it('naming an experimental rule in severity enables it', () => {
    expect(rules({ severity: { CopyIgnoredFile: 'info' } })).toEqual([
      'MaintainerDeprecated:warning',
      'JSONArgsRecommended:warning',
      'CopyIgnoredFile:info',
    ]);
  });
});
