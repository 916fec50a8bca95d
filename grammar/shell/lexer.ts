/**
 * The shell lexer (chevrotain). Operators are plain string tokens; words,
 * keywords, heredocs and the end of a `$(...)` need context and use custom
 * matchers:
 *
 *   Word        one whole shell word, scanned by words.ts (quotes, `$(...)`, ...)
 *   keywords    `if`, `then`, `{`, `!`, ... when they form a whole unquoted word;
 *               their category is Word, so they are ordinary words where the
 *               grammar does not expect a keyword (`echo done`)
 *   Newline     a newline, plus the bodies of the heredocs opened on its line
 *   EndOfSubst  inside `$(...)`: the `)` that closes it; it swallows the rest
 *               of the text so that the nested tokenize stops there
 *
 * `$(...)` is lexed by a nested tokenize call on the text after `$(`. The
 * tokens of every substitution are kept in `session.substitutions` for the
 * parser, which parses them after the outer script.
 */
import { createToken, Lexer, type CustomPatternMatcherFunc, type IToken, type TokenType } from '../chevrotain.js';
import type { CommandSubstitutionPart, ProcessSubstitutionPart, Word as WordNode } from './syntax.js';
import { endsWord, MAX_NESTING, scanHeredocParts, scanWord } from './words.js';

/** A syntax error before line/column are known; offsets are in the outer script. */
export interface RawError {
  start: number;
  end: number;
  message: string;
}

/** Payload of a `<<` / `<<-` token: filled in as the lexer reaches the delimiter word and the body. */
export interface PendingHeredoc {
  stripTabs: boolean;
  delimiter: string;
  quoted: boolean;
  /** The delimiter word has been read. */
  hasDelimiter: boolean;
  /** The body has been read (a newline followed the operator's line). */
  hasBody: boolean;
  terminated: boolean;
  /** Body content, outer-script offsets (terminator line excluded). */
  bodyStart: number;
  bodyEnd: number;
  content: WordNode | null;
}

/** The tokens of a `$(...)`, backquoted or process substitution, parsed after the outer script. */
export interface PendingSubstitution {
  part: CommandSubstitutionPart | ProcessSubstitutionPart;
  tokens: IToken[];
  /** Added to token offsets to get outer-script offsets. */
  base: number;
  /** Inside backquotes the text was unescaped first; this maps its offsets to outer-script offsets. */
  offsets: Int32Array | null;
}

/** State shared by the lexer, the word scanner and the parser for one parse. */
export const session = {
  /** Outer-script offset of the text the current lexer frame sees. */
  base: 0,
  depth: 0,
  /** Set while lexing the unescaped body of a backquoted substitution. */
  offsets: null as Int32Array | null,
  errors: [] as RawError[],
  substitutions: [] as PendingSubstitution[],
};

/** Maps an offset of the current frame (base included) to an outer-script offset. */
export function outerOffset(offset: number, offsets: Int32Array | null = session.offsets): number {
  if (offsets === null) return offset;
  return offsets[Math.max(0, Math.min(offset, offsets.length - 1))]!;
}

/** Records a syntax error; `start`/`end` are offsets of the current frame with its base added. */
export function report(start: number, end: number, message: string): void {
  session.errors.push({ start: outerOffset(start), end: outerOffset(end), message });
}

/** What one tokenize call needs to remember between tokens. */
interface Frame {
  /** Inside `$(...)`: an unmatched `)` ends the text. */
  nested: boolean;
  /** Set by `<<`: the next word is a heredoc delimiter. */
  expectDelimiter: PendingHeredoc | null;
  /** Heredocs whose bodies start after the next newline. */
  pending: PendingHeredoc[];
  // Structure seen so far in a nested frame, to tell the closing `)` from a case pattern's `)`.
  analyzed: number;
  parens: number;
  caseStates: CaseState[];
  commandStart: boolean;
  patternStart: boolean;
}

const enum CaseState {
  Subject,
  Pattern,
  Body,
}

function newFrame(nested: boolean): Frame {
  return {
    nested,
    expectDelimiter: null,
    pending: [],
    analyzed: 0,
    parens: 0,
    caseStates: [],
    commandStart: true,
    patternStart: false,
  };
}

let frame: Frame = newFrame(false);

type MatchResult = RegExpExecArray & { payload?: unknown };

function result(image: string): MatchResult {
  return [image] as unknown as MatchResult;
}

function custom(exec: CustomPatternMatcherFunc): { exec: CustomPatternMatcherFunc } {
  return { exec };
}

/** The index after the blanks and line continuations at `i`. */
function blanksEnd(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09) i++;
    else if (c === 0x5c && text.charCodeAt(i + 1) === 0x0a) i += 2;
    else return i;
  }
}

/**
 * Every token takes the blanks after it into its image, so that the lexer
 * makes one step per token instead of two (blanks follow most tokens).
 * `plain` is the image without blanks, returned as is when none follow.
 */
function withBlanks(
  text: string,
  offset: number,
  length: number,
  plain: MatchResult,
  spaced?: MatchResult,
): MatchResult {
  const end = offset + length;
  const c = text.charCodeAt(end);
  if (c !== 0x20 && c !== 0x09 && c !== 0x5c) return plain;
  // The common case, one space, has a ready-made image.
  if (spaced !== undefined && c === 0x20) {
    const d = text.charCodeAt(end + 1);
    if (d !== 0x20 && d !== 0x09 && d !== 0x5c) return spaced;
  }
  const after = blanksEnd(text, end);
  return after === end ? plain : result(text.slice(offset, after));
}

/** Text of operator and keyword tokens (their images also hold the blanks after them), by token type index. */
const FIXED_TEXT: string[] = [];

function setText(type: TokenType, text: string): void {
  // Keep the array dense (a hole would take V8 off its fast path): '' marks no text.
  while (FIXED_TEXT.length <= type.tokenTypeIdx!) FIXED_TEXT.push('');
  FIXED_TEXT[type.tokenTypeIdx!] = text;
}

/** What a token stands for: a word's text, an operator or keyword, without trailing blanks. */
export function tokenText(t: IToken): string {
  const payload = t.payload as { kind?: string; text?: string } | undefined;
  if (payload !== undefined && typeof payload.text === 'string') return payload.text;
  const fixed = t.tokenTypeIdx < FIXED_TEXT.length ? FIXED_TEXT[t.tokenTypeIdx]! : '';
  return fixed !== '' ? fixed : t.image;
}

// ---------------------------------------------------------------------------
// Categories

/** Any word, including keywords used as plain words. */
const wordResult = result('');
export const Word = createToken({
  name: 'Word',
  label: 'word',
  line_breaks: true,
  pattern: custom((text, offset) => {
    const c = text.charCodeAt(offset);
    // `<` and `>` start a word only as process substitution.
    if ((c === 0x3c || c === 0x3e) && text.charCodeAt(offset + 1) !== 0x28) return null;
    const { word, end } = scanWord(text, offset);
    const pending = frame.expectDelimiter;
    if (pending !== null) {
      frame.expectDelimiter = null;
      registerDelimiter(pending, word);
    }
    if (end <= offset) return null;
    wordResult[0] = word.text;
    const c1 = text.charCodeAt(end);
    if (c1 === 0x20 || c1 === 0x09 || c1 === 0x5c) {
      const after = blanksEnd(text, end);
      if (after > end) wordResult[0] = text.slice(offset, after);
    }
    wordResult.payload = word;
    return wordResult;
  }),
  start_chars_hint: wordStartChars(),
});

/** Redirection operators that take a file or descriptor word. */
export const RedirectOp = createToken({ name: 'RedirectOp', pattern: Lexer.NA });
/** `<<` and `<<-`. */
export const HeredocOp = createToken({ name: 'HeredocOp', pattern: Lexer.NA });

// ---------------------------------------------------------------------------
// Skipped

/** Blanks and line continuations between words. */
export const Blank = createToken({
  name: 'Blank',
  group: Lexer.SKIPPED,
  line_breaks: true,
  pattern: custom((text, offset) => {
    let i = offset;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09) i++;
      else if (c === 0x5c && text.charCodeAt(i + 1) === 0x0a) i += 2;
      else break;
    }
    return i === offset ? null : result(text.slice(offset, i));
  }),
  start_chars_hint: [' ', '\t', '\\'],
});
export const Comment = createToken({ name: 'Comment', pattern: /#[^\n]*/, group: Lexer.SKIPPED });

// ---------------------------------------------------------------------------
// Newline (with heredoc bodies)

const newlineResult = result('\n');
export const Newline = createToken({
  name: 'Newline',
  label: 'newline',
  line_breaks: true,
  pattern: custom((text, offset) => {
    const f = frame;
    f.expectDelimiter = null;
    if (f.pending.length === 0) return withBlanks(text, offset, 1, newlineResult);
    let pos = offset + 1;
    for (const h of f.pending) pos = readHeredocBody(text, pos, h);
    f.pending = [];
    return result(text.slice(offset, blanksEnd(text, pos)));
  }),
  start_chars_hint: ['\n'],
});

// ---------------------------------------------------------------------------
// Operators (order matters where one is a prefix of another)

/**
 * An operator. Matched by comparing characters rather than by chevrotain's
 * regular expressions: operators sit between most words, so this is hot.
 */
function op(name: string, image: string, categories: TokenType[] = []): TokenType {
  const m = result(image);
  const ms = result(image + ' ');
  const n = image.length;
  const c0 = image.charCodeAt(0);
  const c1 = n > 1 ? image.charCodeAt(1) : -1;
  const c2 = n > 2 ? image.charCodeAt(2) : -1;
  const exec: CustomPatternMatcherFunc =
    n === 1
      ? (text, offset) => (text.charCodeAt(offset) === c0 ? withBlanks(text, offset, 1, m, ms) : null)
      : n === 2
        ? (text, offset) =>
            text.charCodeAt(offset) === c0 && text.charCodeAt(offset + 1) === c1
              ? withBlanks(text, offset, 2, m, ms)
              : null
        : (text, offset) =>
            text.charCodeAt(offset) === c0 && text.charCodeAt(offset + 1) === c1 && text.charCodeAt(offset + 2) === c2
              ? withBlanks(text, offset, 3, m, ms)
              : null;
  const type = createToken({
    name,
    label: `\`${image}\``,
    pattern: { exec },
    categories,
    start_chars_hint: [image[0]!],
    line_breaks: true,
  });
  setText(type, image);
  return type;
}

export const AndIf = op('AndIf', '&&');
export const AndDGreat = op('AndDGreat', '&>>', [RedirectOp]);
export const AndGreat = op('AndGreat', '&>', [RedirectOp]);
export const Amp = op('Amp', '&');
export const OrIf = op('OrIf', '||');
export const PipeAmp = op('PipeAmp', '|&');
export const Pipe = op('Pipe', '|');
export const DSemiAmp = op('DSemiAmp', ';;&');
export const DSemi = op('DSemi', ';;');
export const SemiAmp = op('SemiAmp', ';&');
export const Semi = op('Semi', ';');
export const TLess = op('TLess', '<<<', [RedirectOp]);

function heredocOp(name: string, image: string, stripTabs: boolean): TokenType {
  const type = createToken({
    name,
    label: `\`${image}\``,
    categories: [HeredocOp],
    pattern: custom((text, offset) => {
      if (!text.startsWith(image, offset)) return null;
      const pending: PendingHeredoc = {
        stripTabs,
        delimiter: '',
        quoted: false,
        hasDelimiter: false,
        hasBody: false,
        terminated: false,
        bodyStart: 0,
        bodyEnd: 0,
        content: null,
      };
      frame.expectDelimiter = pending;
      const m = result(text.slice(offset, blanksEnd(text, offset + image.length)));
      m.payload = pending;
      return m;
    }),
    start_chars_hint: ['<'],
    line_breaks: true,
  });
  setText(type, image);
  return type;
}

export const DLessDash = heredocOp('DLessDash', '<<-', true);
export const DLess = heredocOp('DLess', '<<', false);
export const LessAnd = op('LessAnd', '<&', [RedirectOp]);
export const LessGreat = op('LessGreat', '<>', [RedirectOp]);
export const DGreat = op('DGreat', '>>', [RedirectOp]);
export const GreatAnd = op('GreatAnd', '>&', [RedirectOp]);
export const Clobber = op('Clobber', '>|', [RedirectOp]);
export const Less = op('Less', '<', [RedirectOp]);
export const Great = op('Great', '>', [RedirectOp]);

/** bash `(( ... ))` as one token (also the header of `for ((...))`). */
export const ArithCommand = createToken({
  name: 'ArithCommand',
  label: '`((...))`',
  line_breaks: true,
  pattern: custom((text, offset) => {
    if (text.charCodeAt(offset + 1) !== 0x28) return null;
    const end = arithmeticCommandEnd(text, offset);
    if (end < 0) return null;
    const m = result(text.slice(offset, blanksEnd(text, end)));
    m.payload = { text: text.slice(offset, end) };
    return m;
  }),
  start_chars_hint: ['('],
});
export const LParen = op('LParen', '(');
export const EndOfSubst = createToken({
  name: 'EndOfSubst',
  label: '`)`',
  line_breaks: true,
  pattern: custom((text, offset, tokens) => {
    const f = frame;
    if (!f.nested || !closesSubstitution(f, tokens)) return null;
    // Swallow the rest: the nested tokenize ends here (an O(1) slice in V8).
    return result(text.slice(offset));
  }),
  start_chars_hint: [')'],
});
export const RParen = op('RParen', ')');

/** `2>`: digits directly before a redirection operator. */
export const IoNumber = createToken({
  name: 'IoNumber',
  label: 'descriptor number',
  pattern: custom((text, offset) => {
    let j = offset;
    while (j < text.length && text.charCodeAt(j) >= 0x30 && text.charCodeAt(j) <= 0x39) j++;
    const c = text.charCodeAt(j);
    return j > offset && (c === 0x3c || c === 0x3e) ? result(text.slice(offset, j)) : null;
  }),
  start_chars_hint: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
});

// ---------------------------------------------------------------------------
// Keywords: a whole unquoted word equal to the keyword

function keyword(name: string, image: string): TokenType {
  const m = result(image);
  const ms = result(image + ' ');
  const len = image.length;
  const type = createToken({
    name,
    label: `\`${image}\``,
    categories: [Word],
    line_breaks: true,
    pattern: custom((text, offset) => {
      if (frame.expectDelimiter !== null || !text.startsWith(image, offset)) return null;
      if (offset + len < text.length && !endsWord(text.charCodeAt(offset + len))) return null;
      return withBlanks(text, offset, len, m, ms);
    }),
    start_chars_hint: [image[0]!],
  });
  setText(type, image);
  return type;
}

export const If = keyword('If', 'if');
export const Then = keyword('Then', 'then');
export const Elif = keyword('Elif', 'elif');
export const Else = keyword('Else', 'else');
export const Fi = keyword('Fi', 'fi');
export const Do = keyword('Do', 'do');
export const Done = keyword('Done', 'done');
export const Case = keyword('Case', 'case');
export const Esac = keyword('Esac', 'esac');
export const While = keyword('While', 'while');
export const Until = keyword('Until', 'until');
export const For = keyword('For', 'for');
export const Select = keyword('Select', 'select');
export const In = keyword('In', 'in');
export const Function = keyword('Function', 'function');
export const Time = keyword('Time', 'time');
export const LBrace = keyword('LBrace', '{');
export const RBrace = keyword('RBrace', '}');
export const Bang = keyword('Bang', '!');
export const DLBracket = keyword('DLBracket', '[[');
export const DRBracket = keyword('DRBracket', ']]');

/** Keywords that end a list: they never start a command. */
export const CLOSERS: readonly TokenType[] = [Then, Elif, Else, Fi, Do, Done, Esac, RBrace];

export const allTokens: TokenType[] = [
  Word,
  RedirectOp,
  HeredocOp,
  Blank,
  Comment,
  Newline,
  AndIf,
  AndDGreat,
  AndGreat,
  Amp,
  OrIf,
  PipeAmp,
  Pipe,
  DSemiAmp,
  DSemi,
  SemiAmp,
  Semi,
  TLess,
  DLessDash,
  DLess,
  LessAnd,
  LessGreat,
  DGreat,
  GreatAnd,
  Clobber,
  Less,
  Great,
  ArithCommand,
  LParen,
  EndOfSubst,
  RParen,
  IoNumber,
  If,
  Then,
  Elif,
  Else,
  Fi,
  Do,
  Done,
  Case,
  Esac,
  While,
  Until,
  For,
  Select,
  In,
  Function,
  Time,
  LBrace,
  RBrace,
  Bang,
  DLBracket,
  DRBracket,
];

// Word goes after the keywords and IoNumber but before `<` and `>` (process substitution).
const lexerOrder: TokenType[] = allTokens.filter((t) => t !== Word && t !== Less && t !== Great);
lexerOrder.push(Word, Less, Great);

const lexer = new Lexer(lexerOrder, {
  positionTracking: 'onlyOffset',
  ensureOptimizations: true,
  skipValidations: true,
});

/**
 * First characters a Word may have: everything but blanks and operator
 * characters (`<`/`>` for `<(`). Above 255 chevrotain groups characters into
 * buckets of 255, so one character per bucket is enough.
 */
function wordStartChars(): number[] {
  const out: number[] = [];
  for (let c = 0; c < 256; c++) {
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x3b || c === 0x26 || c === 0x7c || c === 0x28 || c === 0x29)
      continue;
    out.push(c);
  }
  for (let c = 256; c < 0x10000; c += 255) out.push(c);
  out.push(0xffff);
  return out;
}

// ---------------------------------------------------------------------------
// Heredocs

function registerDelimiter(h: PendingHeredoc, word: WordNode): void {
  let delimiter = '';
  let quoted = false;
  for (const p of word.parts) {
    if (p.kind === 'Literal') {
      delimiter += p.value;
      // An escaped character quotes the delimiter too.
      if (p.end - p.start !== p.value.length) quoted = true;
    } else if (p.kind === 'SingleQuoted') {
      delimiter += p.value;
      quoted = true;
    } else if (p.kind === 'DoubleQuoted') {
      quoted = true;
      for (const q of p.parts)
        delimiter += q.kind === 'Literal' ? q.value : word.text.slice(q.start - word.start, q.end - word.start);
    } else {
      // `$x` in a delimiter is taken literally by the shell.
      delimiter += word.text.slice(p.start - word.start, p.end - word.start);
    }
  }
  h.delimiter = delimiter;
  h.quoted = quoted;
  h.hasDelimiter = true;
  frame.pending.push(h);
}

/** Reads the body of `h` starting at `pos` (a line start); returns the index after its terminator line. */
function readHeredocBody(text: string, pos: number, h: PendingHeredoc): number {
  const start = pos;
  let bodyEnd = text.length;
  let next = text.length;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl < 0 ? text.length : nl;
    let lineStart = pos;
    if (h.stripTabs) while (lineStart < lineEnd && text.charCodeAt(lineStart) === 0x09) lineStart++;
    if (lineEnd - lineStart === h.delimiter.length && text.startsWith(h.delimiter, lineStart)) {
      bodyEnd = pos;
      next = nl < 0 ? text.length : nl + 1;
      h.terminated = true;
      break;
    }
    pos = nl < 0 ? text.length : nl + 1;
  }
  h.hasBody = true;
  h.bodyStart = session.base + start;
  h.bodyEnd = session.base + bodyEnd;
  if (!h.terminated) {
    report(
      session.base + start,
      session.base + text.length,
      `unterminated heredoc: no line holding only "${h.delimiter}" closes it`,
    );
  }
  h.content = heredocContent(text, start, bodyEnd, h);
  return next;
}

function heredocContent(text: string, start: number, end: number, h: PendingHeredoc): WordNode {
  const raw = text.slice(start, end);
  const base = session.base;
  if (h.quoted) {
    const value = h.stripTabs ? raw.replace(/(^|\n)\t+/g, '$1') : raw;
    const parts = value === '' ? [] : [{ kind: 'Literal' as const, value, start: base + start, end: base + end }];
    return { kind: 'Word', text: raw, parts, start: base + start, end: base + end };
  }
  return {
    kind: 'Word',
    text: raw,
    parts: scanHeredocParts(text, start, end, h.stripTabs),
    start: base + start,
    end: base + end,
  };
}

// ---------------------------------------------------------------------------
// Arithmetic command `((...))`

/** The end of `((...))` at `offset`, or -1 when the parentheses are nested subshells instead. */
function arithmeticCommandEnd(text: string, offset: number): number {
  let depth = 0;
  for (let j = offset + 2; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x28) depth++;
    else if (c === 0x29) {
      if (depth === 0) return text.charCodeAt(j + 1) === 0x29 ? j + 2 : -1;
      depth--;
    } else if (c === 0x5c) j++;
    else if (c === 0x27 || c === 0x22) {
      const close = text.indexOf(text[j]!, j + 1);
      if (close < 0) return -1;
      j = close;
    }
  }
  return -1;
}

// ---------------------------------------------------------------------------
// Where does `$(...)` end? Follow parentheses and case patterns over the tokens so far.

const SEPARATORS = new Set<TokenType>([
  Newline,
  Semi,
  Amp,
  AndIf,
  OrIf,
  Pipe,
  PipeAmp,
  LParen,
  DSemi,
  SemiAmp,
  DSemiAmp,
]);
const LIST_OPENERS = new Set<TokenType>([If, Then, Else, Elif, Do, While, Until, Bang, LBrace, RBrace, Time]);

function closesSubstitution(f: Frame, tokens: IToken[]): boolean {
  for (; f.analyzed < tokens.length; f.analyzed++) {
    const type = tokens[f.analyzed]!.tokenType;
    const states = f.caseStates;
    const state = states.length > 0 ? states[states.length - 1]! : -1;
    if (state === CaseState.Pattern) {
      if (type === LParen && f.patternStart) f.patternStart = false;
      else if (type === RParen) {
        states[states.length - 1] = CaseState.Body;
        f.commandStart = true;
      } else if (type === Esac) {
        states.pop();
        f.commandStart = false;
      } else if (type !== Newline) f.patternStart = false;
      continue;
    }
    if (state === CaseState.Subject) {
      if (type === In) {
        states[states.length - 1] = CaseState.Pattern;
        f.patternStart = true;
      }
      continue;
    }
    if (state === CaseState.Body && (type === DSemi || type === SemiAmp || type === DSemiAmp)) {
      states[states.length - 1] = CaseState.Pattern;
      f.patternStart = true;
      continue;
    }
    if (state === CaseState.Body && type === Esac && f.commandStart) {
      states.pop();
      f.commandStart = false;
      continue;
    }
    if (type === Case && f.commandStart) {
      states.push(CaseState.Subject);
      f.commandStart = false;
      continue;
    }
    if (type === LParen) f.parens++;
    else if (type === RParen) f.parens--;
    f.commandStart = SEPARATORS.has(type) || LIST_OPENERS.has(type);
  }
  const states = f.caseStates;
  return f.parens <= 0 && (states.length === 0 || states[states.length - 1] !== CaseState.Pattern);
}

// ---------------------------------------------------------------------------
// Entry points

/** Tokens of a whole script (or of `sh -c` text). `base` is added to every offset. */
export function lexScript(text: string): IToken[] {
  const saved = frame;
  frame = newFrame(false);
  try {
    return lexer.tokenize(text).tokens;
  } finally {
    frame = saved;
  }
}

/**
 * Lexes the body of a `$(` / `<(` whose content starts at `from` in `src`;
 * queues the tokens for the parser. Returns the index of the closing `)` in
 * `src`, -1 when there is none, -2 when nesting is too deep (already reported).
 */
export function lexSubstitution(
  src: string,
  from: number,
  part: CommandSubstitutionPart | ProcessSubstitutionPart,
): number {
  if (session.depth >= MAX_NESTING) {
    report(session.base + from, session.base + src.length, `substitutions nested more than ${MAX_NESTING} deep`);
    return -2;
  }
  const savedFrame = frame;
  const savedBase = session.base;
  const base = savedBase + from;
  frame = newFrame(true);
  session.base = base;
  session.depth++;
  let tokens: IToken[];
  try {
    tokens = lexer.tokenize(src.slice(from)).tokens;
  } finally {
    frame = savedFrame;
    session.base = savedBase;
    session.depth--;
  }
  let close = -1;
  const last = tokens.length > 0 ? tokens[tokens.length - 1] : undefined;
  if (last !== undefined && last.tokenType === EndOfSubst) {
    tokens.pop();
    close = from + last.startOffset;
  }
  session.substitutions.push({ part, tokens, base, offsets: session.offsets });
  return close;
}

/** Lexes the unescaped body of a backquoted substitution; `offsets` maps its indices to outer-script offsets. */
export function lexBackquoted(text: string, offsets: Int32Array, part: CommandSubstitutionPart): void {
  if (session.depth >= MAX_NESTING) {
    session.errors.push({
      start: part.start,
      end: part.end,
      message: `substitutions nested more than ${MAX_NESTING} deep`,
    });
    return;
  }
  const savedFrame = frame;
  const savedBase = session.base;
  const savedOffsets = session.offsets;
  frame = newFrame(false);
  session.base = 0;
  session.offsets = offsets;
  session.depth++;
  let tokens: IToken[];
  try {
    tokens = lexer.tokenize(text).tokens;
  } finally {
    frame = savedFrame;
    session.base = savedBase;
    session.offsets = savedOffsets;
    session.depth--;
  }
  session.substitutions.push({ part, tokens, base: 0, offsets });
}

/** Resets the per-parse state; returns the previous state so that a caller can restore it. */
export function beginSession(): typeof session {
  const saved = {
    base: session.base,
    depth: session.depth,
    offsets: session.offsets,
    errors: session.errors,
    substitutions: session.substitutions,
  };
  session.base = 0;
  session.depth = 0;
  session.offsets = null;
  session.errors = [];
  session.substitutions = [];
  return saved;
}

export function restoreSession(saved: typeof session): void {
  session.base = saved.base;
  session.depth = saved.depth;
  session.offsets = saved.offsets;
  session.errors = saved.errors;
  session.substitutions = saved.substitutions;
}
