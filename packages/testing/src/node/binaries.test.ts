import { readFileSync } from 'node:fs';

import { HELM_VERSION } from '../helm.js';
import { NODE_VERSIONS, SEAWEEDFS_VERSION } from './binaries.js';

describe('NODE_VERSIONS', () => {
  it('matches the versions the build scripts build', () => {
    const env = readFileSync(new URL('../../../cli/setup/versions.env', import.meta.url), 'utf8');
    const value = (key: string) => new RegExp(`^${key}="?([^"\\n]*)"?$`, 'm').exec(env)?.[1];
    expect(value('CONTAINERD_VERSION')).toBe(NODE_VERSIONS.containerd);
    expect(value('RUNC_VERSION')).toBe(NODE_VERSIONS.runc);
    expect(value('CNI_PLUGINS_VERSION')).toBe(NODE_VERSIONS.cniPlugins);
    expect(value('CRI_TOOLS_VERSION')).toBe(NODE_VERSIONS.criTools);
    expect(value('REGISTRY_VERSION')).toBe(NODE_VERSIONS.registry);
    expect(value('CRANE_VERSION')).toBe(NODE_VERSIONS.crane);
    expect(value('COREDNS_VERSION')).toBe(NODE_VERSIONS.coredns);
    expect(value('LOCAL_PATH_VERSION')).toBe(NODE_VERSIONS.localPathProvisioner);
    expect(value('ETCD_VERSIONS')?.split(' ')).toEqual([...NODE_VERSIONS.etcd]);
    expect(value('SEAWEEDFS_VERSION')).toBe(SEAWEEDFS_VERSION);
    expect(value('HELM_VERSION')).toBe(HELM_VERSION);
  });
});
