/**
 * Go's path/filepath.Match on Unix, which docker uses for COPY/ADD wildcards
 * and to validate .dockerignore patterns:
 *
 *   '*'  any run of characters except '/'     '?'  one character except '/'
 *   '[' ['^'] ranges ']'  a class (non-empty; 'lo-hi' ranges; '\\' escapes)
 *   '\\' c  the character c                   anything else: itself
 *
 * The whole name must match. A malformed pattern is an error (Go's
 * ErrBadPattern), which we raise when the pattern is compiled rather than
 * only when matching reaches the bad part: docker validates patterns up front.
 */

export class BadPatternError extends Error {
  constructor(pattern: string, why: string) {
    super(`syntax error in pattern ${JSON.stringify(pattern)}: ${why}`);
    this.name = 'BadPatternError';
  }
}

const cache = new Map<string, RegExp>();

/** filepath.Match(pattern, name); throws BadPatternError for a malformed pattern. */
export function goMatch(pattern: string, name: string): boolean {
  return compileGoPattern(pattern).test(name);
}

export function compileGoPattern(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit) return hit;
  const chars = [...pattern]; // runes, as Go iterates them
  let re = '^';
  let i = 0;
  // With the u flag, JS allows `\-` only inside a class, so the two contexts escape differently.
  const escapeOne = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  const escapeInClass = (c: string) => c.replace(/[\\\]^-]/g, '\\$&');
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === '*') {
      re += '[^/]*';
      i++;
    } else if (c === '?') {
      re += '[^/]';
      i++;
    } else if (c === '\\') {
      if (i + 1 >= chars.length) throw new BadPatternError(pattern, 'trailing backslash');
      re += escapeOne(chars[i + 1]!);
      i += 2;
    } else if (c === '[') {
      i++;
      let negate = false;
      if (chars[i] === '^') {
        negate = true;
        i++;
      }
      let body = '';
      let nrange = 0;
      for (;;) {
        if (i >= chars.length) throw new BadPatternError(pattern, 'unterminated character class');
        if (chars[i] === ']' && nrange > 0) {
          i++;
          break;
        }
        const lo = classChar();
        let hi = lo;
        if (chars[i] === '-') {
          i++;
          hi = classChar();
        }
        // lo > hi is not an error in Go; the range simply matches nothing.
        if (lo.codePointAt(0)! <= hi.codePointAt(0)!)
          body += lo === hi ? escapeInClass(lo) : `${escapeInClass(lo)}-${escapeInClass(hi)}`;
        nrange++;
      }
      // Unlike '*' and '?', a class can match '/' (Go checks only the listed ranges).
      re += negate ? (body ? `[^${body}]` : '[^]') : body ? `[${body}]` : '(?!)';
    } else {
      re += escapeOne(c);
      i++;
    }
  }
  re += '$';
  const compiled = new RegExp(re, 'u');
  cache.set(pattern, compiled);
  return compiled;

  function classChar(): string {
    const c = chars[i];
    if (c === undefined) throw new BadPatternError(pattern, 'unterminated character class');
    if (c === '-' || c === ']') throw new BadPatternError(pattern, `unexpected '${c}' in character class`);
    if (c === '\\') {
      const n = chars[i + 1];
      if (n === undefined) throw new BadPatternError(pattern, 'trailing backslash in character class');
      i += 2;
      return n;
    }
    i++;
    return c;
  }
}

/** Whether docker treats a COPY source as a wildcard: an unescaped '*', '?' or '['. */
export function containsWildcards(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}
