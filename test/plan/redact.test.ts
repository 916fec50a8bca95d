/**
 * Secret-looking build arguments and ARG/ENV values (BuildKit's
 * SecretsUsedInArgOrEnv names) never reach the plan output, in any format;
 * lint reports them. The build side (SBOM, progress, layers) is tested on the
 * real engine in test/e2e/secrets.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli-in-process.js';
import { REDACTED, looksSecret, redactInstruction, scrub, scrubText, secretValues } from '../../src/common/secrets.js';

const cli = runMain;

describe('redaction helpers', () => {
  it("uses BuildKit's names", () => {
    for (const n of [
      'GITHUB_TOKEN',
      'API_KEY',
      'DB_PASSWORD',
      'secret',
      'AWS_SECRET_ACCESS_KEY',
      'AUTH',
      'NPM_AUTH_TOKEN',
    ])
      expect(looksSecret(n), n).toBe(true);
    for (const n of ['PUBLIC_KEY', 'KEYBOARD', 'TOKENIZER_VERSION', 'VERSION', 'PATH'])
      expect(looksSecret(n), n).toBe(false);
  });

  it('redacts the values of ENV and ARG instructions by name, in every form', () => {
    expect(redactInstruction('ENV API_TOKEN=hunter2 MODE=prod')).toBe(`ENV API_TOKEN=${REDACTED} MODE=prod`);
    expect(redactInstruction('ENV API_TOKEN="two words" B=\'x\'')).toBe(`ENV API_TOKEN=${REDACTED} B='x'`);
    expect(redactInstruction('env DB_PASSWORD letmein now')).toBe(`env DB_PASSWORD ${REDACTED}`);
    expect(redactInstruction('ARG GITHUB_TOKEN=abc')).toBe(`ARG GITHUB_TOKEN=${REDACTED}`);
    expect(redactInstruction('ARG GITHUB_TOKEN')).toBe('ARG GITHUB_TOKEN');
    expect(redactInstruction('ARG PUBLIC_KEY=ssh-ed25519')).toBe('ARG PUBLIC_KEY=ssh-ed25519');
    expect(redactInstruction('ENV A=1 \\\n    SECRET=x\\ y')).toBe(`ENV A=1 \\\n    SECRET=${REDACTED}`);
    expect(redactInstruction('ONBUILD ENV API_KEY=k')).toBe(`ONBUILD ENV API_KEY=${REDACTED}`);
    expect(redactInstruction('RUN echo API_KEY=k')).toBe('RUN echo API_KEY=k');
  });

  it('scrubs long values from any text, never short ones or digests', () => {
    const secrets = secretValues([
      ['API_KEY', 'sk-live-0123456789'],
      ['TOKEN', 'abc'],
      ['MODE', 'production-mode'],
    ]);
    expect(secrets).toEqual(['sk-live-0123456789']);
    expect(scrubText('curl https://x/?k=sk-live-0123456789', secrets)).toBe(`curl https://x/?k=${REDACTED}`);
    const hexSecret = ['0123456789abcdef'];
    const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
    expect(scrubText(digest, hexSecret)).toBe(digest);
    expect(scrub({ a: ['x sk-live-0123456789'], m: new Map([['k', 'sk-live-0123456789']]) }, secrets)).toEqual({
      a: [`x ${REDACTED}`],
      m: new Map([['k', REDACTED]]),
    });
  });

  it('copies only what changed, keeping keys in their order, and never changes its input', () => {
    const secrets = ['sk-live-0123456789'];
    const clean = { path: '/usr/bin/jq', origin: { kind: 'package', step: { id: 's1' } } };
    const dirty = {
      b: 1,
      'sk-live-0123456789': 'key',
      a: ['ok', 'x sk-live-0123456789'],
      c: new Map([['m', 'sk-live-0123456789']]),
    };
    const input = { files: [clean, clean], dirty, tags: new Map([['t', 'plain']]) };
    const before = structuredClone(input);
    const out = scrub(input, secrets);
    expect(out).not.toBe(input);
    expect(out.files).toBe(input.files);
    expect(out.tags).toBe(input.tags);
    expect(Object.keys(out.dirty)).toEqual(['b', REDACTED, 'a', 'c']);
    expect(out.dirty.a).toEqual(['ok', `x ${REDACTED}`]);
    expect(out.dirty.c).toEqual(new Map([['m', REDACTED]]));
    expect(input).toEqual(before);
    expect(scrub(clean, secrets)).toBe(clean);
  });
});

describe('scannable plan and lint with secret-looking ARG and ENV', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scannable-redact-'));
  const TOKEN = 'ghp_0123456789abcdefSECRET';
  const KEY = 'sk-live-9876543210fedcba';
  const PASS = 'pw1';
  writeFileSync(
    path.join(dir, 'Dockerfile'),
    [
      'FROM debian:bookworm',
      'ARG GITHUB_TOKEN',
      `ARG DB_PASSWORD=${PASS}`,
      `ENV API_KEY=${KEY} MODE=prod`,
      'RUN curl -fsSL -H "Authorization: token $GITHUB_TOKEN" "https://example.org/x?key=$API_KEY" -o /x && echo "$DB_PASSWORD" > /p',
      '',
    ].join('\n'),
  );

  for (const format of ['text', 'json', 'sh']) {
    it(`plan --format ${format} shows no secret value`, async () => {
      const r = await cli('plan', '--format', format, '--build-arg', `GITHUB_TOKEN=${TOKEN}`, dir);
      expect(r.code, r.stderr).toBe(0);
      for (const v of [TOKEN, KEY, `DB_PASSWORD=${PASS}`, `DB_PASSWORD", "${PASS}`])
        expect(r.stdout, v).not.toContain(v);
      expect(r.stdout).toContain(REDACTED);
      expect(r.stdout).toContain('MODE');
      if (format === 'json') {
        const plan = JSON.parse(r.stdout) as {
          stages: Array<{
            ops: Array<{ kind: string; args?: Array<[string, string]>; env?: Array<[string, string]> }>;
          }>;
        };
        const run = plan.stages[0]!.ops.find((o) => o.kind === 'exec')!;
        expect(run.args).toContainEqual(['GITHUB_TOKEN', REDACTED]);
        expect(run.env).toContainEqual(['API_KEY', REDACTED]);
        expect(run.env).toContainEqual(['MODE', 'prod']);
      }
      if (format === 'sh') {
        // Still a valid script: the redacted values come from its environment.
        expect(r.stdout).toContain("-e 'GITHUB_TOKEN'");
        expect(r.stdout).toContain(
          '--change "ENV API_KEY=${API_KEY:?API_KEY is redacted from the plan; set it in the environment}"',
        );
        expect(spawnSync('bash', ['-n'], { input: r.stdout, encoding: 'utf8' }).status).toBe(0);
      }
    });
  }

  it("lint reports them (BuildKit's SecretsUsedInArgOrEnv)", async () => {
    const r = await cli('lint', '--format', 'json', path.join(dir, 'Dockerfile'));
    const ids = (JSON.parse(r.stdout) as Array<{ ruleId?: string; rule?: string; message: string }>)
      .filter((f) => (f.ruleId ?? f.rule) === 'SecretsUsedInArgOrEnv')
      .map((f) => f.message);
    expect(ids.join('\n')).toMatch(/ARG "GITHUB_TOKEN"/);
    expect(ids.join('\n')).toMatch(/ARG "DB_PASSWORD"/);
    expect(ids.join('\n')).toMatch(/ENV "API_KEY"/);
  });
});
