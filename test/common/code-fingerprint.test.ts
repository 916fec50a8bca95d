/** The running code's fingerprint: what a base layer's record was derived with (see LayerRecord.code). */
import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { codeFingerprint, fingerprintOf } from '../../src/common/code-fingerprint.js';

const tmp: string[] = [];
afterAll(() => tmp.forEach((d) => rmSync(d, { recursive: true, force: true })));

it('changes with any module file, and only with module files', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'scannable-fingerprint-'));
  tmp.push(root);
  mkdirSync(path.join(root, 'track'));
  writeFileSync(path.join(root, 'main.js'), 'export {};\n');
  writeFileSync(path.join(root, 'track', 'parse.ts'), 'export const x = 1;\n');
  const t = new Date('2020-01-01T00:00:00Z');
  utimesSync(path.join(root, 'track', 'parse.ts'), t, t);
  const first = fingerprintOf(root);
  expect(first).toMatch(/^[0-9a-f]{64}$/);
  expect(fingerprintOf(root)).toBe(first);
  writeFileSync(path.join(root, 'README.md'), 'not code\n');
  expect(fingerprintOf(root)).toBe(first);
  // Edited (same size, new mtime), resized, renamed: each is other code.
  utimesSync(path.join(root, 'track', 'parse.ts'), t, new Date(t.getTime() + 1000));
  const touched = fingerprintOf(root);
  expect(touched).not.toBe(first);
  writeFileSync(path.join(root, 'main.js'), 'export {};\n\n');
  const resized = fingerprintOf(root);
  expect(resized).not.toBe(touched);
  renameSync(path.join(root, 'main.js'), path.join(root, 'main-2.js'));
  expect(fingerprintOf(root)).not.toBe(resized);
});

it("fingerprints this checkout's sources, once per process", () => {
  const fp = codeFingerprint();
  expect(fp).toMatch(/^[0-9a-f]{64}$/);
  expect(codeFingerprint()).toBe(fp);
  expect(fingerprintOf(path.resolve('src'))).toBe(fp);
});
