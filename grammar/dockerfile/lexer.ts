/**
 * The Dockerfile lexer (chevrotain). A Dockerfile is line-structured, so each
 * token is one physical line, newline included, classified the way BuildKit's
 * scanner loop treats it:
 *
 *   BlankLine         only whitespace
 *   CommentLine       first non-blank character is `#`
 *   ContinuationLine  ends with the escape character (optionally followed by
 *                     blanks), not itself escaped: the instruction goes on
 *   InstructionLine   anything else: the instruction ends here
 *
 * Heredoc bodies are lexed like any other line; the parser takes their raw
 * text. Which character escapes is set by the `# escape=` directive, so there
 * is one lexer per escape character.
 */
import { createToken, Lexer, type CustomPatternMatcherFunc, type IToken, type TokenType } from '../chevrotain.js';
import { isGoSpace } from '../../src/common/go-text.js';
import type { EscapeChar } from './word-lexer.js';

export const enum LineKind {
  Blank,
  Comment,
  Continuation,
  Instruction,
}

/** The end (exclusive) of the physical line starting at `offset`, newline included. */
function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

/** Length of `text[offset, end)` once trailing CR and LF characters are dropped. */
function contentEnd(text: string, offset: number, end: number): number {
  while (end > offset) {
    const c = text.charCodeAt(end - 1);
    if (c !== 0x0a && c !== 0x0d) break;
    end--;
  }
  return end;
}

export function classifyLine(text: string, offset: number, end: number, escape: number): LineKind {
  const cend = contentEnd(text, offset, end);
  let i = offset;
  while (i < cend && isGoSpace(text.charCodeAt(i))) i++;
  if (i === cend) return LineKind.Blank;
  if (text.charCodeAt(i) === 0x23) return LineKind.Comment;
  // BuildKit: ([^E])E[ \t]*$ | ^E[ \t]*$ — an escape, then only blanks, not preceded by another escape.
  let j = cend;
  while (j > offset && (text.charCodeAt(j - 1) === 0x20 || text.charCodeAt(j - 1) === 0x09)) j--;
  if (j > offset && text.charCodeAt(j - 1) === escape && (j - 1 === offset || text.charCodeAt(j - 2) !== escape)) {
    return LineKind.Continuation;
  }
  return LineKind.Instruction;
}

/** Abstract category every line token belongs to: what a heredoc body consumes. */
export const AnyLine = createToken({ name: 'AnyLine', pattern: Lexer.NA });

// The escape character in force for the current tokenize() call (set by lexLines;
// tokenize is synchronous, so this cannot leak between calls).
let escapeCode = 0x5c;

// The four matchers classify the same line in turn; remember the last answer.
let cachedText = '';
let cachedOffset = -1;
let cachedEnd = 0;
let cachedKind = LineKind.Blank;

function classifyAt(text: string, offset: number): void {
  if (offset === cachedOffset && text === cachedText) return;
  cachedText = text;
  cachedOffset = offset;
  cachedEnd = lineEnd(text, offset);
  cachedKind = classifyLine(text, offset, cachedEnd, escapeCode);
}

function lineToken(name: string, kind: LineKind): TokenType {
  const exec: CustomPatternMatcherFunc = (text, offset) => {
    if (offset >= text.length) return null;
    classifyAt(text, offset);
    if (cachedKind !== kind) return null;
    return [text.slice(offset, cachedEnd)] as unknown as RegExpExecArray;
  };
  return createToken({ name, pattern: { exec }, line_breaks: true, categories: [AnyLine] });
}

export const BlankLine = lineToken('BlankLine', LineKind.Blank);
export const CommentLine = lineToken('CommentLine', LineKind.Comment);
export const ContinuationLine = lineToken('ContinuationLine', LineKind.Continuation);
export const InstructionLine = lineToken('InstructionLine', LineKind.Instruction);

export const allTokens: TokenType[] = [AnyLine, BlankLine, CommentLine, ContinuationLine, InstructionLine];

const lexer = new Lexer(allTokens, {
  positionTracking: 'onlyOffset',
  ensureOptimizations: false,
  skipValidations: true,
});

/** Physical lines of `text` as tokens; `escape` decides what a continuation is. */
export function lexLines(text: string, escape: EscapeChar): IToken[] {
  escapeCode = escape.charCodeAt(0);
  cachedOffset = -1;
  cachedText = '';
  const tokens = lexer.tokenize(text).tokens;
  cachedText = ''; // do not keep the file alive
  return tokens;
}
