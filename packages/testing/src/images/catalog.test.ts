import { configFlags } from './build.js';
import { IMAGES, imageReferences, localRepository } from './catalog.js';

describe('localRepository', () => {
  it('drops the host, as containerd asks the local registry', () => {
    expect(localRepository('quay.io/coreos/etcd:v3.6.16')).toEqual({
      repository: 'coreos/etcd',
      tag: 'v3.6.16',
    });
    expect(localRepository('registry.k8s.io/pause:3.10.2')).toEqual({ repository: 'pause', tag: '3.10.2' });
    expect(localRepository('switchboard.local/http-test-server:1')).toEqual({
      repository: 'http-test-server',
      tag: '1',
    });
  });
  it('puts Docker Hub official images under library/', () => {
    expect(localRepository('docker.io/library/busybox:1.37')).toEqual({
      repository: 'library/busybox',
      tag: '1.37',
    });
    expect(localRepository('busybox:1.37')).toEqual({ repository: 'library/busybox', tag: '1.37' });
  });
  it('refuses a reference without a tag', () => {
    expect(() => localRepository('quay.io/coreos/etcd')).toThrow(/explicit tag/);
    expect(() => localRepository('localhost:5000/x')).toThrow(/explicit tag/);
  });
});

describe('IMAGES', () => {
  it('serves every reference once, each with a tag', () => {
    const refs = imageReferences();
    expect(new Set(refs).size).toBe(refs.length);
    const local = refs.map((r) => {
      const { repository, tag } = localRepository(r);
      return `${repository}:${tag}`;
    });
    // Hosts collapse in the local registry: two images must not land on one name.
    expect(new Set(local).size).toBe(local.length);
  });
  it('has names unique and configs crane can set', () => {
    expect(new Set(IMAGES.map((i) => i.name)).size).toBe(IMAGES.length);
    for (const image of IMAGES) {
      expect(() => configFlags(image)).not.toThrow();
      expect(image.user ?? '0:0').toMatch(/^\d+:\d+$/);
    }
  });
  it('runs the images the cluster itself needs', () => {
    const refs = imageReferences();
    expect(refs).toEqual(
      expect.arrayContaining([
        'registry.k8s.io/pause:3.10.2',
        'registry.k8s.io/coredns/coredns:v1.15.0',
        'docker.io/rancher/local-path-provisioner:v0.0.30',
        'docker.io/library/busybox:latest',
      ]),
    );
  });
});
