/**
 * Locates ../shared (conformance data and the real-world corpus). Tests that
 * need it skip with a visible message when it is absent, and fail in CI.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedDir = process.env.SCANNABLE_SHARED ?? path.resolve(repoRoot, '..', 'shared');
export const hasShared = existsSync(path.join(sharedDir, 'conformance'));
export const corpusDir = path.join(sharedDir, 'corpus', 'real');
export const conformanceDir = path.join(sharedDir, 'conformance');

/** `describe` that needs ../shared: skipped with a message locally, an error in CI. */
export function describeShared(name: string, fn: () => void): void {
  if (hasShared) {
    describe(name, fn);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      throw new Error(`${sharedDir} is missing: CI must provide ../shared (conformance data and corpus)`);
    });
    return;
  }
  process.stderr.write(`[skip] ${name}: ${sharedDir} not found (set SCANNABLE_SHARED to run it)\n`);
  describe.skip(name, fn);
}

/** Corpus files relative to corpus/real, sorted, SOURCES.md excluded. */
export function corpusFiles(): string[] {
  if (!hasShared) return [];
  const out: string[] = [];
  for (const repo of readdirSync(corpusDir).sort()) {
    const dir = path.join(corpusDir, repo);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir).sort()) out.push(`${repo}/${f}`);
  }
  return out;
}
