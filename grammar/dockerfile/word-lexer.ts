/**
 * BuildKit's shell word lexer (frontend/dockerfile/shell): quote removal,
 * escapes and `$var` / `${var...}` expansion for Dockerfile words, plus the
 * splitting of the expanded text into words.
 *
 * It is not a shell: there is no command substitution, globbing or arithmetic.
 * Behaviour follows BuildKit exactly, quirks included (they are marked), because
 * a Dockerfile means what BuildKit makes of it. The conformance vectors in
 * shared/conformance/word-expansion pin this down.
 */
import { goQuote, isGoSpace } from '../../src/common/go-text.js';

export type EscapeChar = '\\' | '`';

/** Variables in scope. `undefined` means unset, which differs from set-but-empty. */
export interface VariableLookup {
  get(name: string): string | undefined;
}

export interface WordLexerOptions {
  escape: EscapeChar;
  /** Keep quote characters in the output (heredoc delimiter detection). */
  rawQuotes?: boolean;
  /** Keep escape characters in the output. */
  rawEscapes?: boolean;
  /** Treat quotes as ordinary characters. */
  skipProcessQuotes?: boolean;
  /** Leave references to unset variables as written instead of expanding them to "". */
  skipUnsetEnv?: boolean;
}

export interface WordResult {
  /** The expanded word (ProcessWord). */
  value: string;
  /** The expanded text split into words (ProcessWords). */
  words: string[];
  /** Variables that were referenced and set. */
  matched: Set<string>;
  /** Variables that were referenced and unset. */
  unmatched: Set<string>;
}

export type WordOutcome = { ok: true; result: WordResult } | { ok: false; error: string };

const EOF = -1;
/** Characters that make the lexer do something other than copy (the escape character aside). */
const SPECIAL = /[$'"<\ufeff]/;
const NO_NAMES: Set<string> = new Set();

function splitGoSpace(s: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    if (isGoSpace(s.charCodeAt(i))) {
      if (start >= 0) out.push(s.slice(start, i));
      start = -1;
    } else if (start < 0) start = i;
  }
  if (start >= 0) out.push(s.slice(start));
  return out;
}
const EMPTY_LOOKUP: VariableLookup = { get: () => undefined };

class LexFailure {
  constructor(readonly message: string) {}
}

/** The word buffer is shared by nested expansions, as in BuildKit (see `processStopOn`). */
interface SharedBuffer {
  text: string;
}

class WordsCollector {
  words: string[] = [];
  inWord = false;
  constructor(private readonly buf: SharedBuffer) {}

  addChar(cp: number): void {
    if (isGoSpace(cp)) {
      if (this.inWord && this.buf.text.length !== 0) {
        this.words.push(this.buf.text);
        this.buf.text = '';
        this.inWord = false;
      }
    } else {
      this.addRawChar(cp);
    }
  }

  addRawChar(cp: number): void {
    this.buf.text += String.fromCodePoint(cp);
    this.inWord = true;
  }

  addString(s: string): void {
    for (const ch of s) this.addChar(ch.codePointAt(0)!);
  }

  addRawString(s: string): void {
    this.buf.text += s;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.buf.text.length > 0) {
      this.words.push(this.buf.text);
      this.buf.text = '';
      this.inWord = false;
    }
    return this.words;
  }
}

class Scanner {
  private pos = 0;
  constructor(private readonly src: string) {
    // Go's text/scanner skips one leading byte-order mark.
    if (src.charCodeAt(0) === 0xfeff) this.pos = 1;
  }
  peek(): number {
    return this.pos < this.src.length ? this.src.codePointAt(this.pos)! : EOF;
  }
  next(): number {
    if (this.pos >= this.src.length) return EOF;
    const cp = this.src.codePointAt(this.pos)!;
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }
}

function runeString(cp: number): string {
  // Go's string(rune(-1)) is U+FFFD.
  return cp === EOF ? '\ufffd' : String.fromCodePoint(cp);
}

const letter = /^\p{L}$/u;
const digit = /^\p{Nd}$/u;

function isLetter(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  return letter.test(String.fromCodePoint(cp));
}

function isDigit(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x30 && cp <= 0x39;
  return digit.test(String.fromCodePoint(cp));
}

function isSpecialParam(cp: number): boolean {
  // @ * # ? - $ ! 0
  return (
    cp === 0x40 || cp === 0x2a || cp === 0x23 || cp === 0x3f || cp === 0x2d || cp === 0x24 || cp === 0x21 || cp === 0x30
  );
}

class WordLexer {
  private readonly scanner: Scanner;
  private readonly escape: number;
  private rawEscapes: boolean;
  private readonly shared: SharedBuffer = { text: '' };
  readonly matched = new Set<string>();
  readonly unmatched = new Set<string>();

  constructor(
    src: string,
    private readonly env: VariableLookup,
    private readonly opts: WordLexerOptions,
  ) {
    this.scanner = new Scanner(src);
    this.escape = opts.escape.charCodeAt(0);
    this.rawEscapes = opts.rawEscapes ?? false;
  }

  run(): { value: string; words: string[] } {
    return this.processStopOn(EOF, this.rawEscapes);
  }

  private getEnv(name: string): string | undefined {
    const v = this.env.get(name);
    if (v === undefined) this.unmatched.add(name);
    else this.matched.add(name);
    return v;
  }

  private processStopOn(stop: number, rawEscapes: boolean): { value: string; words: string[] } {
    let result = '';
    // Quirk kept from BuildKit: every (nested) call resets the one shared word buffer.
    this.shared.text = '';
    const words = new WordsCollector(this.shared);
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      const sc = this.scanner;
      const quotes = !this.opts.skipProcessQuotes;
      for (;;) {
        const ch = sc.peek();
        if (ch === EOF) break;
        if (stop !== EOF && ch === stop) {
          sc.next();
          return { value: result, words: words.finish() };
        }
        if (ch === 0x24 /* $ */) {
          const tmp = this.processDollar();
          result += tmp;
          words.addString(tmp);
        } else if (ch === 0x3c /* < */) {
          const tmp = this.processPossibleHeredoc();
          result += tmp;
          words.addRawString(tmp);
        } else if (quotes && ch === 0x27 /* ' */) {
          const tmp = this.processSingleQuote();
          result += tmp;
          words.addRawString(tmp);
        } else if (quotes && ch === 0x22 /* " */) {
          const tmp = this.processDoubleQuote();
          result += tmp;
          words.addRawString(tmp);
        } else {
          let c = sc.next();
          if (c === this.escape) {
            if (this.rawEscapes) {
              words.addRawChar(c);
              result += String.fromCodePoint(c);
            }
            // The escape character escapes the next one, except at the end.
            c = sc.next();
            if (c === EOF) break;
            words.addRawChar(c);
          } else {
            words.addChar(c);
          }
          result += String.fromCodePoint(c);
        }
      }
      if (stop !== EOF) {
        throw new LexFailure(`unexpected end of statement while looking for matching ${runeString(stop)}`);
      }
      return { value: result, words: words.finish() };
    } finally {
      this.rawEscapes = saved;
    }
  }

  private processSingleQuote(): string {
    const sc = this.scanner;
    let result = '';
    let c = sc.next();
    if (this.opts.rawQuotes) result += String.fromCodePoint(c);
    for (;;) {
      c = sc.next();
      if (c === EOF) throw new LexFailure('unexpected end of statement while looking for matching single-quote');
      if (c === 0x27) {
        if (this.opts.rawQuotes) result += "'";
        return result;
      }
      result += String.fromCodePoint(c);
    }
  }

  private processDoubleQuote(): string {
    const sc = this.scanner;
    let result = '';
    const open = sc.next();
    if (this.opts.rawQuotes) result += String.fromCodePoint(open);
    for (;;) {
      const p = sc.peek();
      if (p === EOF) throw new LexFailure('unexpected end of statement while looking for matching double-quote');
      if (p === 0x22) {
        sc.next();
        if (this.opts.rawQuotes) result += '"';
        return result;
      }
      if (p === 0x24) {
        result += this.processDollar();
        continue;
      }
      let c = sc.next();
      if (c === this.escape) {
        if (this.rawEscapes) result += String.fromCodePoint(c);
        const after = sc.peek();
        if (after === EOF) continue; // an escape at the very end is dropped; the loop then reports the missing quote
        if (after === 0x22 || after === 0x24 || after === this.escape) c = sc.next();
      }
      result += String.fromCodePoint(c);
    }
  }

  private processName(): string {
    const sc = this.scanner;
    let name = '';
    for (;;) {
      const c = sc.peek();
      if (c === EOF) break;
      if (name.length === 0 && isDigit(c)) {
        while (sc.peek() !== EOF && isDigit(sc.peek())) name += String.fromCodePoint(sc.next());
        return name;
      }
      if (name.length === 0 && isSpecialParam(c)) {
        return String.fromCodePoint(sc.next());
      }
      if (!isLetter(c) && !isDigit(c) && c !== 0x5f) break;
      name += String.fromCodePoint(sc.next());
    }
    return name;
  }

  private processDollar(): string {
    const sc = this.scanner;
    sc.next(); // $
    if (sc.peek() !== 0x7b /* { */) {
      const name = this.processName();
      if (name === '') return '$';
      const value = this.getEnv(name);
      if (value === undefined && this.opts.skipUnsetEnv) return '$' + name;
      return value ?? '';
    }
    sc.next(); // {
    const first = sc.peek();
    if (first === EOF) throw new LexFailure("syntax error: missing '}'");
    if (first === 0x7b || first === 0x7d || first === 0x3a) throw new LexFailure('syntax error: bad substitution');
    const name = this.processName();
    let ch = sc.next();
    let chs = runeString(ch);
    let nullIsUnset = false;

    if (ch === 0x7d /* } */) {
      const value = this.getEnv(name);
      if (value === undefined && this.opts.skipUnsetEnv) return '${' + name + '}';
      return value ?? '';
    }
    if (ch === 0x2f /* / */) return this.processReplace(name);
    if (ch === 0x3a /* : */) {
      nullIsUnset = true;
      ch = sc.next();
      chs += runeString(ch);
    } else if (!(ch === 0x2b || ch === 0x2d || ch === 0x3f || ch === 0x23 || ch === 0x25)) {
      throw new LexFailure(`unsupported modifier (${chs}) in substitution`);
    }
    // Here: a modifier among + - ? # %, or (after ':') any character at all.
    const patternOp = ch === 0x23 || ch === 0x25;
    if (nullIsUnset && patternOp) throw new LexFailure(`unsupported modifier (${chs}) in substitution`);
    let word: string;
    try {
      word = this.processStopOn(0x7d, patternOp).value;
    } catch (e) {
      if (e instanceof LexFailure && sc.peek() === EOF) throw new LexFailure("syntax error: missing '}'");
      throw e;
    }
    const value = this.getEnv(name);
    if (value === undefined && this.opts.skipUnsetEnv) return '${' + name + chs + word + '}';
    const isUnset = value === undefined || (nullIsUnset && value === '');
    switch (ch) {
      case 0x2d: // -
        return isUnset ? word : value!;
      case 0x2b: // +
        return isUnset ? '' : word;
      case 0x3f: {
        // ?
        if (value === undefined) throw new LexFailure(`${name}: ${word !== '' ? word : 'is not allowed to be unset'}`);
        if (nullIsUnset && value === '')
          throw new LexFailure(`${name}: ${word !== '' ? word : 'is not allowed to be empty'}`);
        return value;
      }
      case 0x25: // %
      case 0x23: {
        // #
        let greedy = false;
        if (word.length > 0 && word.codePointAt(0) === ch) {
          greedy = true;
          word = word.slice(1);
        }
        return ch === 0x25 ? trimSuffix(word, value ?? '', greedy) : trimPrefix(word, value ?? '', greedy);
      }
      default:
        throw new LexFailure(`unsupported modifier (${chs}) in substitution`);
    }
  }

  private processReplace(name: string): string {
    const sc = this.scanner;
    const replaceAll = sc.peek() === 0x2f;
    if (replaceAll) sc.next();
    let pattern: string;
    try {
      pattern = this.processStopOn(0x2f, true).value;
    } catch (e) {
      if (e instanceof LexFailure && sc.peek() === EOF) throw new LexFailure("syntax error: missing '/' in ${}");
      throw e;
    }
    let replacement: string;
    try {
      replacement = this.processStopOn(0x7d, true).value;
    } catch (e) {
      if (e instanceof LexFailure && sc.peek() === EOF) throw new LexFailure("syntax error: missing '}'");
      throw e;
    }
    const value = this.getEnv(name);
    if (value === undefined && this.opts.skipUnsetEnv) return '${' + name + '/' + pattern + '/' + replacement + '}';
    const re = shellPatternToRegex(pattern, true, false, replaceAll);
    if (typeof re === 'string') throw new LexFailure(`invalid pattern (${pattern}) in substitution: ${re}`);
    const subject = value ?? '';
    if (replaceAll) return subject.replace(re, () => replacement);
    const m = re.exec(subject);
    if (!m) return subject;
    return subject.slice(0, m.index) + replacement + subject.slice(m.index + m[0].length);
  }

  private processPossibleHeredoc(): string {
    const sc = this.scanner;
    sc.next();
    if (sc.peek() !== 0x3c) return '<';
    sc.next();
    let space = '';
    for (let c = sc.peek(); c === 0x09 || c === 0x0d || c === 0x20; c = sc.peek()) {
      space += String.fromCodePoint(c);
      sc.next();
    }
    return '<<' + space;
  }
}

/**
 * A shell wildcard pattern (`*`, `?`, `\` escapes; no brackets) as a regular
 * expression, or an error message. `*` is lazy unless greedy.
 */
function shellPatternToRegex(pattern: string, greedy: boolean, anchored: boolean, global = false): RegExp | string {
  let out = anchored ? '^' : '';
  // Go's `.` matches any rune but newline; JS `.` also skips \r and U+2028/9, so spell it out.
  const star = greedy ? '[^\\n]*' : '[^\\n]*?';
  const cps = Array.from(pattern);
  for (let i = 0; i < cps.length; i++) {
    const tok = cps[i]!;
    switch (tok) {
      case '*':
        out += star;
        continue;
      case '?':
        out += '[^\\n]';
        continue;
      case '\\': {
        // `}` and `/` were escaped only to survive ${...}; the escape is not part of the pattern.
        const nextTok = cps[i + 1];
        if (nextTok === '}' || nextTok === '/') continue;
        i++;
        const escaped = cps[i];
        if (escaped !== '*' && escaped !== '?' && escaped !== '\\') {
          return `invalid escape '\\${escaped ?? '\ufffd'}'`;
        }
        out += '\\' + escaped;
        continue;
      }
      default:
        out += '[]{}.+()|^$'.includes(tok) ? '\\' + tok : tok;
    }
  }
  return new RegExp(out, global ? 'gu' : 'u');
}

function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const re = shellPatternToRegex(pattern, greedy, true);
  if (typeof re === 'string') throw new LexFailure(`invalid pattern (${pattern}) in substitution: ${re}`);
  const m = re.exec(value);
  return m ? value.slice(m[0].length) : value;
}

/** Reverse a pattern but keep `\x` escapes in order, so `a\*c` becomes `c\*a`. */
function reversePattern(pattern: string): string {
  const cps = Array.from(pattern);
  const out: string[] = new Array(cps.length);
  const last = cps.length - 1;
  for (let i = 0; i <= last;) {
    const tok = cps[i]!;
    const o = last - i;
    if (tok === '\\' && i !== last) {
      out[o - 1] = tok;
      out[o] = cps[i + 1]!;
      i += 2;
    } else {
      out[o] = tok;
      i++;
    }
  }
  return out.join('');
}

function reverseString(s: string): string {
  return Array.from(s).reverse().join('');
}

function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  // Regular expressions cannot find the shortest rightmost match, so search the
  // reversed value for the reversed pattern from the left instead.
  return reverseString(trimPrefix(reversePattern(pattern), reverseString(value), greedy));
}

/**
 * BuildKit's Lex.ProcessWord and Lex.ProcessWords in one pass: the expanded
 * word and its split into words, or BuildKit's error text.
 */
export function expandWord(
  word: string,
  env: VariableLookup = EMPTY_LOOKUP,
  opts: WordLexerOptions = { escape: '\\' },
): WordOutcome {
  // Most words hold nothing to expand, quote or escape: skip the lexer.
  if (!SPECIAL.test(word) && !word.includes(opts.escape)) {
    return { ok: true, result: { value: word, words: splitGoSpace(word), matched: NO_NAMES, unmatched: NO_NAMES } };
  }
  const lexer = new WordLexer(word, env, opts);
  try {
    const { value, words } = lexer.run();
    return { ok: true, result: { value, words, matched: lexer.matched, unmatched: lexer.unmatched } };
  } catch (e) {
    if (e instanceof LexFailure) return { ok: false, error: `failed to process ${goQuote(word)}: ${e.message}` };
    throw e;
  }
}

/** A lookup over a plain record; a missing key is unset. */
export function lookupFrom(record: Readonly<Record<string, string>> | ReadonlyMap<string, string>): VariableLookup {
  if (record instanceof Map) return { get: (k) => record.get(k) };
  const r = record as Readonly<Record<string, string>>;
  return { get: (k) => (Object.prototype.hasOwnProperty.call(r, k) ? r[k] : undefined) };
}
