/**
 * The Dockerfile syntax tree: what BuildKit's parser (frontend/dockerfile/parser)
 * produces, plus source ranges. One node per instruction; arguments are kept
 * exactly as BuildKit splits them, so that `--format buildkit` is a byte-exact
 * dump and the typed IR (src/ir) can interpret them the way BuildKit does.
 */
import type { Diagnostic, Range } from '../../src/common/diagnostics.js';
import type { EscapeChar } from './word-lexer.js';

export type DirectiveName = 'syntax' | 'escape' | 'check';

export interface Directive {
  name: DirectiveName;
  value: string;
  range: Range;
}

export interface Heredoc {
  /** Delimiter word with quotes removed. */
  name: string;
  /** File descriptor prefix, as in `3<<EOF`; 0 when absent. */
  fd: number;
  /** False when any part of the delimiter was quoted: the body is not expanded. */
  expand: boolean;
  /** `<<-`: leading tabs are stripped from the body (see `chompedContent`). */
  chomp: boolean;
  /** The body exactly as written, each line with its newline; tabs not yet stripped. */
  content: string;
  /** Body lines and the terminator line. */
  range: Range;
}

export interface Instruction {
  /** The instruction word as written (case preserved). */
  keyword: string;
  /** Leading `--flag[=value]` words, lexed as BuildKit does (quotes and escapes removed). */
  flags: string[];
  /**
   * The arguments as BuildKit's line parser splits them. Their shape depends on
   * the instruction: ENV/LABEL give (name, value, separator) triples, HEALTHCHECK
   * gives its type followed by the command, ONBUILD has none (see `trigger`).
   */
  args: string[];
  /** Arguments were a JSON array (exec form). */
  json: boolean;
  heredocs: Heredoc[];
  /** The instruction after line joining, heredoc bodies excluded. */
  original: string;
  /** From the keyword to the end of the last line (heredoc bodies included). */
  range: Range;
  /** Comment lines directly above the instruction, `#` removed. */
  prevComment: string[];
  /** ONBUILD's trigger instruction. */
  trigger?: Instruction;
  /**
   * Where `original` came from: triples (offset in original, line, column).
   * Used to point at a position inside a joined, multi-line instruction.
   */
  segments: number[];
}

export interface ParseWarning {
  /** BuildKit's rule name for the warning. */
  rule: 'NoEmptyContinuation';
  message: string;
  detail: string;
  url: string;
  range: Range;
}

export interface SyntaxTree {
  file: string;
  escape: EscapeChar;
  directives: Directive[];
  instructions: Instruction[];
  warnings: ParseWarning[];
}

export type ParseOutcome = { ok: true; tree: SyntaxTree } | { ok: false; diagnostics: Diagnostic[] };

/** Heredoc body with `<<-` tab stripping applied (BuildKit applies it at dispatch). */
export function chompedContent(h: Heredoc): string {
  // Go's (?m)^ starts a line only after \n; JS's m flag would also split at \r and U+2028.
  return h.chomp ? h.content.replace(/(^|\n)\t+/g, '$1') : h.content;
}

/** Source position of a character of `original`, for pointing into joined lines. */
export function positionInInstruction(ins: Instruction, offset: number): { line: number; column: number } {
  const seg = ins.segments;
  let i = 0;
  while (i + 3 < seg.length && seg[i + 3]! <= offset) i += 3;
  if (seg.length === 0) return ins.range.start;
  return { line: seg[i + 1]!, column: seg[i + 2]! + (offset - seg[i]!) };
}
