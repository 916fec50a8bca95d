/**
 * The word scanner: reads one shell word (or a heredoc body) and splits it
 * into parts — literal text, quotes, parameter expansions, command and
 * arithmetic substitutions. The chevrotain lexer (lexer.ts) calls it from its
 * Word token, because where a word ends depends on quoting and on nested
 * `$(...)`, which a regular expression cannot follow.
 *
 * Offsets: the scanner reads `src` (the text the current lexer frame sees) and
 * adds `session.base` so that every part carries an offset of the outer script.
 */
import type {
  CommandSubstitutionPart,
  DoubleQuotedPart,
  LiteralPart,
  ParameterOperator,
  ParameterPart,
  ProcessSubstitutionPart,
  Word,
  WordPart,
} from './syntax.js';
import { lexBackquoted, lexSubstitution, outerOffset, report, session } from './lexer.js';

const enum Ch {
  Tab = 0x09,
  Newline = 0x0a,
  Space = 0x20,
  Bang = 0x21,
  DQuote = 0x22,
  Hash = 0x23,
  Dollar = 0x24,
  Amp = 0x26,
  SQuote = 0x27,
  LParen = 0x28,
  RParen = 0x29,
  Star = 0x2a,
  Plus = 0x2b,
  Comma = 0x2c,
  Minus = 0x2d,
  Dot = 0x2e,
  Slash = 0x2f,
  Zero = 0x30,
  Nine = 0x39,
  Colon = 0x3a,
  Semi = 0x3b,
  Lt = 0x3c,
  Eq = 0x3d,
  Gt = 0x3e,
  Question = 0x3f,
  At = 0x40,
  LBracket = 0x5b,
  Backslash = 0x5c,
  RBracket = 0x5d,
  Caret = 0x5e,
  Underscore = 0x5f,
  Backtick = 0x60,
  LBrace = 0x7b,
  Pipe = 0x7c,
  RBrace = 0x7d,
  Tilde = 0x7e,
}

/** Character classes for the unquoted-word fast path. */
const PLAIN = 0;
/** Ends an unquoted word: blanks, newline and the operator characters `;&|()<>`. */
const END = 1;
/** Needs a closer look: quotes, escapes, expansions, glob and brace characters. */
const SPECIAL = 2;
const charClass = new Uint8Array(128);
for (const c of ' \t\n;&|()<>') charClass[c.charCodeAt(0)] = END;
for (const c of '\\\'"$`*?[{~') charClass[c.charCodeAt(0)] = SPECIAL;

/** True for the characters that end an unquoted word (and so delimit keywords). */
export function endsWord(code: number): boolean {
  return code < 128 && charClass[code] === END;
}

/** Where the scanner stops. */
const enum Mode {
  /** An unquoted shell word: stops at blanks and operators. */
  Word,
  /** The operand of `${name<op>...}`: blanks are literal, stops at `}`. */
  Operand,
  /** The pattern of `${name/pattern/...}`: like Operand, also stops at `/`. */
  Pattern,
}

/** Nesting limit for substitutions inside substitutions; deeper input is reported, not followed. */
export const MAX_NESTING = 64;

function error(at: number, end: number, message: string): void {
  report(session.base + at, session.base + end, message);
}

function literal(value: string, start: number, end: number, glob: boolean, brace: boolean): LiteralPart {
  const part: LiteralPart = { kind: 'Literal', value, start: session.base + start, end: session.base + end };
  if (glob) part.glob = true;
  if (brace) part.brace = true;
  return part;
}

/** Does `{` at `i` open a brace expansion (`{a,b}` or `{1..3}`) within the same word? */
function opensBraceExpansion(src: string, i: number): boolean {
  let depth = 0;
  let sawComma = false;
  for (let j = i + 1; j < src.length; j++) {
    const c = src.charCodeAt(j);
    if (c < 128 && charClass[c] === END) return false;
    if (c === Ch.LBrace) depth++;
    else if (c === Ch.RBrace) {
      if (depth === 0) return sawComma || src.slice(i + 1, j).includes('..');
      depth--;
    } else if (c === Ch.Comma && depth === 0) sawComma = true;
    else if (c === Ch.Backslash) j++;
  }
  return false;
}

/** Is there a `]` after `[` at `i` within the same word (a bracket expression)? */
function closesBracket(src: string, i: number): boolean {
  for (let j = i + 1; j < src.length; j++) {
    const c = src.charCodeAt(j);
    if (c === Ch.RBracket) return true;
    if (c < 128 && charClass[c] === END) return false;
  }
  return false;
}

/**
 * Scans the word starting at `start` in `src`; returns it with its end (an
 * index into `src`). Never fails: unclosed quotes and the like are recorded in
 * `session.errors` and the word runs to the end of the text.
 */
export function scanWord(src: string, start: number): { word: Word; end: number } {
  // Fast path: most words are plain text (`apt-get`, `-y`, `install`).
  let j = start;
  const n = src.length;
  while (j < n) {
    const c = src.charCodeAt(j);
    if (c < 128 && charClass[c] !== PLAIN) break;
    j++;
  }
  if (
    j > start &&
    (j === n || charClass[src.charCodeAt(j)] === END) &&
    !((src.charCodeAt(j) === Ch.Lt || src.charCodeAt(j) === Ch.Gt) && src.charCodeAt(j + 1) === Ch.LParen)
  ) {
    const text = src.slice(start, j);
    const s = session.base + start;
    const e = session.base + j;
    return {
      word: { kind: 'Word', text, parts: [{ kind: 'Literal', value: text, start: s, end: e }], start: s, end: e },
      end: j,
    };
  }
  const parts: WordPart[] = [];
  const end = scanParts(src, start, Mode.Word, parts);
  const word: Word = {
    kind: 'Word',
    text: src.slice(start, end),
    parts,
    start: session.base + start,
    end: session.base + end,
  };
  return { word, end };
}

/**
 * Scans parts from `start` until the mode's stop character (not consumed) or
 * the end of `src`. Returns the index where it stopped.
 */
function scanParts(src: string, start: number, mode: Mode, parts: WordPart[]): number {
  const n = src.length;
  let i = start;
  // Literal text is collected lazily: `acc` holds finished pieces, `run` marks where the current piece began.
  let litStart = i;
  let run = i;
  let acc = '';
  let glob = false;
  let brace = false;
  // Look-ahead for `[...]` and `{a,b}` is bounded so that long runs of brackets stay linear.
  let lookaheads = 0;

  const flush = (at: number): void => {
    if (at > run || acc !== '') {
      parts.push(literal(acc + src.slice(run, at), litStart, at, glob, brace));
    }
    acc = '';
    glob = false;
    brace = false;
  };

  while (i < n) {
    const c = src.charCodeAt(i);
    const cls = c < 128 ? charClass[c]! : PLAIN;
    if (cls === PLAIN) {
      if (mode !== Mode.Word && (c === Ch.RBrace || (c === Ch.Slash && mode === Mode.Pattern))) break;
      i++;
      continue;
    }
    if (cls === END) {
      if (mode === Mode.Word) {
        if ((c === Ch.Lt || c === Ch.Gt) && src.charCodeAt(i + 1) === Ch.LParen) {
          flush(i);
          i = scanProcessSubstitution(src, i, parts);
          litStart = run = i;
          continue;
        }
        break;
      }
      i++;
      continue;
    }
    switch (c) {
      case Ch.Backslash: {
        if (i + 1 >= n) {
          i++;
          break;
        }
        acc += src.slice(run, i);
        if (src.charCodeAt(i + 1) !== Ch.Newline) acc += src[i + 1];
        i += 2;
        run = i;
        break;
      }
      case Ch.SQuote: {
        flush(i);
        const close = src.indexOf("'", i + 1);
        const stop = close < 0 ? n : close;
        if (close < 0) error(i, n, "unclosed single quote: no matching `'`");
        parts.push({
          kind: 'SingleQuoted',
          value: src.slice(i + 1, stop),
          ansiC: false,
          start: session.base + i,
          end: session.base + Math.min(stop + 1, n),
        });
        i = Math.min(stop + 1, n);
        litStart = run = i;
        break;
      }
      case Ch.DQuote: {
        flush(i);
        i = scanDoubleQuoted(src, i, i + 1, parts);
        litStart = run = i;
        break;
      }
      case Ch.Dollar: {
        const next = scanDollar(src, i, parts, false, () => flush(i));
        if (next < 0) {
          i++;
        } else {
          i = next;
          litStart = run = i;
        }
        break;
      }
      case Ch.Backtick: {
        flush(i);
        i = scanBackquoted(src, i, parts, false);
        litStart = run = i;
        break;
      }
      case Ch.Tilde: {
        if (i === start && mode === Mode.Word) {
          let j = i + 1;
          while (j < n && /[A-Za-z0-9._-]/.test(src[j]!)) j++;
          if (j >= n || src.charCodeAt(j) === Ch.Slash || endsWord(src.charCodeAt(j))) {
            parts.push({ kind: 'Tilde', user: src.slice(i + 1, j), start: session.base + i, end: session.base + j });
            i = j;
            litStart = run = i;
            break;
          }
        }
        i++;
        break;
      }
      case Ch.LBrace: {
        if (mode === Mode.Word && !brace && lookaheads++ < 8 && opensBraceExpansion(src, i)) brace = true;
        i++;
        break;
      }
      default: {
        // * ? [ : pathname expansion characters when unquoted.
        if (c === Ch.LBracket) {
          if (mode === Mode.Word && !glob && lookaheads++ < 8 && closesBracket(src, i)) glob = true;
        } else {
          glob = true;
        }
        i++;
      }
    }
  }
  flush(i);
  return i;
}

/** Scans `"..."` whose opening quote is at `open` (content from `from`); returns the index after the closing quote. */
function scanDoubleQuoted(src: string, open: number, from: number, parts: WordPart[]): number {
  const inner: WordPart[] = [];
  const end = scanQuotedText(src, from, src.length, inner, Ch.DQuote);
  const closed = end < src.length && src.charCodeAt(end) === Ch.DQuote;
  if (!closed) error(open, end, 'unclosed double quote: no matching `"`');
  const stop = closed ? end + 1 : end;
  const part: DoubleQuotedPart = {
    kind: 'DoubleQuoted',
    parts: inner,
    start: session.base + open,
    end: session.base + stop,
  };
  parts.push(part);
  return stop;
}

/**
 * Text where only `$`, backquotes and backslash are special: the inside of
 * double quotes (`terminator` = `"`) or a heredoc body (`terminator` = -1).
 * Returns the index of the terminator or `limit`.
 */
function scanQuotedText(
  src: string,
  from: number,
  limit: number,
  parts: WordPart[],
  terminator: number,
  stripTabs = false,
): number {
  let i = from;
  let litStart = i;
  let run = i;
  let acc = '';
  const flush = (at: number): void => {
    if (at > run || acc !== '') parts.push(literal(acc + src.slice(run, at), litStart, at, false, false));
    acc = '';
  };
  if (stripTabs) {
    while (i < limit && src.charCodeAt(i) === Ch.Tab) i++;
    run = i;
  }
  while (i < limit) {
    const c = src.charCodeAt(i);
    if (c === terminator) break;
    if (c === Ch.Backslash) {
      const d = src.charCodeAt(i + 1);
      if (
        i + 1 < limit &&
        (d === Ch.Dollar ||
          d === Ch.Backtick ||
          d === Ch.Backslash ||
          d === Ch.Newline ||
          (d === Ch.DQuote && terminator === Ch.DQuote))
      ) {
        acc += src.slice(run, i);
        if (d !== Ch.Newline) acc += src[i + 1];
        i += 2;
        run = i;
      } else {
        i++;
      }
      continue;
    }
    if (c === Ch.Dollar) {
      const next = scanDollar(src, i, parts, true, () => flush(i), limit);
      if (next < 0) i++;
      else {
        i = next;
        litStart = run = i;
      }
      continue;
    }
    if (c === Ch.Backtick) {
      flush(i);
      i = scanBackquoted(src, i, parts, true, limit);
      litStart = run = i;
      continue;
    }
    i++;
    if (stripTabs && c === Ch.Newline) {
      // `<<-` drops the tabs that start each body line.
      let j = i;
      while (j < limit && src.charCodeAt(j) === Ch.Tab) j++;
      if (j > i) {
        acc += src.slice(run, i);
        run = j;
        i = j;
      }
    }
  }
  flush(i);
  return i;
}

/** Parts of a heredoc body `src[from, to)` with expansions (unquoted delimiter). */
export function scanHeredocParts(src: string, from: number, to: number, stripTabs: boolean): WordPart[] {
  const parts: WordPart[] = [];
  scanQuotedText(src, from, to, parts, -1, stripTabs);
  return parts;
}

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === Ch.Underscore;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= Ch.Zero && c <= Ch.Nine);
}

function isSpecialParameter(c: number): boolean {
  return (
    c === Ch.At ||
    c === Ch.Star ||
    c === Ch.Hash ||
    c === Ch.Question ||
    c === Ch.Minus ||
    c === Ch.Dollar ||
    c === Ch.Bang
  );
}

/**
 * `$` at `i`. Pushes the expansion part and returns the index after it, or
 * returns -1 when the `$` is literal. `flush` is called before a part is pushed.
 */
function scanDollar(
  src: string,
  i: number,
  parts: WordPart[],
  quoted: boolean,
  flush: () => void,
  limit = src.length,
): number {
  const c = src.charCodeAt(i + 1);
  if (i + 1 >= limit) return -1;
  if (c === Ch.LParen) {
    flush();
    if (src.charCodeAt(i + 2) === Ch.LParen) {
      const arith = scanArithmetic(src, i, limit);
      if (arith >= 0) {
        parts.push({
          kind: 'Arithmetic',
          expression: src.slice(i + 3, arith - 2),
          start: session.base + i,
          end: session.base + arith,
        });
        return arith;
      }
    }
    return scanCommandSubstitution(src, i, parts);
  }
  if (c === Ch.LBrace) {
    flush();
    return scanBracedParameter(src, i, parts, limit);
  }
  if (isNameStart(c)) {
    flush();
    let j = i + 2;
    while (j < limit && isNameChar(src.charCodeAt(j))) j++;
    parts.push(parameter(src.slice(i + 1, j), false, i, j));
    return j;
  }
  if ((c >= Ch.Zero && c <= Ch.Nine) || isSpecialParameter(c)) {
    flush();
    parts.push(parameter(src[i + 1]!, false, i, i + 2));
    return i + 2;
  }
  if (!quoted && c === Ch.SQuote) {
    flush();
    return scanAnsiC(src, i, parts);
  }
  if (!quoted && c === Ch.DQuote) {
    flush();
    // $"...": a locale-translated string; for us, a double-quoted string.
    return scanDoubleQuoted(src, i, i + 2, parts);
  }
  return -1;
}

function parameter(name: string, braced: boolean, start: number, end: number): ParameterPart {
  return {
    kind: 'Parameter',
    name,
    braced,
    length: false,
    indirect: false,
    start: session.base + start,
    end: session.base + end,
  };
}

/** `$((` at `i`: the index after the closing `))`, or -1 when this is not arithmetic (e.g. `$((cmd) | x)`). */
function scanArithmetic(src: string, i: number, limit: number): number {
  let depth = 0;
  for (let j = i + 3; j < limit; j++) {
    const c = src.charCodeAt(j);
    if (c === Ch.LParen) depth++;
    else if (c === Ch.RParen) {
      if (depth === 0) return src.charCodeAt(j + 1) === Ch.RParen ? j + 2 : -1;
      depth--;
    } else if (c === Ch.Backslash) j++;
    else if (c === Ch.SQuote || c === Ch.DQuote) {
      const close = src.indexOf(src[j]!, j + 1);
      if (close < 0) return -1;
      j = close;
    }
  }
  return -1;
}

/** `$(` at `i`. */
function scanCommandSubstitution(src: string, i: number, parts: WordPart[]): number {
  const part: CommandSubstitutionPart = {
    kind: 'CommandSubstitution',
    backquoted: false,
    body: [],
    start: session.base + i,
    end: 0,
  };
  return finishSubstitution(src, i, part, parts, 'command substitution');
}

/**
 * The body of a `$(`, `<(` or `>(` opened at `i`, up to its `)`; without one,
 * to the end of the text (an error, unless the body was already reported).
 * Returns where scanning goes on.
 */
function finishSubstitution(
  src: string,
  i: number,
  part: CommandSubstitutionPart | ProcessSubstitutionPart,
  parts: WordPart[],
  what: string,
): number {
  const found = lexSubstitution(src, i + 2, part);
  const close = found === -2 ? matchingParen(src, i + 2) : found;
  if (close < 0) {
    if (found === -1) error(i, src.length, `unclosed ${what}: no matching \`)\``);
    part.end = session.base + src.length;
    parts.push(part);
    return src.length;
  }
  part.end = session.base + close + 1;
  parts.push(part);
  return close + 1;
}

/**
 * The `)` matching an opening one just before `from`, counting parentheses
 * only: for text nested too deep to be parsed, so that the levels around it
 * still end in the right place.
 */
function matchingParen(src: string, from: number): number {
  let depth = 0;
  for (let j = from; j < src.length; j++) {
    const c = src.charCodeAt(j);
    if (c === Ch.LParen) depth++;
    else if (c === Ch.RParen) {
      if (depth === 0) return j;
      depth--;
    }
  }
  return -1;
}

/** `<(` or `>(` at `i`. */
function scanProcessSubstitution(src: string, i: number, parts: WordPart[]): number {
  const part: ProcessSubstitutionPart = {
    kind: 'ProcessSubstitution',
    direction: src[i] === '<' ? '<' : '>',
    body: [],
    start: session.base + i,
    end: 0,
  };
  return finishSubstitution(src, i, part, parts, 'process substitution');
}

/**
 * A backquoted command substitution at `i`. Inside, a backslash quotes `$`,
 * `` ` `` and `\` (and `"` within double quotes); the unescaped text is
 * parsed as a script.
 */
function scanBackquoted(
  src: string,
  i: number,
  parts: WordPart[],
  inDoubleQuotes: boolean,
  limit = src.length,
): number {
  let text = '';
  const offsets: number[] = [];
  let j = i + 1;
  for (; j < limit; j++) {
    const c = src.charCodeAt(j);
    if (c === Ch.Backtick) break;
    if (c === Ch.Backslash && j + 1 < limit) {
      const d = src.charCodeAt(j + 1);
      if (d === Ch.Dollar || d === Ch.Backtick || d === Ch.Backslash || (inDoubleQuotes && d === Ch.DQuote)) {
        offsets.push(outerOffset(session.base + j + 1));
        text += src[j + 1];
        j++;
        continue;
      }
    }
    offsets.push(outerOffset(session.base + j));
    text += src[j];
  }
  const closed = j < limit;
  offsets.push(outerOffset(session.base + j));
  const end = closed ? j + 1 : j;
  if (!closed) error(i, j, 'unclosed backquote: no matching `` ` ``');
  const part: CommandSubstitutionPart = {
    kind: 'CommandSubstitution',
    backquoted: true,
    body: [],
    start: session.base + i,
    end: session.base + end,
  };
  lexBackquoted(text, Int32Array.from(offsets), part);
  parts.push(part);
  return end;
}

const ANSI_SIMPLE: Record<string, string> = {
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

/** bash `$'...'` at `i`, escapes decoded. */
function scanAnsiC(src: string, i: number, parts: WordPart[]): number {
  let value = '';
  let j = i + 2;
  const n = src.length;
  while (j < n && src.charCodeAt(j) !== Ch.SQuote) {
    const c = src[j]!;
    if (c !== '\\' || j + 1 >= n) {
      value += c;
      j++;
      continue;
    }
    const e = src[j + 1]!;
    j += 2;
    const simple = ANSI_SIMPLE[e];
    if (simple !== undefined) {
      value += simple;
    } else if (e === 'x' || e === 'u' || e === 'U' || (e >= '0' && e <= '7')) {
      const max = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 2;
      const re = e === 'x' || e === 'u' || e === 'U' ? /[0-9A-Fa-f]/ : /[0-7]/;
      let k = j;
      while (k < n && k - j < max && re.test(src[k]!)) k++;
      const digits = (e >= '0' && e <= '7' ? e : '') + src.slice(j, k);
      const code = parseInt(digits || '0', e >= '0' && e <= '7' ? 8 : 16);
      value += code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
      j = k;
    } else if (e === 'c' && j < n) {
      value += String.fromCharCode(src.charCodeAt(j) & 0x1f);
      j++;
    } else {
      value += '\\' + e;
    }
  }
  const closed = j < n;
  if (!closed) error(i, n, "unclosed $'...' string: no matching `'`");
  const end = closed ? j + 1 : n;
  parts.push({ kind: 'SingleQuoted', value, ansiC: true, start: session.base + i, end: session.base + end });
  return end;
}

const TWO_CHAR_OPERATORS: ParameterOperator[] = [':-', ':=', ':?', ':+', '##', '%%', '//', '/#', '/%', '^^', ',,'];
const ONE_CHAR_OPERATORS = new Set<string>(['-', '=', '?', '+', '#', '%', '/', '^', ',', ':', '@']);

/** `${` at `i`. */
function scanBracedParameter(src: string, i: number, parts: WordPart[], limit: number): number {
  let j = i + 2;
  let length = false;
  let indirect = false;
  const c0 = src.charCodeAt(j);
  const c1 = src.charCodeAt(j + 1);
  const startsName = (c: number): boolean => isNameStart(c) || (c >= Ch.Zero && c <= Ch.Nine) || isSpecialParameter(c);
  if (c0 === Ch.Hash && c1 !== Ch.RBrace && startsName(c1)) {
    length = true;
    j++;
  } else if (c0 === Ch.Bang && c1 !== Ch.RBrace && startsName(c1)) {
    indirect = true;
    j++;
  }
  const nameStart = j;
  const c = src.charCodeAt(j);
  if (isNameStart(c)) {
    while (j < limit && isNameChar(src.charCodeAt(j))) j++;
  } else if (c >= Ch.Zero && c <= Ch.Nine) {
    while (j < limit && src.charCodeAt(j) >= Ch.Zero && src.charCodeAt(j) <= Ch.Nine) j++;
  } else if (isSpecialParameter(c)) {
    j++;
  }
  const part = parameter(src.slice(nameStart, j), true, i, j);
  part.length = length;
  part.indirect = indirect;
  if (j === nameStart) {
    // `${}` or `${ x}`: bash reports a bad substitution. Skip to the closing brace.
    const close = findBraceEnd(src, j, limit);
    error(i, close, 'bad substitution: `${` must be followed by a parameter name');
    part.end = session.base + close;
    parts.push(part);
    return close;
  }
  if (src.charCodeAt(j) === Ch.LBracket) {
    const close = src.indexOf(']', j + 1);
    if (close >= 0 && close < limit) {
      part.subscript = src.slice(j + 1, close);
      j = close + 1;
    }
  }
  if (src.charCodeAt(j) !== Ch.RBrace && j < limit) {
    const two = src.slice(j, j + 2) as ParameterOperator;
    let op: ParameterOperator | undefined;
    if (TWO_CHAR_OPERATORS.includes(two)) op = two;
    else if (ONE_CHAR_OPERATORS.has(src[j]!)) op = src[j] as ParameterOperator;
    if (op === undefined) {
      const close = findBraceEnd(src, j, limit);
      error(i, close, `bad substitution: unexpected \`${src[j]}\` in \${...}`);
      part.end = session.base + close;
      parts.push(part);
      return close;
    }
    part.operator = op;
    j += op.length;
    const slashForm = op === '/' || op === '//' || op === '/#' || op === '/%';
    const operandParts: WordPart[] = [];
    const operandEnd = scanParts(src, j, slashForm ? Mode.Pattern : Mode.Operand, operandParts);
    part.operand = subWord(src, j, operandEnd, operandParts);
    j = operandEnd;
    if (slashForm && src.charCodeAt(j) === Ch.Slash) {
      const replacementParts: WordPart[] = [];
      const replacementEnd = scanParts(src, j + 1, Mode.Operand, replacementParts);
      part.replacement = subWord(src, j + 1, replacementEnd, replacementParts);
      j = replacementEnd;
    }
  }
  if (j >= limit || src.charCodeAt(j) !== Ch.RBrace) {
    error(i, j, 'unclosed parameter expansion: no matching `}`');
    part.end = session.base + j;
    parts.push(part);
    return j;
  }
  part.end = session.base + j + 1;
  parts.push(part);
  return j + 1;
}

function subWord(src: string, start: number, end: number, parts: WordPart[]): Word {
  return { kind: 'Word', text: src.slice(start, end), parts, start: session.base + start, end: session.base + end };
}

/** The index after the `}` closing a malformed `${...}` (or the limit). */
function findBraceEnd(src: string, from: number, limit: number): number {
  const close = src.indexOf('}', from);
  return close < 0 || close >= limit ? limit : close + 1;
}
