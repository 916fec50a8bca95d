/**
 * Variables a script sees. A name is in one of three states: a known value, a
 * declared but unknown value (an ARG without default, a base-image ENV not
 * known offline, a variable the script set from a command's output), or unset
 * (expands to nothing).
 */

/** `undefined` from `get` means unset. */
export type VariableValue = { known: true; value: string } | { known: false };

export interface VariableScope {
  get(name: string): VariableValue | undefined;
}

export const UNKNOWN: VariableValue = { known: false };

export function known(value: string): VariableValue {
  return { known: true, value };
}

/**
 * A scope from plain data: a string is a known value, `null` a declared but
 * unknown one; names not present are unset.
 */
export function scopeOf(values: Record<string, string | null> | Map<string, string | null>): VariableScope {
  const map = values instanceof Map ? values : new Map(Object.entries(values));
  return {
    get(name) {
      if (!map.has(name)) return undefined;
      const v = map.get(name);
      return v === null || v === undefined ? UNKNOWN : known(v);
    },
  };
}

export const EMPTY_SCOPE: VariableScope = { get: () => undefined };

/** Shared by environments that have not assigned or exported anything yet; never written. */
const NO_NAMES = new Map<string, VariableValue | null>();
const NO_EXPORTS = new Set<string>();

/**
 * Parameters the shell or the container runtime sets while the script runs:
 * unknown statically unless the caller's scope or the script itself sets them.
 */
const RUNTIME_PARAMETERS = new Set([
  'RANDOM',
  'SRANDOM',
  'LINENO',
  'SECONDS',
  'BASHPID',
  'PPID',
  'UID',
  'EUID',
  'GROUPS',
  'HOSTNAME',
  'HOME',
  'PWD',
  'OLDPWD',
  'EPOCHSECONDS',
  'EPOCHREALTIME',
  'SHLVL',
  'BASH',
  'BASH_VERSION',
  'BASH_VERSINFO',
  'BASHOPTS',
  'SHELLOPTS',
  'OSTYPE',
  'HOSTTYPE',
  'MACHTYPE',
  'OPTIND',
  'OPTARG',
  'REPLY',
  'PIPESTATUS',
  'FUNCNAME',
  'BASH_SOURCE',
  'BASH_LINENO',
  'USER',
]);

/** `$?`, `$$`, `$1`, `$@`, ...: never known statically. */
export function isSpecialParameter(name: string): boolean {
  const c = name.charCodeAt(0);
  return (c >= 0x30 && c <= 0x39) || (name.length === 1 && '@*#?-$!'.includes(name));
}

/**
 * The variables of one shell execution environment. Assignments made by the
 * script shadow the outer scope; a subshell gets a child that cannot change
 * its parent.
 */
export class ShellVariables {
  // Most environments (one per pipeline element) never assign anything: share an empty map until they do.
  private own: Map<string, VariableValue | null> = NO_NAMES;
  /** Names exported by the script (`export NAME`). */
  private exportedNames: Set<string> = NO_EXPORTS;
  /** Working directory, when known. */
  cwd: string | undefined;
  /** A sourced file or an unknown `eval` may have set anything: names not set since are unknown. */
  private tainted = false;

  constructor(
    private readonly outer: VariableScope,
    private readonly parent: ShellVariables | null = null,
  ) {
    this.cwd = parent?.cwd;
  }

  /** A child environment (subshell, pipeline element, command substitution). */
  child(): ShellVariables {
    return new ShellVariables(this.outer, this);
  }

  /** The environment of a new shell process started from this one: exported names only. */
  forChildProcess(extra: Iterable<[string, VariableValue]> = []): ShellVariables {
    const env = new ShellVariables(this.outer, null);
    env.cwd = this.cwd;
    for (let v: ShellVariables | null = this; v !== null; v = v.parent) {
      for (const name of v.exported) {
        if (env.own.has(name)) continue;
        env.export(name);
        const value = this.get(name);
        if (value === undefined) env.unset(name);
        else env.set(name, value);
      }
    }
    for (const [name, value] of extra) {
      env.set(name, value);
      env.export(name);
    }
    return env;
  }

  export(name: string): void {
    if (this.exportedNames === NO_EXPORTS) this.exportedNames = new Set();
    this.exportedNames.add(name);
  }

  get exported(): ReadonlySet<string> {
    return this.exportedNames;
  }

  /** Everything may have changed (`. file`, unknown `eval`). */
  taint(): void {
    this.own = NO_NAMES;
    this.tainted = true;
    this.cwd = undefined;
  }

  get(name: string): VariableValue | undefined {
    for (let v: ShellVariables | null = this; v !== null; v = v.parent) {
      if (v.own.has(name)) return v.own.get(name) ?? undefined;
      if (v.tainted) return UNKNOWN;
    }
    if (isSpecialParameter(name)) return UNKNOWN;
    const value = this.outer.get(name);
    if (value === undefined && RUNTIME_PARAMETERS.has(name)) return UNKNOWN;
    return value;
  }

  set(name: string, value: VariableValue): void {
    if (this.own === NO_NAMES) this.own = new Map();
    this.own.set(name, value);
  }

  unset(name: string): void {
    if (this.own === NO_NAMES) this.own = new Map();
    this.own.set(name, null);
  }

  /** Names this environment (not its parents) assigned or unset. */
  assignedNames(): Iterable<string> {
    return this.own.keys();
  }

  /**
   * After a conditional construct: `branches` are the environments of the
   * paths that may have run (children of this one). A name keeps a value only
   * if every path leaves it with the same known value.
   */
  merge(branches: ShellVariables[], exhaustive: boolean): void {
    if (branches.some((b) => b.tainted)) this.taint();
    const cwds = branches.map((b) => b.cwd);
    if (!exhaustive) cwds.push(this.cwd);
    this.cwd = cwds.every((c) => c === cwds[0]) ? cwds[0] : undefined;
    const names = new Set<string>();
    for (const b of branches) for (const n of b.assignedNames()) names.add(n);
    for (const name of names) {
      const values = branches.map((b) => b.get(name));
      if (!exhaustive) values.push(this.get(name));
      const first = values[0];
      const same = values.every((v) =>
        v === undefined
          ? first === undefined
          : first !== undefined && v.known && first.known && v.value === first.value,
      );
      if (same) {
        if (first === undefined) this.unset(name);
        else this.set(name, first);
      } else {
        this.set(name, UNKNOWN);
      }
    }
    for (const b of branches) for (const n of b.exported) this.export(n);
  }
}
