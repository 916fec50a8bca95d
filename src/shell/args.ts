/**
 * Reading a command's options the way the program itself does: which options
 * take a value, short-option clusters (`-xzf file`), `--long=value`, `--`, and
 * whether options may follow operands (GNU) or end at the first one (wrappers
 * like sudo, whose operands are another command).
 */
import type { ResolvedWord } from './expand.js';

/** How a program reads its options; build one with `options()` (once, at module level). */
export interface OptionSpec {
  /** Options that take a value, with their dashes: `-o`, `--output`. */
  valued?: readonly string[];
  /** Options end at the first operand (the operands are a command line). */
  stopAtOperand?: boolean;
  /** Long options are written with one dash (`-ldflags`, as Go does); no short clusters. */
  singleDash?: boolean;
}

export interface ParsedOption {
  /** `-o` or `--output` (for `-xzf`: `-x`, `-z`, `-f`). */
  name: string;
  value?: ResolvedWord;
  word: ResolvedWord;
}

export interface ParsedArgs {
  options: ParsedOption[];
  operands: ResolvedWord[];
  /** With `stopAtOperand`: index in the argument list of the first operand (or its length). */
  rest: number;
}

/** The text to read options from: the value, or for an unresolved word what is known of it. */
function optionText(w: ResolvedWord): string | undefined {
  if (w.resolved) return w.value!;
  // `--opt=$X`: the option name is known even if its value is not.
  const partial = w.partial;
  if (partial !== undefined && partial.startsWith('-')) return partial;
  return undefined;
}

/** A word made of the end of another (`file` in `-ofile` or `--output=file`). */
export function tail(w: ResolvedWord, from: number): ResolvedWord {
  const out: ResolvedWord = { resolved: w.resolved, text: w.text, range: w.range };
  if (w.resolved) out.value = w.value!.slice(from);
  else {
    if (w.partial !== undefined) out.partial = w.partial.slice(from);
    if (w.reason !== undefined) out.reason = w.reason;
  }
  if (w.glob) out.glob = true;
  return out;
}

/** A resolved word with a value derived from another (e.g. a file name from a URL). */
export function derived(w: ResolvedWord, value: string): ResolvedWord {
  return { value, resolved: true, text: w.text, range: w.range };
}

/** An OptionSpec ready for parsing: the same shape for every program, with a lookup set. */
export interface Options {
  readonly valued: ReadonlySet<string>;
  readonly stopAtOperand: boolean;
  readonly singleDash: boolean;
}

export function options(spec: OptionSpec = {}): Options {
  return {
    valued: new Set(spec.valued ?? []),
    stopAtOperand: spec.stopAtOperand === true,
    singleDash: spec.singleDash === true,
  };
}

/** No option takes a value. */
export const PLAIN_OPTIONS = options();

export function parseArgs(args: readonly ResolvedWord[], spec: Options = PLAIN_OPTIONS): ParsedArgs {
  const valued = spec.valued;
  const options: ParsedOption[] = [];
  const operands: ResolvedWord[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const w = args[i]!;
    const text = optionText(w);
    if (text === '--') {
      i++;
      break;
    }
    if (text === undefined || !text.startsWith('-') || text === '-') {
      if (spec.stopAtOperand) return { options, operands: args.slice(i), rest: i };
      operands.push(w);
      continue;
    }
    if (text.startsWith('--') || spec.singleDash) {
      const eq = text.indexOf('=');
      let name = eq < 0 ? text : text.slice(0, eq);
      // Go's flag package takes `--flag` for `-flag`.
      if (spec.singleDash && name.startsWith('--')) name = name.slice(1);
      if (eq >= 0) options.push({ name, value: tail(w, eq + 1), word: w });
      else if (valued.has(name) && i + 1 < args.length) options.push({ name, value: args[++i]!, word: w });
      else options.push({ name, word: w });
      continue;
    }
    // A cluster of short options: the first one that takes a value takes the rest of the word or the next word.
    for (let k = 1; k < text.length; k++) {
      const name = `-${text[k]}`;
      if (valued.has(name)) {
        if (k + 1 < text.length) options.push({ name, value: tail(w, k + 1), word: w });
        else if (i + 1 < args.length) options.push({ name, value: args[++i]!, word: w });
        else options.push({ name, word: w });
        break;
      }
      options.push({ name, word: w });
    }
  }
  for (; i < args.length; i++) operands.push(args[i]!);
  return { options, operands, rest: spec.stopAtOperand ? Math.min(i, args.length) : args.length };
}

export function has(parsed: ParsedArgs, ...names: string[]): boolean {
  return parsed.options.some((o) => names.includes(o.name));
}

/** The last value given for one of `names`. */
export function valueOf(parsed: ParsedArgs, ...names: string[]): ResolvedWord | undefined {
  let found: ResolvedWord | undefined;
  for (const o of parsed.options) if (names.includes(o.name) && o.value !== undefined) found = o.value;
  return found;
}

export function valuesOf(parsed: ParsedArgs, ...names: string[]): ResolvedWord[] {
  return parsed.options.filter((o) => names.includes(o.name) && o.value !== undefined).map((o) => o.value!);
}

/** `/usr/bin/curl` → `curl`. */
export function basename(path: string): string {
  let slash = path.lastIndexOf('/');
  if (slash < 0) return path;
  if (slash === path.length - 1) {
    const trimmed = path.replace(/\/+$/, '');
    slash = trimmed.lastIndexOf('/');
    return slash < 0 ? trimmed : trimmed.slice(slash + 1);
  }
  return path.slice(slash + 1);
}

/** Joins a path onto a directory (`..` and `.` resolved); `undefined` when the directory is not known. */
export function resolvePath(cwd: string | undefined, path: string): string | undefined {
  const absolute = path.startsWith('/');
  if (!absolute && cwd === undefined) return undefined;
  // Already normal: absolute, no `.`/`..` segments, no doubled or trailing slashes.
  if (absolute && !/\/\.|\/\/|.\/$/.test(path)) return path;
  const parts = (absolute ? path : `${cwd}/${path}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return '/' + out.join('/');
}
