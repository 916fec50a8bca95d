/**
 * Path globs for cataloger declarations, compiled once to anchored regular
 * expressions: "*" (within a segment), "**" (any segments), "?", "[...]"
 * classes ("[!...]" negated) and "{a,b}" alternatives.
 */

function escape(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? '\\' + c : c;
}

export function globToRegExp(glob: string): RegExp {
  let re = '';
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // "/**/" matches one "/" or any run of whole segments; a trailing "**" anything.
        const slashAfter = glob[i + 2] === '/';
        re += slashAfter ? '(?:[^/]*(?:/[^/]*)*/)?' : '.*';
        i += slashAfter ? 2 : 1;
      } else {
        re += '[^/]*';
      }
    } else if (c === '[') {
      // A character class, copied through ("[0-6S]"); an unclosed "[" is literal.
      const close = glob.indexOf(']', i + 1);
      if (close > i + 1) {
        const body = glob.slice(i + 1, close).replace(/\\/g, '\\\\');
        re += '[' + (body[0] === '!' ? '^' + body.slice(1) : body) + ']';
        i = close;
      } else re += '\\[';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '{') {
      depth++;
      re += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      re += ')';
    } else if (c === ',' && depth > 0) {
      re += '|';
    } else {
      re += escape(c);
    }
  }
  return new RegExp('^' + re + '$');
}

/** The literal text every path a glob matches ends with (".gemspec" for any path of specifications/ gemspecs). */
export function literalSuffix(glob: string): string {
  let i = glob.length;
  while (i > 0 && !'*?[]{},\\'.includes(glob[i - 1]!)) i--;
  return glob.slice(i);
}

export function compileGlobs(globs: readonly string[]): (path: string) => boolean {
  // The suffix first: a catalog tests every path of an image against every glob, and few end right.
  const tests = globs.map((g) => ({ suffix: literalSuffix(g), re: globToRegExp(g) }));
  return (p) => tests.some((t) => p.endsWith(t.suffix) && t.re.test(p));
}
