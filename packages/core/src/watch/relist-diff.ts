// After a relist, tell consumers only what changed since the state they were
// last given: objects that are new, objects whose resourceVersion moved, and
// objects that vanished while we were not watching (with their last state).

import type { KubeObject } from '../client/index.js';
import type { WatchEvent } from './types.js';

/**
 * The events that turn `known` (what consumers hold) into `fresh` (the relist).
 * Objects whose resourceVersion did not change produce nothing; an object
 * re-created under the same name (a new uid) is a delete followed by an add.
 */
export function* relistDiff<T extends KubeObject>(
  known: ReadonlyMap<string, T>,
  fresh: ReadonlyMap<string, T>,
): Generator<WatchEvent<T>> {
  for (const [key, obj] of fresh) {
    const old = known.get(key);
    if (old === undefined) {
      yield { type: 'ADDED', object: obj };
    } else if (old.metadata.uid !== undefined && old.metadata.uid !== obj.metadata.uid) {
      // Deleted and re-created under the same name while we were away: two objects, not one update.
      yield { type: 'DELETED', object: old };
      yield { type: 'ADDED', object: obj };
    } else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) {
      yield { type: 'MODIFIED', object: obj, old };
    }
  }
  for (const [key, old] of known) if (!fresh.has(key)) yield { type: 'DELETED', object: old };
}
