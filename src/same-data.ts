// Equality of JSON-like data, for what serve remembers between runs: a record
// unchanged since the last run is kept as the same object (process), and a page
// whose descriptor is unchanged is not rendered again (render). What is derived
// from such an object is made once per object, so it too stays the same.
/**
 * Whether two values hold the same data, as their JSON would tell (a key whose
 * value is undefined is no key). The same object is equal to itself at once:
 * data shared from one run to the next (a serve's records and their media) is
 * never changed once made, so only what was made anew is walked.
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  // Anything but a plain object (a Date, a class's instance) is what its JSON says.
  if (!plain(a) || !plain(b)) return JSON.stringify(a) === JSON.stringify(b);
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let keys = 0;
  for (const key in left) {
    if (left[key] === undefined) continue;
    keys++;
    if (!Object.hasOwn(right, key) || !sameData(left[key], right[key])) return false;
  }
  for (const key in right) if (right[key] !== undefined) keys--;
  return keys === 0;
}

function plain(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * `make`, remembering its value per object: the same object (a record a serve
 * handed on unchanged) gets the same value, made once.
 */
export function oncePerObject<K extends object, V>(make: (key: K) => V): (key: K) => V {
  const made = new WeakMap<K, V>();
  return (key) => {
    if (made.has(key)) return made.get(key)!;
    const value = make(key);
    made.set(key, value);
    return value;
  };
}
