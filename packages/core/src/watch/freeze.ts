// Objects handed out by the watch (and kept by caches) are deep-frozen: a
// consumer that mutates one gets a TypeError instead of silently corrupting
// what every other consumer sees.

/** Freezes a value and everything reachable from it; returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
