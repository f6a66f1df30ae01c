// Server-side apply of generated objects, the one way both reconcilers write:
// the full desired object under the operator's field manager, forced, so a
// pass is idempotent and takes back fields someone else changed.
import type { ApplyObject, Client, KubeObject, TypeMeta } from '@switchboard/core';
import { FIELD_MANAGER } from './monitoring-kinds.js';

/**
 * A generated object as server-side apply takes it. Every builder sets
 * apiVersion, kind and metadata.name; this checks that at the boundary.
 */
function forApply<T extends KubeObject>(obj: T): ApplyObject<T> {
  if (obj.apiVersion === undefined || obj.kind === undefined || obj.metadata.name === undefined) {
    throw new TypeError(`generated object lacks apiVersion, kind or name: ${JSON.stringify(obj.metadata)}`);
  }
  return obj as unknown as ApplyObject<T>;
}

/** An apply function bound to a client and a pass's signal; `type` defaults to the object's own. */
export function applyGenerated(client: Client, signal: AbortSignal) {
  return <T extends KubeObject>(
    obj: T,
    type: TypeMeta = { apiVersion: obj.apiVersion ?? '', kind: obj.kind ?? '' },
  ): Promise<T> =>
    client.resource<T>(type).apply(forApply(obj), { fieldManager: FIELD_MANAGER, force: true, signal });
}
