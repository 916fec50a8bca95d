/**
 * Instruction flags with BuildKit's rules (instructions/bflag.go): each
 * instruction declares the flags it accepts; unknown, duplicate or malformed
 * flags are errors with BuildKit's wording.
 */
import { withSuggestion } from '../common/suggest.js';

export type FlagSpec = Record<string, 'bool' | 'string' | 'strings'>;

export interface ParsedFlags {
  /** Bool flags: true/false when given; string flags: the value; strings flags: all values. */
  values: Map<string, string | boolean | string[]>;
}

export type FlagOutcome = { ok: true; flags: ParsedFlags } | { ok: false; error: string };

export function parseFlags(words: readonly string[], spec: FlagSpec): FlagOutcome {
  const values = new Map<string, string | boolean | string[]>();
  for (const word of words) {
    if (word === '--') break;
    if (!word.startsWith('--')) return { ok: false, error: `arg should start with -- : ${word}` };
    const eq = word.indexOf('=');
    const flagName = eq < 0 ? word : word.slice(0, eq);
    const hasValue = eq >= 0;
    const value = hasValue ? word.slice(eq + 1) : '';
    const name = flagName.slice(2);
    const type = Object.prototype.hasOwnProperty.call(spec, name) ? spec[name] : undefined;
    if (!type) return { ok: false, error: withSuggestion(`unknown flag: ${flagName}`, name, Object.keys(spec)) };
    if (values.has(name) && type !== 'strings') return { ok: false, error: `duplicate flag specified: ${flagName}` };
    switch (type) {
      case 'bool': {
        if (hasValue && value === '') return { ok: false, error: `missing a value on flag: ${flagName}` };
        const v = value.toLowerCase();
        if (v === 'true' || v === '') values.set(name, true);
        else if (v === 'false') values.set(name, false);
        else return { ok: false, error: `expecting boolean value for flag ${flagName}, not: ${value}` };
        break;
      }
      case 'string':
        if (!hasValue) return { ok: false, error: `missing a value on flag: ${flagName}` };
        values.set(name, value);
        break;
      case 'strings': {
        if (!hasValue) return { ok: false, error: `missing a value on flag: ${flagName}` };
        const list = (values.get(name) as string[] | undefined) ?? [];
        list.push(value);
        values.set(name, list);
        break;
      }
    }
  }
  return { ok: true, flags: { values } };
}

export function flagString(f: ParsedFlags, name: string): string | undefined {
  const v = f.values.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function flagBool(f: ParsedFlags, name: string): boolean | undefined {
  const v = f.values.get(name);
  return typeof v === 'boolean' ? v : undefined;
}

export function flagStrings(f: ParsedFlags, name: string): string[] {
  const v = f.values.get(name);
  return Array.isArray(v) ? v : [];
}

/** The flags each instruction accepts (BuildKit at the current Dockerfile reference). */
export const FLAG_SPECS = {
  add: {
    chown: 'string',
    chmod: 'string',
    link: 'bool',
    'keep-git-dir': 'bool',
    checksum: 'string',
    unpack: 'bool',
    exclude: 'strings',
  },
  copy: { chown: 'string', from: 'string', chmod: 'string', link: 'bool', exclude: 'strings', parents: 'bool' },
  from: { platform: 'string' },
  run: { mount: 'strings', network: 'string', security: 'string', device: 'strings' },
  healthcheck: {
    interval: 'string',
    timeout: 'string',
    'start-period': 'string',
    'start-interval': 'string',
    retries: 'string',
  },
  none: {},
} as const satisfies Record<string, FlagSpec>;
