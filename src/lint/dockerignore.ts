/**
 * `.dockerignore` as BuildKit reads and applies it (moby/patternmatcher and
 * its ignorefile package), for the CopyIgnoredFile check. Paths use `/`: the
 * Linux builder's separator.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Go's path.Clean. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

/** ignorefile.ReadAll: comments and blank lines dropped, patterns cleaned, leading `/` removed. */
export function readIgnorePatterns(text: string): string[] {
  const patterns: string[] = [];
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/);
  // bufio.Scanner yields no final empty line after a trailing newline; an empty pattern is skipped anyway.
  for (const raw of lines) {
    if (raw.startsWith('#')) continue;
    let pattern = raw.trim();
    if (pattern === '') continue;
    const invert = pattern.startsWith('!');
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern.length > 0) {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    patterns.push(invert ? '!' + pattern : pattern);
  }
  return patterns;
}

/**
 * The ignore patterns that apply to a build: `<Dockerfile>.dockerignore` next
 * to the Dockerfile wins over `<context>/.dockerignore`, as with docker buildx.
 * Undefined when neither file exists.
 */
export function loadDockerignore(contextDir: string, dockerfile: string): string[] | undefined {
  for (const candidate of [`${dockerfile}.dockerignore`, path.join(contextDir, '.dockerignore')]) {
    if (existsSync(candidate)) return readIgnorePatterns(readFileSync(candidate, 'utf8'));
  }
  return undefined;
}

type Matcher = (p: string) => boolean;

interface Pattern {
  exclusion: boolean;
  match: Matcher;
}

// Regexp metacharacters that mean nothing in a path pattern (patternmatcher's shouldEscape set).
const ESCAPE = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);

/** patternmatcher's Pattern.compile: exact, prefix (`dir/**`), suffix (`**\/x`) or regexp. */
function compile(cleaned: string): Matcher {
  let re = '^';
  let type: 'exact' | 'prefix' | 'suffix' | 'regexp' = 'exact';
  const chars = Array.from(cleaned);
  for (let i = 0, n = 0; i < chars.length; i++, n++) {
    const ch = chars[i]!;
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        i++;
        if (chars[i + 1] === '/') i++;
        if (i + 1 >= chars.length) {
          if (type === 'exact') type = 'prefix';
          else {
            re += '.*';
            type = 'regexp';
          }
        } else {
          re += '(.*/)?';
          type = 'regexp';
        }
        if (n === 0) type = 'suffix';
      } else {
        re += '[^/]*';
        type = 'regexp';
      }
    } else if (ch === '?') {
      re += '[^/]';
      type = 'regexp';
    } else if (ESCAPE.has(ch)) {
      re += '\\' + ch;
    } else if (ch === '\\') {
      if (i + 1 < chars.length) {
        re += '\\' + chars[++i]!;
        type = 'regexp';
      } else re += '\\\\';
    } else if (ch === '[' || ch === ']') {
      re += ch;
      type = 'regexp';
    } else re += ch;
  }
  switch (type) {
    case 'exact':
      return (p) => p === cleaned;
    case 'prefix': {
      const prefix = cleaned.slice(0, -2);
      return (p) => p.startsWith(prefix);
    }
    case 'suffix': {
      const suffix = cleaned.slice(2);
      return (p) => p.endsWith(suffix) || (suffix.startsWith('/') && p === suffix.slice(1));
    }
    case 'regexp': {
      let compiled: RegExp;
      try {
        compiled = new RegExp(re + '$', 'su');
      } catch {
        try {
          compiled = new RegExp(re + '$', 's');
        } catch {
          // A pattern BuildKit would reject as malformed: it never matches here.
          return () => false;
        }
      }
      return (p) => compiled.test(p);
    }
  }
}

export class IgnoreMatcher {
  private readonly patterns: Pattern[] = [];

  constructor(patterns: readonly string[]) {
    for (const raw of patterns) {
      let p = raw.trim();
      if (p === '') continue;
      p = cleanPath(p);
      let exclusion = false;
      if (p.startsWith('!')) {
        if (p.length === 1) continue;
        exclusion = true;
        p = p.slice(1);
      }
      this.patterns.push({ exclusion, match: compile(p) });
    }
  }

  /** patternmatcher's MatchesOrParentMatches: the path, or one of its parent directories, is excluded. */
  matchesOrParentMatches(file: string): boolean {
    let matched = false;
    const slash = file.lastIndexOf('/');
    // Go's filepath.Dir: the cleaned part before the last separator, "." when there is none.
    const parentPath = slash < 0 ? '.' : cleanPath(file.slice(0, slash) || '/');
    const parentDirs = parentPath.split('/');
    for (const pattern of this.patterns) {
      if (pattern.exclusion !== matched) continue;
      let match = pattern.match(file);
      if (!match && parentPath !== '.') {
        for (let i = 0; i < parentDirs.length && !match; i++) match = pattern.match(parentDirs.slice(0, i + 1).join('/'));
      }
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }
}
