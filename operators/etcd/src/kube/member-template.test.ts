import type { EtcdCluster } from '../api/types.js';
import { MEMBER_TEMPLATE_ANNOTATION } from './labels.js';
import { memberPod, memberTemplateHash } from './member-pod.js';

const cluster: EtcdCluster = {
  metadata: { name: 'demo', namespace: 'prod', uid: 'uid-1', generation: 1 },
  spec: {
    size: 3,
    version: '3.6.16',
    storage: { type: 'PersistentVolume', size: '2Gi' },
    etcdOptions: { quotaBackendBytes: 1024 },
  },
};
const withSpec = (spec: Partial<EtcdCluster['spec']>): EtcdCluster => ({
  ...cluster,
  spec: { ...cluster.spec, ...spec },
});
const base = memberTemplateHash(cluster);

describe('member template hash', () => {
  it('is the annotation of every member Pod, whatever its name or how it starts', () => {
    const seed = memberPod(cluster, 'demo-a', { state: 'new', initialCluster: ['demo-a=http://a'] });
    const joiner = memberPod(cluster, 'demo-b', {
      state: 'existing',
      initialCluster: ['demo-a=http://a', 'demo-b=http://b'],
      forceNewCluster: true,
      restore: {
        backupName: 'nightly',
        snapshot: 'nightly.db',
        claimName: 'backups',
        path: 'nightly/nightly.db',
        sha256: 'c'.repeat(64),
        revision: 42,
        token: 'restored',
      },
    });
    expect(seed.metadata.annotations?.[MEMBER_TEMPLATE_ANNOTATION]).toBe(base);
    expect(joiner.metadata.annotations?.[MEMBER_TEMPLATE_ANNOTATION]).toBe(base);
  });

  it('changes with etcd options, resources, tolerations, affinity, labels and annotations', () => {
    const changed = [
      withSpec({ etcdOptions: { quotaBackendBytes: 2048 } }),
      withSpec({ podTemplate: { resources: { requests: { cpu: '100m' } } } }),
      withSpec({ podTemplate: { tolerations: [{ key: 'dedicated', operator: 'Exists' }] } }),
      withSpec({ podTemplate: { labels: { team: 'a' } } }),
      withSpec({ podTemplate: { annotations: { note: 'x' } } }),
      withSpec({ podTemplate: { nodeSelector: { disk: 'ssd' } } }),
      withSpec({ antiAffinity: 'Required' }),
    ].map(memberTemplateHash);
    for (const hash of changed) expect(hash).not.toBe(base);
    expect(new Set(changed).size).toBe(changed.length);
  });

  it('does not change with the version (the upgrade owns it) or the size', () => {
    expect(memberTemplateHash(withSpec({ version: '3.6.17' }))).toBe(base);
    expect(memberTemplateHash(withSpec({ size: 5 }))).toBe(base);
  });

  it('changes across 3.5 -> 3.6 only where the version changes the Pod (a renamed flag under TLS)', () => {
    const tls = { client: { generate: true }, peer: { secretName: 'p' } };
    expect(memberTemplateHash(withSpec({ version: '3.5.26', tls }))).not.toBe(
      memberTemplateHash(withSpec({ version: '3.6.16', tls })),
    );
    expect(memberTemplateHash(withSpec({ version: '3.5.26' }))).toBe(base);
  });
});
