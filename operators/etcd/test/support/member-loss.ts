// Members lose their data for good, the way the disaster recovery suites
// need it: each victim's Pod deleted without grace and its PVC deleted, as
// after losing a node together with its disk. Run it while the operator is
// stopped, or the operator restarts some victims on their data before the
// others are gone.
import { expect } from '@jest/globals';
import type { Client, ObjectKey } from '@switchboard/core';
import { eventually } from '@switchboard/testing';

import type { PersistentVolumeClaim, Pod } from '../../src/kube/kube-types.js';
import { PodType, PvcType } from '../../src/kube/kube-types.js';
import { memberPods } from './etcd-cluster-probe.js';

/**
 * Deletes the Pods (at once, no grace) and then the PVCs of the members
 * `victims` of cluster `key`, and waits until both are gone. Resolves with
 * the time the last Pod deletion was accepted: the moment the members stopped.
 */
export async function loseMembersWithData(
  client: Client,
  key: ObjectKey,
  victims: readonly string[],
): Promise<number> {
  const pods = client.resource<Pod>(PodType);
  const pvcs = client.resource<PersistentVolumeClaim>(PvcType);
  for (const name of victims)
    await pods.delete({ namespace: key.namespace, name }, { gracePeriodSeconds: 0 });
  const stoppedAt = Date.now();
  for (const name of victims) await pvcs.delete({ namespace: key.namespace, name });
  await eventually(
    async () => {
      const left = await pvcs.list({ namespace: key.namespace });
      expect(left.items.filter((p) => victims.includes(p.metadata.name ?? ''))).toEqual([]);
      const running = (await memberPods(client, key)).map((p) => p.metadata.name ?? '');
      expect(running.filter((n) => victims.includes(n))).toEqual([]);
    },
    { timeout: 60_000, message: `the Pods and PVCs of ${victims.join(', ')} gone` },
  );
  return stoppedAt;
}
