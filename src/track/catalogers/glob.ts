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

export function compileGlobs(globs: readonly string[]): (path: string) => boolean {
  const res = globs.map(globToRegExp);
  return (p) => res.some((r) => r.test(p));
}
