// A pass starts from its object as the API server has it now. The object
// being gone (deleted since its key was queued) is not an error but the
// end of its passes, so both passes read it through this.
import type { KubeObject, ObjectKey, ResourceClient } from '@switchboard/core';
import { isNotFound } from '@switchboard/core';

/** The object at `key` as the API server has it now, or undefined once it is gone. */
export async function getIfPresent<T extends KubeObject>(
  resource: ResourceClient<T>,
  key: ObjectKey,
  signal?: AbortSignal,
): Promise<T | undefined> {
  try {
    return await resource.get(key, signal ? { signal } : {});
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
