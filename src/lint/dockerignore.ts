/**
 * `.dockerignore` for the CopyIgnoredFile check: which patterns apply to a
 * build, and whether a path is excluded. Reading and matching are the build's
 * own (src/context/dockerignore.ts, moby/patternmatcher's rules), so
 * lint and build cannot disagree about what the context holds.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { goClean, parseDockerignore, PatternMatcher } from '../context/dockerignore.js';

export { goClean as cleanPath, parseDockerignore as readIgnorePatterns };

/**
 * The ignore patterns that apply to a build: `<Dockerfile>.dockerignore` next
 * to the Dockerfile wins over `<context>/.dockerignore`, as with docker buildx.
 * Undefined when neither file exists.
 */
export function loadDockerignore(contextDir: string, dockerfile: string): string[] | undefined {
  for (const candidate of [`${dockerfile}.dockerignore`, path.join(contextDir, '.dockerignore')]) {
    if (existsSync(candidate)) return parseDockerignore(readFileSync(candidate, 'utf8'));
  }
  return undefined;
}

export class IgnoreMatcher {
  private readonly matcher: PatternMatcher | undefined;

  constructor(patterns: readonly string[]) {
    try {
      this.matcher = new PatternMatcher([...patterns]);
    } catch {
      // A malformed pattern fails the build itself (BuildKit says so); lint then reports nothing ignored.
      this.matcher = undefined;
    }
  }

  /** patternmatcher's MatchesOrParentMatches: the path, or one of its parent directories, is excluded. */
  matchesOrParentMatches(file: string): boolean {
    return this.matcher?.matches(file) ?? false;
  }
}
