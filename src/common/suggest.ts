/**
 * "Did you mean …?" suggestions for misspelt names, with BuildKit's threshold:
 * the closest option at an edit distance below 3.
 */

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  let cur = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** The closest option, matching the case style of `value` when comparing case-insensitively. */
export function suggest(value: string, options: Iterable<string>, caseSensitive = true): string | undefined {
  const v = caseSensitive ? value : value.toLowerCase();
  let match: string | undefined;
  let best = 3;
  for (const option of options) {
    const o = caseSensitive ? option : option.toLowerCase();
    if (o === v) return undefined;
    const d = levenshtein(v, o);
    if (d < best) {
      best = d;
      match = caseSensitive ? o : matchCase(o, value);
    }
  }
  return match;
}

function matchCase(option: string, original: string): string {
  if (original === original.toLowerCase()) return option.toLowerCase();
  if (original === original.toUpperCase()) return option.toUpperCase();
  return option;
}

/** `message (did you mean x?)` when a close option exists. */
export function withSuggestion(
  message: string,
  value: string,
  options: Iterable<string>,
  caseSensitive = true,
): string {
  const s = suggest(value, options, caseSensitive);
  return s === undefined ? message : `${message} (did you mean ${s}?)`;
}
