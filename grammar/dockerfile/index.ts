export { parseDockerfile, parseHeredocWord, MAX_LINE_BYTES } from './parser.js';
export { dumpTree, dumpInstruction } from './dump.js';
export { expandWord, lookupFrom } from './word-lexer.js';
export type { EscapeChar, VariableLookup, WordOutcome, WordResult, WordLexerOptions } from './word-lexer.js';
export { chompedContent, positionInInstruction } from './syntax.js';
export type {
  Directive,
  DirectiveName,
  Heredoc,
  Instruction,
  ParseOutcome,
  ParseWarning,
  SyntaxTree,
} from './syntax.js';
export { isKnownInstruction } from './arguments.js';
