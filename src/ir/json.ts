/**
 * The IR as plain JSON (what `scannable parse --format json` prints): syntax
 * nodes and per-instruction scopes are left out, ranges stay.
 */
import type { DockerfileIR } from './types.js';

const OMIT = new Set(['syntax', 'scope', 'tree', 'globalScope']);

export function irToJSON(ir: DockerfileIR): unknown {
  return JSON.parse(
    JSON.stringify(ir, (key, value: unknown) => {
      if (OMIT.has(key) && typeof value === 'object') return undefined;
      if (value instanceof Map) return Object.fromEntries(value);
      if (value instanceof Set) return [...value];
      return value;
    }),
  );
}
