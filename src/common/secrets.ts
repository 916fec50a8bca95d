/**
 * Values that must not leak into what scannable writes: build arguments and
 * ENV/ARG values whose names look secret (BuildKit's SecretsUsedInArgOrEnv
 * word list: token, password, secret, key...). Docker stores such values in
 * the image config and history, which lint warns about; scannable's own
 * outputs (the SBOM, the plan, progress lines, image history) show
 * `<redacted>` in their place.
 */

// BuildKit's word lists: a secret-like token as the whole name or as its first or last `_`-separated word.
const DENY = /(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)/i;
const ALLOW = /(?:_|^)(?:public)(?:_|$)/i;

export const REDACTED = '<redacted>';

/**
 * Values shorter than this are redacted only where their name stands next to
 * them (ENV/ARG pairs, build arguments), never searched for in other text:
 * a short value ("dev", "1234") would match ordinary words and digests.
 */
export const MIN_SCRUB_LENGTH = 8;

/** Digests and image ids are never rewritten (a hex-looking secret could occur in one by chance). */
const DIGEST = /^(?:sha256:)?[0-9a-f]{64}$/;

export function looksSecret(name: string): boolean {
  return DENY.test(name) && !ALLOW.test(name);
}

/** Name/value pairs with secret-looking names, values redacted. */
export function redactPairs<T extends string | undefined>(
  pairs: ReadonlyArray<readonly [string, T]>,
): Array<[string, T | typeof REDACTED]> {
  return pairs.map(([k, v]) => [k, v !== undefined && looksSecret(k) ? REDACTED : v]);
}

/** The values of secret-looking names among the pairs, long enough to search for (longest first). */
export function secretValues(pairs: Iterable<readonly [string, string | undefined]>): string[] {
  const out = new Set<string>();
  for (const [k, v] of pairs) if (v !== undefined && v.length >= MIN_SCRUB_LENGTH && looksSecret(k)) out.add(v);
  return [...out].sort((a, b) => b.length - a.length);
}

/** Every occurrence of a secret value in a string, redacted. */
export function scrubText(s: string, secrets: readonly string[]): string {
  let out = s;
  for (const v of secrets) {
    if (!out.includes(v)) continue;
    if (out === s && DIGEST.test(s)) return s;
    out = out.split(v).join(REDACTED);
  }
  return out;
}

/**
 * `value` with every string scrubbed (object keys too), copied only where
 * something changed: what holds no secret is returned as it is, shared, so
 * scrubbing a build's provenance (thousands of file records, with an
 * ENV ..._KEY in the Dockerfile) allocates nothing for them. Buffers and
 * class instances other than plain objects, arrays and Maps are kept.
 */
export function scrub<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return scrubText(v, secrets);
    if (Array.isArray(v)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const w = walk(v[i]);
        if (w !== v[i]) (out ??= v.slice())[i] = w;
      }
      return out ?? v;
    }
    if (v instanceof Map) {
      let changed = false;
      const entries: Array<[unknown, unknown]> = [];
      for (const [k, x] of v) {
        const k2 = walk(k);
        const x2 = walk(x);
        if (k2 !== k || x2 !== x) changed = true;
        entries.push([k2, x2]);
      }
      return changed ? new Map(entries) : v;
    }
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const record = v as Record<string, unknown>;
      const keys = Object.keys(record);
      // Built from the first change on (earlier entries as they were), keys in their order.
      let entries: Array<[string, unknown]> | undefined;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const k2 = scrubText(k, secrets);
        const x = walk(record[k]);
        if (!entries && (k2 !== k || x !== record[k])) entries = keys.slice(0, i).map((p) => [p, record[p]]);
        entries?.push([k2, x]);
      }
      return entries ? Object.fromEntries(entries) : v;
    }
    return v;
  };
  return walk(value) as T;
}

/**
 * An ENV or ARG instruction's text with the values of secret-looking names
 * redacted: `ENV A=1 API_TOKEN="x y"` -> `ENV A=1 API_TOKEN=<redacted>`, and
 * the legacy `ENV API_TOKEN x y` -> `ENV API_TOKEN <redacted>`.
 */
export function redactInstruction(text: string): string {
  const m = /^(\s*(?:onbuild\s+)?)(env|arg)(\s+)([\s\S]*)$/i.exec(text);
  if (!m) return text;
  const [, lead, kw, sp, rest] = m as unknown as [string, string, string, string, string];
  // Legacy form: one name, then the rest of the line is the value.
  const legacy = /^([^\s=]+)(\s+)([\s\S]+)$/.exec(rest);
  if (kw.toLowerCase() === 'env' && legacy && !rest.includes('='))
    return looksSecret(legacy[1]!) ? `${lead}${kw}${sp}${legacy[1]}${legacy[2]}${REDACTED}` : text;
  const redacted = rest.replace(
    /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\[\s\S])*"|'[^']*'|(?:[^\s\\]|\\[\s\S])*)/g,
    (all, name: string) => (looksSecret(name) ? `${name}=${REDACTED}` : all),
  );
  return `${lead}${kw}${sp}${redacted}`;
}
