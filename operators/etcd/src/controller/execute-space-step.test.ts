import type { Client } from '@switchboard/core';

import { healthy, idOf, observe } from '../../test/support/observation-fixture.js';
import type { EtcdCluster, EtcdClusterSpec } from '../api/types.js';
import type { EtcdClientFactory } from '../etcd/etcd-client.js';
import type { SpaceStep } from '../runbook/space.js';
import { executeStep } from './execute-step.js';

/** Status patches answer with the record kept, as an up-to-date CRD does. */
const client = {
  resource: () => ({
    status: { patch: () => Promise.resolve({ status: { space: { recovery: { phase: 'Defragmenting' } } } }) },
  }),
} as unknown as Client;

/** The URLs the space executor dials for `step` on a 3-member cluster with `spec`. */
async function dialled(spec: Partial<EtcdClusterSpec>, step: SpaceStep): Promise<string[]> {
  const urls: string[] = [];
  const answer = () => Promise.resolve();
  const etcd = (endpoint: string) => {
    urls.push(endpoint);
    return { defragment: answer, compact: answer, disarmAlarm: answer };
  };
  const obs = observe({
    spec,
    members: healthy(3),
    status: {
      clusterID: 'c1',
      space: { recovery: { phase: 'Defragmenting', startedAt: '', defragmented: [] } },
    },
  });
  await executeStep(
    {
      client,
      key: { namespace: 'ns', name: 'etcd' },
      etcd: etcd as unknown as EtcdClientFactory,
      events: { record: answer },
    },
    { metadata: { name: 'etcd', namespace: 'ns' }, spec } as unknown as EtcdCluster,
    obs,
    step,
  );
  return urls;
}

describe('the space steps of a cluster with client TLS', () => {
  const tls: Partial<EtcdClusterSpec> = { tls: { client: { generate: true } } };
  const defragment: SpaceStep = {
    kind: 'DefragmentMember',
    member: 'etcd-b',
    memberId: idOf('etcd-b'),
    leader: false,
    why: 'Schedule',
  };

  it('defragments a member over https, the scheme its client port serves', async () => {
    await expect(dialled(tls, defragment)).resolves.toEqual(['https://10.0.0.2:2379']);
  });

  it('compacts and disarms over https too', async () => {
    await expect(dialled(tls, { kind: 'CompactForSpace', revision: '7' })).resolves.toEqual([
      'https://10.0.0.1:2379',
    ]);
    await expect(dialled(tls, { kind: 'DisarmNoSpace', memberIds: [idOf('etcd-a')] })).resolves.toEqual([
      'https://10.0.0.1:2379',
    ]);
  });

  it('keeps http for a cluster without client TLS', async () => {
    await expect(dialled({}, defragment)).resolves.toEqual(['http://10.0.0.2:2379']);
  });
});
