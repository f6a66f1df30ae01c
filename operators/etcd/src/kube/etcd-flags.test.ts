import type { EtcdCluster } from '../api/types.js';
import { etcdFlag } from './etcd-flags.js';
import { memberPod } from './member-pod.js';

describe('etcd flags spelled per version', () => {
  it('spells a flag 3.6 renamed with experimental- on 3.5 and without it on 3.6 and 3.7', () => {
    expect(etcdFlag('peer-skip-client-san-verification', 'true', '3.5.26')).toBe(
      '--experimental-peer-skip-client-san-verification=true',
    );
    expect(etcdFlag('peer-skip-client-san-verification', 'true', '3.6.16')).toBe(
      '--peer-skip-client-san-verification=true',
    );
    expect(etcdFlag('peer-skip-client-san-verification', 'true', '3.7.1')).toBe(
      '--peer-skip-client-san-verification=true',
    );
    expect(etcdFlag('compaction-batch-limit', '1000', '3.5.26')).toBe(
      '--experimental-compaction-batch-limit=1000',
    );
    expect(etcdFlag('compaction-batch-limit', '1000', '3.7.1')).toBe('--compaction-batch-limit=1000');
  });

  it('leaves flags that were never experimental alone', () => {
    expect(etcdFlag('quota-backend-bytes', '1024', '3.5.26')).toBe('--quota-backend-bytes=1024');
  });

  const tlsCluster = (version: string): EtcdCluster => ({
    metadata: { name: 'demo', namespace: 'prod', uid: 'uid-1' },
    spec: {
      size: 3,
      version,
      storage: { type: 'Ephemeral' },
      tls: { client: { generate: true }, peer: { secretName: 'my-peer' } },
    },
  });
  const args = (version: string) =>
    memberPod(tlsCluster(version), 'demo-a', { state: 'new', initialCluster: [] }).spec.containers[0]!.args!;

  it.each([
    ['3.5.26', '--experimental-peer-skip-client-san-verification=true'],
    ['3.6.16', '--peer-skip-client-san-verification=true'],
    ['3.7.1', '--peer-skip-client-san-verification=true'],
  ])('a member Pod at %s gets %s and no experimental flag 3.7 would refuse', (version, flag) => {
    expect(args(version)).toContain(flag);
    if (!version.startsWith('3.5.'))
      expect(args(version).filter((a) => a.startsWith('--experimental-'))).toEqual([]);
  });
});
