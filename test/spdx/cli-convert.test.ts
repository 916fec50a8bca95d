import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli-in-process.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.join(HERE, 'fixtures', 'small.cdx.json');
const MIRROR = [
  '--mirror',
  'http://deb.debian.org/debian',
  '--security-mirror',
  'http://deb.debian.org/debian-security',
];

describe('scannable convert --to spdx', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'convert-cli-'));

  it('prints the SPDX document to stdout: the golden one', async () => {
    const r = await runMain('convert', '--to', 'spdx', ...MIRROR, FIXTURE);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(readFileSync(path.join(HERE, 'golden', 'small.spdx.json'), 'utf8'));
  });

  it('writes -o atomically, leaving no temporary file', async () => {
    const out = path.join(dir, 'small.spdx.json');
    const r = await runMain('convert', '--to', 'spdx', ...MIRROR, '-o', out, FIXTURE);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ spdxVersion: 'SPDX-2.3' });
    expect(readdirSync(dir)).toEqual(['small.spdx.json']);
  });

  it('reports usage errors and bad input in one line with exit 2, writing nothing', async () => {
    let r = await runMain('convert', '--to', 'spdx3', FIXTURE);
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: 'scannable: unknown --to "spdx3": use spdx\n' });
    r = await runMain('convert', FIXTURE);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/required option '--to <format>' not specified/);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{"bomFormat": "SPDX"}');
    r = await runMain('convert', '--to', 'spdx', bad);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(/^scannable: .*bad\.json is not a CycloneDX SBOM: bomFormat is "SPDX"/);
    r = await runMain('convert', '--to', 'spdx', ...MIRROR, '-o', path.join(dir, 'no', 'such', 'x.json'), FIXTURE);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write .*x\.json: its directory does not exist/);
    r = await runMain('convert', '--to', 'spdx', '--mirror', 'ftp:/x', FIXTURE);
    expect(r).toMatchObject({ code: 2, stderr: 'scannable: --mirror "ftp:/x" is not an http(s) URL\n' });
    expect(readdirSync(dir).sort()).toEqual(['bad.json', 'small.spdx.json']);
  });
});
