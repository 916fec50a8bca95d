/** Table lookup by untrusted key: own properties only, so "__proto__" or "constructor" find nothing. */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
