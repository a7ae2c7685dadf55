/**
 * A memo of promises by key, for what the items of one batch request share (lib/uploads/create.ts
 * createShared, lib/uploads/complete.ts completeShared): `once(key, f)` runs `f` for the first caller of
 * `key` and gives every later caller the same promise (its value or its failure).
 */
export function oncePerKey<T>(): (key: string, f: () => Promise<T>) => Promise<T> {
  const made = new Map<string, Promise<T>>();
  return (key, f) => {
    let p = made.get(key);
    if (!p) made.set(key, (p = f()));
    return p;
  };
}
