/**
 * Value syntaxes BuildKit validates with Go library functions: CSV fields of
 * `--mount`, durations of HEALTHCHECK, memory sizes, signal names.
 */

/** One CSV record, as Go's encoding/csv reads it (used for --mount and --device). */
export function csvFields(record: string): { ok: true; fields: string[] } | { ok: false; error: string } {
  const fields: string[] = [];
  let i = 0;
  const n = record.length;
  for (;;) {
    if (i < n && record[i] === '"') {
      // Quoted field: "" is a quote; the field must end at a comma or the end.
      let value = '';
      i++;
      for (;;) {
        const q = record.indexOf('"', i);
        if (q < 0) return { ok: false, error: 'extraneous or missing " in quoted-field' };
        value += record.slice(i, q);
        if (record[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      if (i < n && record[i] !== ',') return { ok: false, error: 'extraneous or missing " in quoted-field' };
      fields.push(value);
    } else {
      const comma = record.indexOf(',', i);
      const end = comma < 0 ? n : comma;
      const value = record.slice(i, end);
      if (value.includes('"')) return { ok: false, error: 'bare " in non-quoted-field' };
      fields.push(value);
      i = end;
    }
    if (i >= n) break;
    i++; // the comma
  }
  return { ok: true, fields };
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go's time.ParseDuration, in nanoseconds. */
export function parseGoDuration(s: string): number | undefined {
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  const part = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/;
  while (rest !== '') {
    const m = part.exec(rest);
    if (!m || m[1] === '' || m[1] === '.') return undefined;
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

/** docker/go-units RAMInBytes: "64m", "1.5GiB", "512k" (binary multiples). */
export function parseRamBytes(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(s);
  if (!m) return undefined;
  const size = Number(m[1]);
  if (!Number.isFinite(size)) return undefined;
  const unit = (m[2] ?? '').toLowerCase();
  const mult = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 }[unit] ?? 1;
  return Math.floor(size * mult);
}

/** Linux signal names and numbers (moby/sys/signal). */
export const SIGNALS: Readonly<Record<string, number>> = {
  ABRT: 6,
  ALRM: 14,
  BUS: 7,
  CHLD: 17,
  CLD: 17,
  CONT: 18,
  FPE: 8,
  HUP: 1,
  ILL: 4,
  INT: 2,
  IO: 29,
  IOT: 6,
  KILL: 9,
  PIPE: 13,
  POLL: 29,
  PROF: 27,
  PWR: 30,
  QUIT: 3,
  SEGV: 11,
  STKFLT: 16,
  STOP: 19,
  SYS: 31,
  TERM: 15,
  TRAP: 5,
  TSTP: 20,
  TTIN: 21,
  TTOU: 22,
  URG: 23,
  USR1: 10,
  USR2: 12,
  VTALRM: 26,
  WINCH: 28,
  XCPU: 24,
  XFSZ: 25,
};

/** moby's signal.ParseSignal: a number, or a name with or without SIG (RTMIN+n too). */
export function parseSignal(s: string): number | undefined {
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return n >= 1 && n <= 64 ? n : undefined;
  }
  const name = s.toUpperCase().replace(/^SIG/, '');
  if (Object.hasOwn(SIGNALS, name)) return SIGNALS[name];
  const rt = /^RTM(IN|AX)([+-]\d+)?$/.exec(name);
  if (rt) {
    const base = rt[1] === 'IN' ? 34 : 64;
    const n = base + Number(rt[2] ?? 0);
    return n >= 34 && n <= 64 ? n : undefined;
  }
  return undefined;
}
