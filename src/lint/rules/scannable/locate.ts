/**
 * Pointing findings at the exact text: an argument of an instruction (the
 * image of a FROM, a source of an ADD, a `--from=` flag), and the commands
 * and words the shell analysis reports for a RUN.
 */
import { positionInInstruction, type Instruction as SyntaxInstruction } from '../../../../grammar/dockerfile/index.js';
import type { Range } from '../../../common/diagnostics.js';
import type { RunInstruction } from '../../../ir/index.js';
import type { RunAnalysis } from '../../types.js';

/** A word of an instruction as written: offsets in the syntax node's `original`. */
export interface WrittenWord {
  text: string;
  start: number;
  end: number;
}

export interface WrittenWords {
  flags: WrittenWord[];
  /** Arguments: whitespace-separated words, or the string literals of a JSON array (quotes included). */
  args: WrittenWord[];
  json: boolean;
}

function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/** Reads a word from `i`: up to the next blank outside quotes. */
function readWord(s: string, i: number): number {
  let quote: string | undefined;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (quote !== undefined) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '\\') i++;
    else if (isBlank(c)) break;
  }
  return Math.min(i, s.length);
}

/** The string literals of the JSON array starting at `open`, or undefined when it is not one. */
function jsonStrings(s: string, open: number): WrittenWord[] | undefined {
  const out: WrittenWord[] = [];
  let i = open + 1;
  for (;;) {
    while (isBlank(s[i])) i++;
    if (s[i] === ']') return out;
    if (s[i] !== '"') return undefined;
    const start = i;
    for (i++; i < s.length && s[i] !== '"'; i++) if (s[i] === '\\') i++;
    if (i >= s.length) return undefined;
    i++;
    out.push({ text: s.slice(start, i), start, end: i });
    while (isBlank(s[i])) i++;
    if (s[i] === ',') i++;
    else if (s[i] !== ']') return undefined;
  }
}

/** The flags and arguments of an instruction as written, after its keyword. */
export function writtenWords(node: SyntaxInstruction): WrittenWords {
  const s = node.original;
  let i = 0;
  while (isBlank(s[i])) i++;
  i = readWord(s, i);
  const out: WrittenWords = { flags: [], args: [], json: false };
  while (i < s.length) {
    while (isBlank(s[i])) i++;
    if (i >= s.length) break;
    if (s.startsWith('--', i) && out.args.length === 0) {
      const end = readWord(s, i);
      out.flags.push({ text: s.slice(i, end), start: i, end });
      i = end;
      continue;
    }
    if (node.json && s[i] === '[' && out.args.length === 0) {
      const strings = jsonStrings(s, i);
      if (strings !== undefined) {
        out.args = strings;
        out.json = true;
        break;
      }
    }
    const end = readWord(s, i);
    out.args.push({ text: s.slice(i, end), start: i, end });
    i = end;
  }
  // Not cached in a module-level WeakMap (see src/lint/memo.ts): the scan is cheap.
  return out;
}

/** The Dockerfile range of `original[start, end)`. */
export function spanRange(node: SyntaxInstruction, start: number, end: number): Range {
  return { start: positionInInstruction(node, start), end: positionInInstruction(node, end) };
}

export function wordRange(node: SyntaxInstruction, w: WrittenWord): Range {
  return spanRange(node, w.start, w.end);
}

/** The range of the flag `--name` (`--from=x`), when written. */
export function flagRange(node: SyntaxInstruction, name: string): Range | undefined {
  const f = writtenWords(node).flags.find((w) => w.text === `--${name}` || w.text.startsWith(`--${name}=`));
  return f ? wordRange(node, f) : undefined;
}

// ---------------------------------------------------------------------------
// RUN ranges

/** How src/lower quotes an exec-form argv into the script it analyses. */
function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Maps ranges of a RUN's analysis to Dockerfile ranges. */
export type Locate = (r: Range) => Range;

const identity: Locate = (r) => r;

/**
 * Shell-form and heredoc scripts are analysed with their Dockerfile positions
 * already. An exec-form RUN is analysed as its argv quoted into one shell line,
 * with positions in that line: map them back into the JSON array, onto the
 * string each position falls in (inside it when the literal has no escapes).
 * When the line is not what we expect, the whole argument list is the range.
 */
export function runLocator(run: RunInstruction, analysis: RunAnalysis): Locate {
  if (run.command.form !== 'exec') return identity;
  const node = run.syntax;
  const argv = run.command.argv;
  const words = writtenWords(node);
  const all: Range =
    words.args.length > 0 ? spanRange(node, words.args[0]!.start, words.args[words.args.length - 1]!.end) : run.range;
  const fallback: Locate = () => all;
  if (!words.json || words.args.length !== argv.length) return fallback;
  const quoted = argv.map(shellQuote);
  if (quoted.join(' ') !== analysis.script) return fallback;
  // Where each quoted argument starts in the script.
  const starts: number[] = [];
  let at = 0;
  for (const q of quoted) {
    starts.push(at);
    at += q.length + 1;
  }
  const lineStarts: number[] = [0];
  for (let i = analysis.script.indexOf('\n'); i >= 0; i = analysis.script.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const offsetOf = (p: { line: number; column: number }): number => (lineStarts[p.line - 1] ?? 0) + p.column - 1;

  const map = (offset: number, isEnd: boolean): { line: number; column: number } => {
    let k = 0;
    while (k + 1 < starts.length && starts[k + 1]! <= offset) k++;
    const q = quoted[k]!;
    const lit = words.args[k]!;
    const inQuoted = offset - starts[k]!;
    if (inQuoted >= q.length)
      return positionInInstruction(node, isEnd ? lit.end : (words.args[k + 1]?.start ?? lit.end));
    // A literal with escapes does not map character for character: the whole literal.
    const plain = lit.end - lit.start === argv[k]!.length + 2;
    const quotedPlain = q === argv[k] || q === `'${argv[k]}'`;
    if (!plain || !quotedPlain) return positionInInstruction(node, isEnd ? lit.end : lit.start);
    const inner = Math.max(0, Math.min(argv[k]!.length, q === argv[k] ? inQuoted : inQuoted - 1));
    return positionInInstruction(node, lit.start + 1 + inner);
  };
  return (r) => ({ start: map(offsetOf(r.start), false), end: map(offsetOf(r.end), true) });
}
