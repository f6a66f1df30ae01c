import type { Node, PersistentVolume } from '../kube/kube-types.js';
import { nodeLoss, volumeHostname } from './observe-nodes.js';

describe('lost nodes', () => {
  const localPv = (host: string): PersistentVolume => ({
    metadata: { name: 'pvc-1' },
    spec: {
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [host] }] },
          ],
        },
      },
    },
  });

  it("reads the node a local volume is bound to from the PV's required nodeAffinity", () => {
    expect(volumeHostname(localPv('n2'))).toBe('n2');
    expect(volumeHostname({ metadata: { name: 'net' }, spec: {} })).toBeUndefined();
  });

  it('calls a node lost when it is gone or its Ready condition is not True', () => {
    const node = (status: string, reason?: string): Node => ({
      metadata: { name: 'n2' },
      status: { conditions: [{ type: 'Ready', status, ...(reason ? { reason } : {}) }] },
    });
    expect(nodeLoss('n2', node('True'))).toBeUndefined();
    expect(nodeLoss('n2', node('Unknown', 'NodeStatusUnknown'))).toBe(
      'node n2 is NotReady (Ready=Unknown: NodeStatusUnknown)',
    );
    expect(nodeLoss('n2', undefined)).toBe('node n2 is gone');
  });
});
