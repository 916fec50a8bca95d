/**
 * Word resolution: what a shell word expands to, when that can be known
 * statically. Quote removal, parameter expansion (with the POSIX and common
 * bash operators), tilde expansion and field splitting are done; what depends
 * on running something (`$(...)`, `$RANDOM`, a variable whose value is not
 * known) makes the word unresolved — it is never guessed. Pathname expansion
 * is not done: a word with unquoted glob characters keeps its literal text and
 * is flagged.
 */
import type { Range } from '../common/diagnostics.js';
import type { ParameterPart, Word, WordPart } from '../../grammar/shell/index.js';
import { known, UNKNOWN, type ShellVariables, type VariableValue } from './scope.js';

/** One resolved word (or one field of a word that field splitting divided). */
export interface ResolvedWord {
  /** The value after expansion; absent when `resolved` is false. */
  value?: string;
  resolved: boolean;
  /** The source word as written. */
  text: string;
  range: Range;
  /** Has unquoted `*`, `?` or `[...]`: the shell may replace it with matching file names. */
  glob?: boolean;
  /**
   * When unresolved: the value with each unknown piece replaced by U+FFFD, as far
   * as the word could be followed (absent when even that is unknown).
   */
  partial?: string;
  /** When unresolved: the first reason, e.g. "command substitution" or "$VERSION is not known". */
  reason?: string;
}

/** Marks an unknown piece in `ResolvedWord.partial`. */
export const UNKNOWN_PIECE = '\ufffd';

export interface ExpandContext {
  vars: ShellVariables;
  /** Source range of script offsets. */
  range(start: number, end: number): Range;
}

/** A piece of an expanded word before field splitting. */
interface Piece {
  text: string;
  known: boolean;
  /** Inside quotes: never split, never globbed. */
  quoted: boolean;
  /** The result of an unquoted expansion: subject to field splitting. */
  split: boolean;
  glob: boolean;
  reason?: string;
}

const DEFAULT_IFS = ' \t\n';
const MAX_PATTERN_SUBJECT = 4096;

/**
 * Expands `word` into argv fields, as for a simple command's arguments: an
 * unquoted expansion may produce several fields, or none.
 */
export function expandFields(word: Word, ctx: ExpandContext): ResolvedWord[] {
  const only = word.parts.length === 1 ? word.parts[0]! : undefined;
  // Fast path: plain unquoted text, by far the most common word.
  if (only !== undefined && only.kind === 'Literal') {
    const out: ResolvedWord = {
      value: only.value,
      resolved: true,
      text: word.text,
      range: ctx.range(word.start, word.end),
    };
    if (only.glob) out.glob = true;
    return [out];
  }
  const pieces: Piece[] = [];
  expandParts(word.parts, false, ctx, pieces);
  const range = ctx.range(word.start, word.end);
  const unknownSplit = pieces.find((p) => p.split && !p.known);
  if (unknownSplit !== undefined) {
    // How many fields an unknown unquoted expansion makes cannot be known.
    return [unresolved(word, range, pieces, unknownSplit.reason ?? 'unknown expansion')];
  }
  const ifsValue = ctx.vars.get('IFS');
  if (ifsValue !== undefined && !ifsValue.known && pieces.some((p) => p.split)) {
    return [unresolved(word, range, pieces, '$IFS is not known')];
  }
  const ifs = ifsValue === undefined || !ifsValue.known ? DEFAULT_IFS : ifsValue.value;
  interface Field {
    pieces: Piece[];
    nonEmpty: boolean;
  }
  const fields: Field[] = [];
  const state: { current: Field | null } = { current: null };
  const open = (): Field => {
    state.current ??= { pieces: [], nonEmpty: false };
    return state.current;
  };
  for (const p of pieces) {
    if (!p.split || ifs === '') {
      const f = open();
      f.pieces.push(p);
      if (p.quoted || p.text !== '') f.nonEmpty = true;
      continue;
    }
    let start = 0;
    for (let i = 0; i <= p.text.length; i++) {
      const atEnd = i === p.text.length;
      if (!atEnd && !ifs.includes(p.text[i]!)) continue;
      if (i > start) {
        const f = open();
        f.pieces.push({ ...p, text: p.text.slice(start, i) });
        f.nonEmpty = true;
      }
      if (!atEnd) {
        const whitespace = DEFAULT_IFS.includes(p.text[i]!);
        // A non-blank IFS character always ends a field, even an empty one.
        const current = state.current;
        if (current !== null && (current.nonEmpty || !whitespace)) fields.push(current);
        else if (!whitespace) fields.push({ pieces: [], nonEmpty: true });
        state.current = null;
      }
      start = i + 1;
    }
  }
  if (state.current !== null && state.current.nonEmpty) fields.push(state.current);
  return fields.map((f) => fieldWord(word, range, f.pieces));
}

/** Expands `word` into one value, as for an assignment, a redirection target or a case subject. */
export function expandValue(word: Word, ctx: ExpandContext): ResolvedWord {
  const pieces: Piece[] = [];
  expandParts(word.parts, false, ctx, pieces);
  const range = ctx.range(word.start, word.end);
  for (const p of pieces) {
    p.glob = false;
  }
  const missing = pieces.find((p) => !p.known);
  if (missing !== undefined) return unresolved(word, range, pieces, missing.reason ?? 'unknown expansion');
  return { value: pieces.map((p) => p.text).join(''), resolved: true, text: word.text, range };
}

/** Expands the parts of a heredoc body (no field splitting, no globbing). */
export function expandHeredoc(content: Word, quoted: boolean, ctx: ExpandContext): ResolvedWord {
  if (quoted) {
    const value = content.parts.map((p) => (p.kind === 'Literal' ? p.value : '')).join('');
    return { value, resolved: true, text: content.text, range: ctx.range(content.start, content.end) };
  }
  const pieces: Piece[] = [];
  expandParts(content.parts, true, ctx, pieces);
  const range = ctx.range(content.start, content.end);
  const missing = pieces.find((p) => !p.known);
  if (missing !== undefined) return unresolved(content, range, pieces, missing.reason ?? 'unknown expansion');
  return { value: pieces.map((p) => p.text).join(''), resolved: true, text: content.text, range };
}

function fieldWord(word: Word, range: Range, pieces: Piece[]): ResolvedWord {
  const missing = pieces.find((p) => !p.known);
  if (missing !== undefined) return unresolved(word, range, pieces, missing.reason ?? 'unknown expansion');
  const out: ResolvedWord = { value: pieces.map((p) => p.text).join(''), resolved: true, text: word.text, range };
  if (pieces.some((p) => p.glob)) out.glob = true;
  return out;
}

function unresolved(word: Word, range: Range, pieces: Piece[], reason: string): ResolvedWord {
  const out: ResolvedWord = { resolved: false, text: word.text, range, reason };
  // The partial value is only meaningful when no unknown piece may split the word.
  if (!pieces.some((p) => p.split && !p.known))
    out.partial = pieces.map((p) => (p.known ? p.text : UNKNOWN_PIECE)).join('');
  if (pieces.some((p) => p.glob)) out.glob = true;
  return out;
}

function hasGlobCharacters(s: string): boolean {
  return /[*?[]/.test(s);
}

function expandParts(parts: WordPart[], quoted: boolean, ctx: ExpandContext, out: Piece[]): void {
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    switch (part.kind) {
      case 'Literal':
        out.push({ text: part.value, known: true, quoted, split: false, glob: !quoted && part.glob === true });
        break;
      case 'SingleQuoted':
        out.push({ text: part.value, known: true, quoted: true, split: false, glob: false });
        break;
      case 'DoubleQuoted':
        // "" still makes a (possibly empty) field.
        out.push({ text: '', known: true, quoted: true, split: false, glob: false });
        expandParts(part.parts, true, ctx, out);
        break;
      case 'Tilde': {
        const home = part.user === '' ? ctx.vars.get('HOME') : undefined;
        if (home !== undefined && home.known)
          out.push({ text: home.value, known: true, quoted: true, split: false, glob: false });
        else
          out.push({
            text: '',
            known: false,
            quoted: true,
            split: false,
            glob: false,
            reason:
              part.user === '' ? 'home directory (~) is not known' : `home directory of ${part.user} is not known`,
          });
        break;
      }
      case 'Parameter': {
        const v = parameterValue(part, quoted, ctx);
        out.push({
          text: v.known ? v.value : '',
          known: v.known,
          quoted,
          split: !quoted,
          glob: !quoted && v.known && hasGlobCharacters(v.value),
          ...(v.known ? {} : { reason: v.reason }),
        });
        break;
      }
      case 'CommandSubstitution':
        out.push({ text: '', known: false, quoted, split: !quoted, glob: false, reason: 'command substitution' });
        break;
      case 'Arithmetic':
        out.push({ text: '', known: false, quoted, split: !quoted, glob: false, reason: 'arithmetic expansion' });
        break;
      case 'ProcessSubstitution':
        out.push({ text: '', known: false, quoted: true, split: false, glob: false, reason: 'process substitution' });
        break;
    }
  }
}

type ParamResult = { known: true; value: string } | { known: false; reason: string };

function describeParameter(part: ParameterPart): string {
  return part.braced ? `\${${part.name}}` : `$${part.name}`;
}

function notKnown(part: ParameterPart, v: VariableValue | undefined): ParamResult {
  const name = `$${part.name}`;
  if (v === undefined) return { known: false, reason: `${name} is not known` };
  return {
    known: false,
    reason: /^[0-9@*#?$!-]$/.test(part.name) ? `${name} is set when the script runs` : `${name} is not known`,
  };
}

function operandValue(word: Word | undefined, quoted: boolean, ctx: ExpandContext): ParamResult {
  if (word === undefined) return { known: true, value: '' };
  const pieces: Piece[] = [];
  expandParts(word.parts, quoted, ctx, pieces);
  const missing = pieces.find((p) => !p.known);
  if (missing !== undefined) return { known: false, reason: missing.reason ?? 'unknown expansion' };
  return { known: true, value: pieces.map((p) => p.text).join('') };
}

/** A glob pattern (operand of `#`, `%`, `/`) as a regular expression source; null when not known. */
function patternSource(word: Word | undefined, quoted: boolean, ctx: ExpandContext): string | null {
  if (word === undefined) return '';
  const pieces: Piece[] = [];
  expandParts(word.parts, quoted, ctx, pieces);
  let src = '';
  for (const p of pieces) {
    if (!p.known) return null;
    src += p.quoted ? escapeRegExp(p.text) : globToRegExp(p.text);
  }
  return src;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Translates shell glob syntax (`*`, `?`, `[...]`, backslash) into regular expression source. */
export function globToRegExp(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') out += '[\\s\\S]*';
    else if (c === '?') out += '[\\s\\S]';
    else if (c === '\\' && i + 1 < glob.length) out += escapeRegExp(glob[++i]!);
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) {
        out += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, close);
      let negate = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        negate = true;
        body = body.slice(1);
      }
      body = body
        .replace(
          /\[:(alpha|digit|alnum|upper|lower|space|punct|xdigit|blank):\]/g,
          (_m, cls: string) => POSIX_CLASSES[cls] ?? '',
        )
        .replace(/[\\\]^]/g, (m) => `\\${m}`);
      out += `[${negate ? '^' : ''}${body}]`;
      i = close;
    } else out += escapeRegExp(c);
  }
  return out;
}

const POSIX_CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  blank: ' \\t',
};

function compile(source: string): RegExp | null {
  try {
    return new RegExp(`^(?:${source})$`);
  } catch {
    return null;
  }
}

/** `${v#p}`, `${v##p}`, `${v%p}`, `${v%%p}`. */
function removeAffix(value: string, source: string, op: '#' | '##' | '%' | '%%'): string | null {
  const re = compile(source);
  if (re === null) return null;
  const n = value.length;
  if (op === '#') {
    for (let i = 0; i <= n; i++) if (re.test(value.slice(0, i))) return value.slice(i);
  } else if (op === '##') {
    for (let i = n; i >= 0; i--) if (re.test(value.slice(0, i))) return value.slice(i);
  } else if (op === '%') {
    for (let i = n; i >= 0; i--) if (re.test(value.slice(i))) return value.slice(0, i);
  } else {
    for (let i = 0; i <= n; i++) if (re.test(value.slice(i))) return value.slice(0, i);
  }
  return value;
}

/** `${v/p/r}`, `${v//p/r}`, `${v/#p/r}`, `${v/%p/r}`: longest matches, as bash does. */
function replacePattern(
  value: string,
  source: string,
  replacement: string,
  op: '/' | '//' | '/#' | '/%',
): string | null {
  if (source === '') return value;
  const re = compile(source);
  if (re === null) return null;
  const n = value.length;
  if (op === '/#') {
    for (let j = n; j >= 0; j--) if (re.test(value.slice(0, j))) return replacement + value.slice(j);
    return value;
  }
  if (op === '/%') {
    for (let i = 0; i <= n; i++) if (re.test(value.slice(i))) return value.slice(0, i) + replacement;
    return value;
  }
  let out = '';
  let i = 0;
  let replaced = false;
  while (i <= n) {
    let matched = -1;
    if (!(replaced && op === '/')) {
      for (let j = n; j > i; j--) {
        if (re.test(value.slice(i, j))) {
          matched = j;
          break;
        }
      }
    }
    if (matched > i) {
      out += replacement;
      i = matched;
      replaced = true;
    } else {
      if (i < n) out += value[i];
      i++;
    }
  }
  return out;
}

function substring(value: string, spec: string): string | null {
  const m = /^\s*(-?\s*\d+)\s*(?::\s*(-?\d+)\s*)?$/.exec(spec);
  if (m === null) return null;
  let offset = Number(m[1]!.replace(/\s+/g, ''));
  if (offset < 0) offset = Math.max(0, value.length + offset);
  if (m[2] === undefined) return value.slice(offset);
  const length = Number(m[2]);
  return length < 0
    ? value.slice(offset, Math.max(offset, value.length + length))
    : value.slice(offset, offset + length);
}

function parameterValue(part: ParameterPart, quoted: boolean, ctx: ExpandContext): ParamResult {
  if (part.subscript !== undefined)
    return { known: false, reason: `${describeParameter(part)}: arrays are not followed` };
  let name = part.name;
  if (part.indirect) {
    const ref = ctx.vars.get(name);
    if (ref === undefined || !ref.known || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(ref.value))
      return { known: false, reason: `${describeParameter(part)}: indirect reference is not known` };
    name = ref.value;
  }
  const v = ctx.vars.get(name);
  if (part.length) {
    if (v === undefined) return { known: true, value: '0' };
    return v.known && !/^[@*]$/.test(name) ? { known: true, value: String([...v.value].length) } : notKnown(part, v);
  }
  const op = part.operator;
  if (op === undefined) {
    if (v === undefined) return { known: true, value: '' };
    return v.known ? { known: true, value: v.value } : notKnown(part, v);
  }
  const isSet = v !== undefined;
  switch (op) {
    case '-':
    case ':-':
    case '=':
    case ':=': {
      const useOperand = op === '-' || op === '=' ? !isSet : !isSet || (v.known && v.value === '');
      if (isSet && !v.known && (op === ':-' || op === ':=')) return notKnown(part, v);
      if (!useOperand) return v!.known ? { known: true, value: v!.value } : notKnown(part, v);
      const operand = operandValue(part.operand, quoted, ctx);
      if ((op === '=' || op === ':=') && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
        ctx.vars.set(name, operand.known ? known(operand.value) : UNKNOWN);
      return operand;
    }
    case '?':
    case ':?':
      // Unset (or empty) stops the script; otherwise the value.
      if (v === undefined) return { known: false, reason: `${describeParameter(part)} fails when unset` };
      return v.known ? { known: true, value: v.value } : notKnown(part, v);
    case '+':
      return isSet ? operandValue(part.operand, quoted, ctx) : { known: true, value: '' };
    case ':+':
      if (!isSet) return { known: true, value: '' };
      if (!v.known) return notKnown(part, v);
      return v.value === '' ? { known: true, value: '' } : operandValue(part.operand, quoted, ctx);
  }
  // The remaining operators transform the value.
  if (v === undefined) return { known: true, value: '' };
  if (!v.known) return notKnown(part, v);
  const value = v.value;
  if (value.length > MAX_PATTERN_SUBJECT)
    return { known: false, reason: `${describeParameter(part)}: value too long to transform` };
  switch (op) {
    case '#':
    case '##':
    case '%':
    case '%%': {
      const source = patternSource(part.operand, quoted, ctx);
      const result = source === null ? null : removeAffix(value, source, op);
      return result === null
        ? { known: false, reason: `${describeParameter(part)}: pattern is not known` }
        : { known: true, value: result };
    }
    case '/':
    case '//':
    case '/#':
    case '/%': {
      const source = patternSource(part.operand, quoted, ctx);
      const replacement = operandValue(part.replacement, quoted, ctx);
      if (source === null || !replacement.known)
        return { known: false, reason: `${describeParameter(part)}: pattern is not known` };
      const result = replacePattern(value, source, replacement.value, op);
      return result === null
        ? { known: false, reason: `${describeParameter(part)}: pattern is not known` }
        : { known: true, value: result };
    }
    case '^':
    case '^^':
    case ',':
    case ',,': {
      if (part.operand !== undefined && part.operand.text !== '')
        return { known: false, reason: `${describeParameter(part)}: case pattern is not followed` };
      const upper = op[0] === '^';
      const all = op.length === 2;
      const convert = (s: string): string => (upper ? s.toUpperCase() : s.toLowerCase());
      return { known: true, value: all ? convert(value) : convert(value.slice(0, 1)) + value.slice(1) };
    }
    case ':': {
      const spec = operandValue(part.operand, quoted, ctx);
      const result = spec.known ? substring(value, spec.value) : null;
      return result === null
        ? { known: false, reason: `${describeParameter(part)}: substring bounds are not known` }
        : { known: true, value: result };
    }
    default:
      return { known: false, reason: `${describeParameter(part)}: transformation is not followed` };
  }
}
