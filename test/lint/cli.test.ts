import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli-in-process.js';

const run = (...args: string[]) => runMain('lint', ...args);

const dir = mkdtempSync(path.join(tmpdir(), 'scannable-lint-'));
const file = (name: string, text: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
// Pinned by digest: otherwise SCN108 reports the base image.
const ALPINE = 'alpine:3.20@sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d';
const clean = file('Clean.Dockerfile', `FROM ${ALPINE}\nCMD ["true"]\n`);
const warn = file('Warn.Dockerfile', `FROM ${ALPINE}\nMAINTAINER me\n`);
const curlSh = file('CurlSh.Dockerfile', `FROM ${ALPINE}\nRUN curl -fsSL https://example.com/install.sh | sh\n`);
const broken = file('Broken.Dockerfile', 'FROM alpine\nRUN <<EOF\n');
const invalid = file('Invalid.Dockerfile', 'FROM alpine\nBOGUS x\n');

afterEach(() => {
  process.exitCode = undefined;
});

describe('scannable lint', () => {
  it('exits 0 on a clean file', async () => {
    const r = await run(clean);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('no problems found\n');
  });
  it('exits 1 on findings at or above the threshold', async () => {
    expect((await run(warn)).code).toBe(1);
    expect((await run('--threshold', 'error', warn)).code).toBe(0);
    expect((await run('--threshold', 'error', invalid)).code).toBe(1);
  });
  it('prints json and sarif', async () => {
    const j = await run('--format', 'json', warn);
    expect(JSON.parse(j.stdout)).toEqual([
      {
        file: warn,
        line: 2,
        column: 1,
        endLine: 2,
        endColumn: 14,
        rule: 'MaintainerDeprecated',
        severity: 'warning',
        message: 'Maintainer instruction is deprecated in favor of using label',
      },
    ]);
    const s = await run('--format', 'sarif', warn);
    expect(JSON.parse(s.stdout)).toMatchObject({
      version: '2.1.0',
      runs: [{ results: [{ ruleId: 'MaintainerDeprecated' }] }],
    });
  });
  it('exits 2 on a parse error, printed as file:line:column, and still lints the other files', async () => {
    const r = await run('--format', 'json', broken, warn);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${broken}:2:1: unterminated heredoc`);
    expect(JSON.parse(r.stdout)).toHaveLength(1);
  });
  it('runs the provenance rules on RUN scripts', async () => {
    const r = await run('--format', 'json', '--threshold', 'error', curlSh);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual([
      {
        file: curlSh,
        line: 2,
        column: 5,
        endLine: 2,
        endColumn: 51,
        rule: 'SCN101',
        severity: 'error',
        message:
          'https://example.com/install.sh is downloaded and run by sh: what runs is whatever the server sends. Download it to a file, verify it (sha256sum -c, gpg --verify), then run that file',
      },
    ]);
  });
  it('exits 2 on usage errors', async () => {
    expect((await run('--format', 'xml', clean)).stderr).toContain('unknown --format "xml": use tty, json, sarif');
    expect((await run('--threshold', 'loud', clean)).code).toBe(2);
    const missing = await run(path.join(dir, 'nope'), clean);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`cannot read ${path.join(dir, 'nope')}: no such file\n`);
    const badConfig = file('bad.yaml', 'treshold: info\n');
    const r = await run('--config', badConfig, clean);
    expect(r).toMatchObject({
      code: 2,
      stderr: `scannable: ${badConfig}:1:1: unknown key "treshold" (did you mean threshold?); the keys are ignore, severity, trustedRegistries, threshold\n`,
    });
  });
  it('uses --config and --context', async () => {
    const cfg = file('off.yaml', 'severity:\n  MaintainerDeprecated: off\n');
    expect((await run('--config', cfg, warn)).code).toBe(0);
    const ctx = mkdtempSync(path.join(tmpdir(), 'scannable-ctx-'));
    writeFileSync(path.join(ctx, '.dockerignore'), 'secrets\n');
    const df = file('Ctx.Dockerfile', `# check=experimental=CopyIgnoredFile\nFROM ${ALPINE}\nCOPY secrets/key /key\n`);
    const r = await run('--format', 'json', '--context', ctx, df);
    expect(JSON.parse(r.stdout)).toMatchObject([
      {
        rule: 'CopyIgnoredFile',
        line: 3,
        message: 'Attempting to Copy file "secrets/key" that is excluded by .dockerignore',
      },
    ]);
  });
});
