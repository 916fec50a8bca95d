/**
 * Variable scopes: what ARG and ENV have set at a point of a stage. Scopes are
 * immutable values; each ARG/ENV makes a new one, and instructions keep a
 * reference to the scope they ran in.
 *
 * A new scope records only its own assignments and points at its parent, so an
 * assignment costs O(1) instead of a copy of every variable. Every CHAIN_LIMIT
 * levels the chain is flattened, which bounds a lookup's walk; `vars` is
 * flattened on first use.
 */
import type { VariableLookup } from '../../grammar/dockerfile/index.js';
import type { Scope } from './types.js';

const CHAIN_LIMIT = 16;

class ChainedScope implements Scope {
  private flat: Map<string, string> | undefined;
  private flatDeclared: Set<string> | undefined;

  constructor(
    private readonly parent: ChainedScope | undefined,
    private readonly own: ReadonlyMap<string, string>,
    /** Declared here (and not set here); a later assignment clears it. */
    private readonly ownDeclared: ReadonlySet<string>,
    readonly baseEnvKnown: boolean,
    readonly depth: number,
  ) {}

  get(name: string): string | undefined {
    for (let s: ChainedScope | undefined = this; s; s = s.parent) {
      if (s.flat) return s.flat.get(name);
      const v = s.own.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  get vars(): ReadonlyMap<string, string> {
    if (!this.flat) {
      const out = new Map(this.parent ? this.parent.vars : undefined);
      for (const [k, v] of this.own) out.set(k, v);
      this.flat = out;
    }
    return this.flat;
  }

  get declaredOnly(): ReadonlySet<string> {
    if (!this.flatDeclared) {
      const out = new Set(this.parent ? this.parent.declaredOnly : undefined);
      for (const k of this.ownDeclared) out.add(k);
      for (const k of this.own.keys()) out.delete(k);
      this.flatDeclared = out;
    }
    return this.flatDeclared;
  }

  child(own: Map<string, string>, declared: Set<string>): ChainedScope {
    if (this.depth + 1 < CHAIN_LIMIT) return new ChainedScope(this, own, declared, this.baseEnvKnown, this.depth + 1);
    // Flatten: a new root holding everything.
    const vars = new Map(this.vars);
    for (const [k, v] of own) vars.set(k, v);
    const decl = new Set(this.declaredOnly);
    for (const k of declared) decl.add(k);
    for (const k of own.keys()) decl.delete(k);
    return new ChainedScope(undefined, vars, decl, this.baseEnvKnown, 0);
  }
}

function asChained(scope: Scope): ChainedScope {
  if (scope instanceof ChainedScope) return scope;
  return new ChainedScope(undefined, new Map(scope.vars), new Set(scope.declaredOnly), scope.baseEnvKnown, 0);
}

export function emptyScope(baseEnvKnown: boolean): Scope {
  return new ChainedScope(undefined, new Map(), new Set(), baseEnvKnown, 0);
}

export function withVar(scope: Scope, key: string, value: string): Scope {
  return asChained(scope).child(new Map([[key, value]]), new Set());
}

/** Several assignments in order, as one new scope. */
export function withVars(scope: Scope, values: Iterable<readonly [string, string]>): Scope {
  const own = new Map<string, string>();
  for (const [k, v] of values) own.set(k, v);
  return asChained(scope).child(own, new Set());
}

/** An ARG without a value: named, but unset. */
export function declareVar(scope: Scope, key: string): Scope {
  const c = asChained(scope);
  if (c.get(key) !== undefined || c.declaredOnly.has(key)) return scope;
  return c.child(new Map(), new Set([key]));
}

export function scopeLookup(scope: Scope): VariableLookup {
  const c = asChained(scope);
  return { get: (name) => c.get(name) };
}
