/**
 * Defines `key` on `target` as computed on first read (enumerable, so copies
 * and JSON see it; assignable, which replaces it with a plain value).
 */
export function lazyField<T extends object, K extends keyof T>(target: T, key: K, compute: () => T[K]): void {
  let done = false;
  let value: T[K];
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get: () => {
      if (!done) {
        value = compute();
        done = true;
      }
      return value;
    },
    set: (v: T[K]) =>
      Object.defineProperty(target, key, { value: v, writable: true, enumerable: true, configurable: true }),
  });
}
