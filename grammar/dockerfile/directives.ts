/**
 * Parser directives (`# syntax=`, `# escape=`, `# check=`). BuildKit looks for
 * them only in the leading run of `#` lines: the first line that is not a
 * well-formed directive with a known name ends the search for good, and that
 * includes a blank line, an ordinary comment or an unknown key.
 */
import { isGoSpace } from '../../src/common/go-text.js';
import type { DirectiveName } from './syntax.js';
import type { EscapeChar } from './word-lexer.js';

export interface FoundDirective {
  name: DirectiveName;
  value: string;
  /** 0-based index of the physical line. */
  lineIndex: number;
}

export interface DirectiveScan {
  directives: FoundDirective[];
  escape: EscapeChar;
  error?: { lineIndex: number; message: string };
}

// BuildKit's pattern, with RE2's \s spelled out (RE2 \s excludes \v).
const DIRECTIVE = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*([^\n]+?)[\t\n\f\r ]*$/;
const KNOWN: ReadonlySet<string> = new Set(['syntax', 'escape', 'check']);

function lineContent(line: string): string {
  // BuildKit trims all trailing CR/LF, then leading whitespace.
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 0x0a || line.charCodeAt(end - 1) === 0x0d)) end--;
  let start = 0;
  while (start < end && isGoSpace(line.charCodeAt(start))) start++;
  return line.slice(start, end);
}

/**
 * Directives at the top of a file. `lines` yields physical lines (with their
 * line endings); only as many are read as the directive block needs.
 */
export function scanDirectives(lines: Iterable<string>): DirectiveScan {
  const directives: FoundDirective[] = [];
  const seen = new Set<string>();
  let escape: EscapeChar = '\\';
  let lineIndex = 0;
  for (const raw of lines) {
    const content = lineContent(raw);
    if (content.charCodeAt(0) !== 0x23 /* # */) break;
    let body = content.slice(1);
    let i = 0;
    while (i < body.length && isGoSpace(body.charCodeAt(i))) i++;
    body = body.slice(i);
    const m = DIRECTIVE.exec(body);
    if (!m) break;
    const name = m[1]!.toLowerCase();
    if (!KNOWN.has(name)) break;
    if (seen.has(name)) {
      return { directives, escape, error: { lineIndex, message: `only one ${name} parser directive can be used` } };
    }
    seen.add(name);
    const value = m[2]!;
    if (name === 'escape') {
      if (value !== '`' && value !== '\\') {
        return {
          directives,
          escape,
          error: { lineIndex, message: `invalid escape token '${value}' does not match \` or \\` },
        };
      }
      escape = value;
    }
    directives.push({ name: name as DirectiveName, value, lineIndex });
    lineIndex++;
  }
  return { directives, escape };
}
