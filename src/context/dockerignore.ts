/**
 * .dockerignore, read and matched the way docker does (the ignore-file reader
 * and pattern matcher of moby/patternmatcher, and the context walk of docker's
 * archive package). Summary of the rules, all reproduced here:
 *
 * - Reading: a line starting with '#' (before any trimming) is a comment; lines
 *   are trimmed of Unicode whitespace; blank lines are dropped; a leading '!'
 *   marks an exception (trimmed again after the '!'); the pattern is
 *   filepath.Clean'ed and a leading '/' dropped. A UTF-8 BOM on line 1 is ignored.
 * - Matching: later lines win. '*' and '?' never match '/', '**' matches any
 *   number of directories, '[...]' classes and '\\' escapes as in Go. A
 *   pattern that matches a directory excludes everything below it.
 * - Walking: an excluded directory is not descended into, unless an exception
 *   pattern starts with that directory's path (then its entries are matched
 *   one by one; the directory entry itself stays excluded).
 *
 * Docker 20.10's client (what the legacy builder here uses) differs from
 * current docker in two corners; `legacy: true` reproduces it: its parent
 * check looks only at the parent prefix with as many components as the
 * pattern has, and it leaves regex characters `+()|{}` unescaped.
 */
import { trimGoSpace } from '../common/go-text.js';
import { BadPatternError, compileGoPattern } from './go-match.js';

/** The patterns of a .dockerignore file, as docker's reader returns them. */
export function parseDockerignore(text: string): string[] {
  const out: string[] = [];
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, index) => {
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw; // bufio.ScanLines drops one trailing CR
    if (index === 0 && line.startsWith('\uFEFF')) line = line.slice(1);
    if (line.startsWith('#')) return;
    let pattern = trimGoSpace(line);
    if (pattern === '') return;
    const invert = pattern.startsWith('!');
    if (invert) pattern = trimGoSpace(pattern.slice(1));
    if (pattern.length > 0) {
      pattern = goClean(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    out.push(invert ? `!${pattern}` : pattern);
  });
  return out;
}

/** Go's path.Clean: "." for empty, no trailing slash, "." and ".." resolved lexically, "/.." is "/". */
export function goClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
      continue;
    }
    parts.push(part);
  }
  const body = parts.join('/');
  return rooted ? `/${body}` : body || '.';
}

type MatchKind = 'exact' | 'prefix' | 'suffix' | 'regexp';

export class IgnorePattern {
  readonly exclusion: boolean;
  /** The cleaned pattern, without its '!'. */
  readonly text: string;
  readonly dirs: number;
  private kind: MatchKind = 'exact';
  private regexp: RegExp | undefined;

  constructor(text: string, exclusion: boolean, legacy: boolean) {
    this.text = text;
    this.exclusion = exclusion;
    this.dirs = text.split('/').length;
    this.compile(legacy);
  }

  matches(path: string): boolean {
    switch (this.kind) {
      case 'exact':
        return path === this.text;
      case 'prefix':
        return path.startsWith(this.text.slice(0, -2));
      case 'suffix': {
        const suffix = this.text.slice(2);
        return path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
      }
      case 'regexp':
        return this.regexp!.test(path);
    }
  }

  /**
   * The pattern as a regular expression, as patternmatcher builds it; current
   * docker also short-cuts patterns without wildcards (exact), ending in '**'
   * (prefix) or starting with '**' (suffix), which is observable, so we do too.
   */
  private compile(legacy: boolean): void {
    const chars = [...this.text];
    const escapeSet = legacy ? '.$' : '.+()|{}$';
    let re = '^';
    let kind: MatchKind = 'exact';
    for (let i = 0, step = 0; i < chars.length; step++) {
      const ch = chars[i++]!;
      if (ch === '*') {
        if (chars[i] === '*') {
          i++;
          if (chars[i] === '/') i++;
          if (i >= chars.length) {
            if (kind === 'exact' && !legacy) kind = 'prefix';
            else {
              re += '.*';
              kind = 'regexp';
            }
          } else {
            re += '(.*/)?';
            kind = 'regexp';
          }
          if (step === 0 && !legacy) kind = 'suffix';
        } else {
          re += '[^/]*';
          kind = 'regexp';
        }
      } else if (ch === '?') {
        re += '[^/]';
        kind = 'regexp';
      } else if (escapeSet.includes(ch)) {
        re += `\\${ch}`;
      } else if (ch === '\\') {
        if (i < chars.length) {
          re += goRegexpEscape(chars[i++]!);
          kind = 'regexp';
        } else re += '\\\\';
      } else if (ch === '[' || ch === ']') {
        re += ch;
        kind = 'regexp';
      } else {
        re += ch;
      }
    }
    if (legacy) kind = 'regexp';
    if (kind === 'regexp') {
      try {
        this.regexp = new RegExp(`${translateClasses(re)}$`, 'u');
      } catch {
        throw new BadPatternError(this.text, 'not a valid pattern');
      }
    }
    this.kind = kind;
  }
}

/** Go's regexp syntax where it differs from JavaScript's: `\c` for a punctuation or letter c. */
function goRegexpEscape(c: string): string {
  if (/[dDsSwWbB]/.test(c)) return `\\${c}`;
  if (/[A-Za-z0-9]/.test(c)) return c; // other letter escapes are errors in Go; matching the letter is the closest
  return `\\${c}`;
}

/** POSIX classes inside brackets ([[:alpha:]]) are Go regexp syntax; JavaScript needs them spelled out. */
function translateClasses(re: string): string {
  const posix: Record<string, string> = {
    alpha: 'A-Za-z',
    digit: '0-9',
    alnum: 'A-Za-z0-9',
    upper: 'A-Z',
    lower: 'a-z',
    space: '\\t\\n\\v\\f\\r ',
    xdigit: '0-9A-Fa-f',
    word: '0-9A-Za-z_',
    punct: '!-\\/:-@\\[-`{-~',
  };
  return re.replace(/\[:(\w+):\]/g, (m, name: string) => posix[name] ?? m);
}

/** Per-pattern parent results, carried down a walk (patternmatcher's MatchInfo). */
export type MatchInfo = boolean[];

export class PatternMatcher {
  readonly patterns: IgnorePattern[];
  readonly hasExclusions: boolean;
  private readonly legacy: boolean;

  /** Throws BadPatternError for a malformed pattern, and for a lone "!". */
  constructor(patterns: string[], options: { legacy?: boolean } = {}) {
    this.legacy = options.legacy ?? false;
    this.patterns = [];
    for (let p of patterns) {
      p = trimGoSpace(p);
      if (p === '') continue;
      p = goClean(p);
      let exclusion = false;
      if (p.startsWith('!')) {
        if (p.length === 1) throw new BadPatternError('!', 'illegal exclusion pattern');
        exclusion = true;
        p = p.slice(1);
      }
      compileGoPattern(p); // docker validates each pattern with filepath.Match
      this.patterns.push(new IgnorePattern(p, exclusion, this.legacy));
    }
    this.hasExclusions = this.patterns.some((p) => p.exclusion);
  }

  /** Whether a path (relative, '/'-separated) is excluded, its parents considered. */
  matches(file: string): boolean {
    return this.legacy ? this.legacyMatches(file) : this.matchesUsingParent(file, undefined).matched;
  }

  /**
   * The walk's form: the parent directory's per-pattern results stand in for
   * matching every parent prefix again. Without them, every prefix is tried.
   */
  matchesUsingParent(file: string, parent: MatchInfo | undefined): { matched: boolean; info: MatchInfo } {
    if (this.legacy) return { matched: this.legacyMatches(file), info: [] };
    let matched = false;
    const info: MatchInfo = new Array<boolean>(this.patterns.length).fill(false);
    this.patterns.forEach((pattern, i) => {
      let match = parent ? parent[i]! : false;
      if (!match) {
        if (pattern.exclusion !== matched) return;
        match = pattern.matches(file);
        if (!match && !parent) {
          const dirs = parentDirs(file);
          for (let k = 1; k <= dirs.length && !match; k++) match = pattern.matches(dirs.slice(0, k).join('/'));
        }
      }
      info[i] = match;
      if (match) matched = !pattern.exclusion;
    });
    return { matched, info };
  }

  /** Docker 20.10: only the parent prefix as deep as the pattern is checked. */
  private legacyMatches(file: string): boolean {
    let matched = false;
    const dirs = parentDirs(file);
    for (const pattern of this.patterns) {
      let match = pattern.matches(file);
      if (!match && dirs.length && pattern.dirs <= dirs.length)
        match = pattern.matches(dirs.slice(0, pattern.dirs).join('/'));
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }

  /** Whether an excluded directory must still be walked: an exception pattern starts with it. */
  mustDescend(dir: string): boolean {
    if (!this.hasExclusions) return false;
    const prefix = `${dir}/`;
    return this.patterns.some((p) => p.exclusion && `${p.text}/`.startsWith(prefix));
  }
}

function parentDirs(file: string): string[] {
  const i = file.lastIndexOf('/');
  return i < 0 ? [] : file.slice(0, i).split('/');
}
