// Shared checks of the informer suites.
import type { Client, Informer, KubeObject, TypeMeta } from '@switchboard/core';
import { keyString, objectKey } from '@switchboard/core';

/** Asserts that the informer's store holds exactly what a fresh list returns, at the same resourceVersions. */
export async function expectCacheMatchesServer<T extends KubeObject>(
  informer: Informer<T>,
  client: Client,
  type: TypeMeta,
  namespace: string,
): Promise<void> {
  const fresh = await client.resource<T>(type).listAll({ namespace });
  const server = new Map(fresh.items.map((o) => [keyString(objectKey(o)), o.metadata.resourceVersion]));
  const cached = new Map(
    informer.store.list({ namespace }).map((o) => [keyString(objectKey(o)), o.metadata.resourceVersion]),
  );
  expect(Object.fromEntries(cached)).toEqual(Object.fromEntries(server));
}

/** Runs `task(0..count-1)` with at most `concurrency` at a time. */
export async function runPool(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
