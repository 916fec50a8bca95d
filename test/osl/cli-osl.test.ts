import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runMain } from '../helpers/cli-in-process.js';
import { sampleSbom } from './helpers/sboms.js';

const run = runMain;

describe('scannable osl', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'osl-cli-'));
  const sbom = path.join(dir, 'image.cdx.json');
  writeFileSync(sbom, JSON.stringify(sampleSbom()));
  afterEach(() => vi.restoreAllMocks());

  it('prints the text attribution file to stdout by default', async () => {
    const r = await run('osl', sbom);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OPEN SOURCE LICENSES\n/);
    expect(r.stderr).toBe('');
  });

  it('writes -o atomically, leaving no temporary file', async () => {
    const out = path.join(dir, 'OSL.html');
    const r = await run('osl', sbom, '--format', 'html', '-o', out);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(readFileSync(out, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect(readdirSync(dir).sort()).toEqual(['OSL.html', 'image.cdx.json']);
  });

  it('reports a bad SBOM or format as a one-line error with exit 2', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, 'not json');
    let r = await run('osl', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^scannable: .*bad\.json is not JSON/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    r = await run('osl', sbom, '--format', 'pdf');
    expect(r).toMatchObject({ code: 2, stderr: 'scannable: unknown --format "pdf": use text, markdown, html\n' });
    r = await run('osl', sbom, '-o', path.join(dir, 'no', 'such', 'dir', 'OSL.txt'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write .*OSL\.txt: ENOENT/);
  });
});
