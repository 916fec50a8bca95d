/**
 * Variable scopes: what ARG and ENV have set at a point of a stage. Scopes are
 * immutable values; each ARG/ENV makes a new one, and instructions keep a
 * reference to the scope they ran in.
 */
import type { VariableLookup } from '../../grammar/dockerfile/index.js';
import type { Scope } from './types.js';

export function emptyScope(baseEnvKnown: boolean): Scope {
  return { vars: new Map(), declaredOnly: new Set(), baseEnvKnown };
}

export function withVar(scope: Scope, key: string, value: string): Scope {
  const vars = new Map(scope.vars);
  vars.set(key, value);
  let declaredOnly = scope.declaredOnly;
  if (declaredOnly.has(key)) {
    const d = new Set(declaredOnly);
    d.delete(key);
    declaredOnly = d;
  }
  return { vars, declaredOnly, baseEnvKnown: scope.baseEnvKnown };
}

/** Several assignments in order, with one copy of the maps. */
export function withVars(scope: Scope, values: Iterable<readonly [string, string]>): Scope {
  const vars = new Map(scope.vars);
  let declaredOnly = scope.declaredOnly;
  for (const [k, v] of values) {
    vars.set(k, v);
    if (declaredOnly.has(k)) {
      if (declaredOnly === scope.declaredOnly) declaredOnly = new Set(declaredOnly);
      (declaredOnly as Set<string>).delete(k);
    }
  }
  return { vars, declaredOnly, baseEnvKnown: scope.baseEnvKnown };
}

/** An ARG without a value: named, but unset. */
export function declareVar(scope: Scope, key: string): Scope {
  if (scope.vars.has(key) || scope.declaredOnly.has(key)) return scope;
  const d = new Set(scope.declaredOnly);
  d.add(key);
  return { vars: scope.vars, declaredOnly: d, baseEnvKnown: scope.baseEnvKnown };
}

export function scopeLookup(scope: Scope): VariableLookup {
  return { get: (name) => scope.vars.get(name) };
}
