/**
 * "Did you mean" for rule messages: BuildKit's suggest.Search (the closest
 * name at an edit distance below 3, the earliest one on a tie; no suggestion
 * when the name itself is an option), computed so that large files stay
 * linear: names whose length differs by 3 or more are skipped unseen, and the
 * edit distance is computed only within a band of width 2.
 */

const LIMIT = 3;

/** The Levenshtein distance of a and b when it is below `limit`; `limit` otherwise. */
export function boundedDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  if (a === b) return 0;
  const n = b.length;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    // Cells farther than limit-1 from the diagonal cannot lead to a distance below limit.
    const lo = Math.max(1, i - limit + 1);
    const hi = Math.min(n, i + limit - 1);
    cur[lo - 1] = lo - 1 === 0 ? i : limit;
    let rowMin = cur[lo - 1]!;
    for (let j = lo; j <= hi; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const up = j <= i + limit - 2 ? prev[j]! : limit;
      const v = Math.min(up + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (hi < n) cur[hi + 1] = limit;
    if (rowMin >= limit) return limit;
    [prev, cur] = [cur, prev];
  }
  return Math.min(prev[n]!, limit);
}

/**
 * The suggestion for `value` among `options`. `rank` orders the candidates
 * (lower first, as BuildKit's iteration order would meet them); without it,
 * the iteration order of `options` decides.
 */
export function closestName(
  value: string,
  options: Iterable<string>,
  rank?: (name: string) => number,
): string | undefined {
  let best: string | undefined;
  let bestDistance = LIMIT;
  let bestRank = Infinity;
  let seen = 0;
  for (const o of options) {
    if (o === value) return undefined;
    const d = boundedDistance(value, o, LIMIT);
    if (d >= LIMIT) continue;
    const r = rank ? rank(o) : seen++;
    if (d < bestDistance || (d === bestDistance && r < bestRank)) {
      best = o;
      bestDistance = d;
      bestRank = r;
    }
  }
  return best;
}
