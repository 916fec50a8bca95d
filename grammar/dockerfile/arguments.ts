/**
 * BuildKit's per-instruction argument splitting (its "line parsers"): how the
 * text after the instruction word becomes flags and arguments. The rules differ
 * per instruction, and they are BuildKit's, quirks included:
 *
 * - flags are lexed byte by byte, so a non-ASCII byte is taken as one Latin-1
 *   character and bytes 0x85 and 0xA0 count as spaces (as Go's rune(byte) does);
 * - a JSON array of strings is exec form; anything else that is not valid JSON
 *   falls back to shell form, but valid JSON holding a non-string is an error.
 */
import { goQuote, isGoSpace, trimGoSpace, trimLeftGoSpace } from '../../src/common/go-text.js';
import type { EscapeChar } from './word-lexer.js';

export interface LineParts {
  keyword: string;
  flags: string[];
  args: string[];
  json: boolean;
  trigger?: LineParts;
}

export type LineParse = { ok: true; parts: LineParts } | { ok: false; error: string };

type ArgParse = { ok: true; args: string[]; json: boolean; trigger?: LineParts } | { ok: false; error: string };

/** BuildKit's reWhitespace: ASCII blanks only. */
const ASCII_WS_RUN = /[\t\v\f\r ]+/;
const ASCII_ONLY = /^[\x00-\x7f]*$/;

function isByteSpace(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d) || b === 0x85 || b === 0xa0;
}

/** Byte-level view of a string, cheap for the common all-ASCII case. */
interface ByteView {
  length: number;
  at(i: number): number;
  /** Text of bytes [i, j). */
  slice(i: number, j?: number): string;
}

function byteView(s: string): ByteView {
  if (ASCII_ONLY.test(s)) {
    return { length: s.length, at: (i) => s.charCodeAt(i), slice: (i, j) => s.slice(i, j) };
  }
  const bytes = Buffer.from(s, 'utf8');
  return { length: bytes.length, at: (i) => bytes[i]!, slice: (i, j) => bytes.subarray(i, j).toString('utf8') };
}

/**
 * Splits leading `--flag` words off an instruction's arguments. A word that
 * does not start with `--` ends the flags, and so does a bare `--` (dropped).
 */
export function extractBuilderFlags(line: string, escape: EscapeChar): { rest: string; flags: string[] } {
  const SPACES = 0;
  const WORD = 1;
  const QUOTE = 2;
  const v = byteView(line);
  const esc = escape.charCodeAt(0);
  const flags: string[] = [];
  let phase = SPACES;
  let word = '';
  let quote = 0;
  let blankOK = false;
  for (let pos = 0; pos <= v.length; pos++) {
    let ch = pos < v.length ? v.at(pos) : -1;
    if (phase === SPACES) {
      if (pos === v.length) break;
      if (isByteSpace(ch)) continue;
      if (ch !== 0x2d || pos + 1 === v.length || v.at(pos + 1) !== 0x2d) return { rest: v.slice(pos), flags };
      phase = WORD;
    }
    if (pos === v.length) {
      if (word !== '--' && (blankOK || word.length > 0)) flags.push(word);
      break;
    }
    if (phase === WORD) {
      if (isByteSpace(ch)) {
        phase = SPACES;
        if (word === '--') return { rest: v.slice(pos), flags };
        if (blankOK || word.length > 0) flags.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === 0x27 || ch === 0x22) {
        quote = ch;
        blankOK = true;
        phase = QUOTE;
        continue;
      }
      if (ch === esc) {
        if (pos + 1 === v.length) continue;
        pos++;
        ch = v.at(pos);
      }
      word += String.fromCharCode(ch);
      continue;
    }
    // QUOTE
    if (ch === quote) {
      phase = WORD;
      continue;
    }
    if (ch === esc) {
      if (pos + 1 === v.length) {
        phase = WORD;
        continue;
      }
      pos++;
      ch = v.at(pos);
    }
    word += String.fromCharCode(ch);
  }
  return { rest: '', flags };
}

/**
 * Shell-ish words for ENV, LABEL and ARG: split on unquoted whitespace, with
 * quotes and escape characters kept (they are removed later, at expansion).
 */
export function parseWords(rest: string, escape: EscapeChar): string[] {
  const SPACES = 0;
  const WORD = 1;
  const QUOTE = 2;
  const esc = escape.charCodeAt(0);
  const n = rest.length;
  const words: string[] = [];
  let phase = SPACES;
  let quote = 0;
  let blankOK = false;
  let start = 0; // start of the pending plain run in `rest`
  let buf = '';
  for (let pos = 0; pos <= n; pos++) {
    const ch = pos < n ? rest.charCodeAt(pos) : -1;
    if (phase === SPACES) {
      if (pos === n) break;
      if (isGoSpace(ch)) continue;
      phase = WORD;
      start = pos;
      buf = '';
    }
    if (pos === n) {
      buf += rest.slice(start, pos);
      if (blankOK || buf.length > 0) words.push(buf);
      break;
    }
    if (phase === WORD) {
      if (isGoSpace(ch)) {
        buf += rest.slice(start, pos);
        if (blankOK || buf.length > 0) words.push(buf);
        phase = SPACES;
        blankOK = false;
        continue;
      }
      if (ch === 0x27 || ch === 0x22) {
        quote = ch;
        blankOK = true;
        phase = QUOTE;
        continue;
      }
      if (ch === esc) {
        if (pos + 1 === n) {
          // A trailing escape is dropped.
          buf += rest.slice(start, pos);
          start = pos + 1;
          continue;
        }
        pos++; // the escape and the escaped character are both kept
      }
      continue;
    }
    // QUOTE: escapes work except inside single quotes.
    if (ch === quote) {
      phase = WORD;
      continue;
    }
    if (ch === esc && quote !== 0x27) {
      if (pos + 1 === n) {
        buf += rest.slice(start, pos);
        start = pos + 1;
        phase = WORD;
        continue;
      }
      pos++;
    }
  }
  return words;
}

function splitOnce(s: string): [string, string] | [string] {
  const m = ASCII_WS_RUN.exec(s);
  if (!m) return [s];
  return [s.slice(0, m.index), s.slice(m.index + m[0].length)];
}

function parseNameVal(rest: string, key: string, escape: EscapeChar): ArgParse {
  const words = parseWords(rest, escape);
  if (words.length === 0) return { ok: true, args: [], json: false };
  if (!words[0]!.includes('=')) {
    // Legacy form `KEY name value`: the value is the raw rest of the line.
    const [name, value] = splitOnce(rest);
    if (value === undefined) return { ok: false, error: `${key} must have two arguments` };
    return { ok: true, args: [name, value, ''], json: false };
  }
  const args: string[] = [];
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq < 0)
      return { ok: false, error: `Syntax error - can't find = in ${goQuote(w)}. Must be of the form: name=value` };
    args.push(w.slice(0, eq), w.slice(eq + 1), '=');
  }
  return { ok: true, args, json: false };
}

function parseStringsWhitespaceDelimited(rest: string): ArgParse {
  if (rest === '') return { ok: true, args: [], json: false };
  return { ok: true, args: rest.split(ASCII_WS_RUN), json: false };
}

function parseString(rest: string): ArgParse {
  return { ok: true, args: rest === '' ? [] : [rest], json: false };
}

const NOT_STRING_ARRAY = 'when using JSON array syntax, arrays must be comprised of strings only';

/** `null` when the text is not a JSON array (shell form); an error for a JSON array of non-strings. */
function parseJSON(rest: string): ArgParse | null {
  const text = trimLeftGoSpace(rest);
  if (text.charCodeAt(0) !== 0x5b /* [ */) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  // Go refuses numbers that overflow float64 while decoding: a decode error, so shell form.
  if (hasInfinity(value)) return null;
  const arr = value as unknown[];
  const args: string[] = [];
  for (const item of arr) {
    if (typeof item !== 'string') return { ok: false, error: NOT_STRING_ARRAY };
    // Go decodes a lone surrogate escape as U+FFFD.
    args.push(item.isWellFormed() ? item : item.toWellFormed());
  }
  return { ok: true, args, json: true };
}

function hasInfinity(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isFinite(v);
  if (Array.isArray(v)) return v.some(hasInfinity);
  if (v !== null && typeof v === 'object') return Object.values(v).some(hasInfinity);
  return false;
}

function parseMaybeJSON(rest: string): ArgParse {
  if (rest === '') return { ok: true, args: [], json: false };
  return parseJSON(rest) ?? { ok: true, args: [rest], json: false };
}

function parseMaybeJSONToList(rest: string): ArgParse {
  return parseJSON(rest) ?? parseStringsWhitespaceDelimited(rest);
}

function parseHealthConfig(rest: string): ArgParse {
  // BuildKit scans bytes here, like the flag lexer.
  const v = byteView(rest);
  let sep = 0;
  while (sep < v.length && !isByteSpace(v.at(sep))) sep++;
  let next = sep;
  while (next < v.length && isByteSpace(v.at(next))) next++;
  if (sep === 0) return { ok: true, args: [], json: false };
  const cmd = parseMaybeJSON(v.slice(next));
  if (!cmd.ok) return cmd;
  return { ok: true, args: [v.slice(0, sep), ...cmd.args], json: cmd.json };
}

type ArgParser = (rest: string, escape: EscapeChar) => ArgParse;

const parsers: Record<string, ArgParser> = {
  add: parseMaybeJSONToList,
  arg: (rest, escape) => ({ ok: true, args: parseWords(rest, escape), json: false }),
  cmd: parseMaybeJSON,
  copy: parseMaybeJSONToList,
  entrypoint: parseMaybeJSON,
  env: (rest, escape) => parseNameVal(rest, 'ENV', escape),
  expose: parseStringsWhitespaceDelimited,
  from: parseStringsWhitespaceDelimited,
  healthcheck: parseHealthConfig,
  label: (rest, escape) => parseNameVal(rest, 'LABEL', escape),
  maintainer: parseString,
  onbuild: (rest, escape) => {
    if (rest === '') return { ok: true, args: [], json: false };
    const sub = parseInstructionLine(rest, escape);
    if (!sub.ok) return sub;
    return { ok: true, args: [], json: false, trigger: sub.parts };
  },
  run: parseMaybeJSON,
  shell: parseMaybeJSON,
  stopsignal: parseString,
  user: parseString,
  volume: parseMaybeJSONToList,
  workdir: parseString,
};

/** Instructions whose arguments may carry heredocs (directly, or as ONBUILD's trigger). */
export const HEREDOC_INSTRUCTIONS: ReadonlySet<string> = new Set(['add', 'copy', 'run']);

export function isKnownInstruction(keyword: string): boolean {
  return Object.hasOwn(parsers, keyword.toLowerCase());
}

/**
 * One joined instruction line into keyword, flags and arguments. Unknown
 * instructions keep their keyword and a single empty argument, as BuildKit's
 * parser does; they are rejected later, when the IR is built.
 */
export function parseInstructionLine(line: string, escape: EscapeChar): LineParse {
  const trimmed = trimGoSpace(line);
  const parts = splitOnce(trimmed);
  const keyword = parts[0];
  let flags: string[] = [];
  let rest = '';
  if (parts.length === 2) {
    const extracted = extractBuilderFlags(parts[1], escape);
    flags = extracted.flags;
    rest = trimGoSpace(extracted.rest);
  }
  // The keyword is user text: "__proto__" must not find Object.prototype.
  const parser = isKnownInstruction(keyword) ? parsers[keyword.toLowerCase()] : undefined;
  if (!parser) return { ok: true, parts: { keyword, flags, args: [''], json: false } };
  const parsed = parser(rest, escape);
  if (!parsed.ok) return parsed;
  const out: LineParts = { keyword, flags, args: parsed.args, json: parsed.json };
  if (parsed.trigger) out.trigger = parsed.trigger;
  return { ok: true, parts: out };
}
