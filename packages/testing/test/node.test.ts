// The real node, end to end: containerd, runc, CNI, the kubelet, kube-proxy,
// CoreDNS and local-path-provisioner under the real control plane, with images
// from the local registry. One cluster (2 nodes) serves the whole file: only
// one local cluster with nodes can run on a host at a time.
import { AppsV1Api, CoreV1Api, DiscoveryV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';

import { eventually, findLeftovers, nodeBinaries } from '../src/index.js';
import type { LocalCluster } from '../src/index.js';
import {
  httpGet,
  kubectl,
  startSuiteCluster,
  testServerContainer,
  TEST_SERVER_IMAGE,
  waitDeploymentAvailable,
  waitPodReady,
} from './node-helpers.js';

/** Why this machine cannot run real nodes, or undefined when it can. */
function cannotRunNodes(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root';
  try {
    nodeBinaries();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
const skipReason = cannotRunNodes();
/** The suites below, or skipped with the reason in their name. */
const describeNode = (name: string, body: () => void) =>
  skipReason ? describe.skip(`${name} (skipped: ${skipReason})`, body) : describe(name, body);

let cluster: LocalCluster;
let kc: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;
let client: V1Pod;
const ns = 'node-e2e';

beforeAll(async () => {
  if (skipReason) return;
  ({ cluster, kc } = await startSuiteCluster(2));
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: ns } } });
  // A pod the tests use to look at the cluster from inside.
  client = await serverPod('client');
}, 20 * 60_000);

afterAll(async () => {
  // The tear-down test stops the cluster; this catches a suite that failed before it.
  // SWITCHBOARD_KEEP_TEST_CLUSTER=1 keeps it for a look after a failure (stop it with its folder's state).
  if (cluster && process.env.SWITCHBOARD_KEEP_TEST_CLUSTER !== '1') await cluster.stop({ removeData: true });
  else if (cluster) process.stderr.write(`node suite: cluster kept in ${cluster.dir}\n`);
}, 300_000);

/** A single test-server pod on a node (through the scheduler, so volumes bind), Ready. */
async function serverPod(name: string, node = 'node-1', extra: Partial<V1Pod['spec']> = {}): Promise<V1Pod> {
  await core.createNamespacedPod({
    namespace: ns,
    body: {
      metadata: { name, labels: { app: name } },
      spec: {
        nodeSelector: { 'kubernetes.io/hostname': node },
        containers: [testServerContainer()],
        terminationGracePeriodSeconds: 1,
        ...extra,
      },
    },
  });
  return waitPodReady(kc, ns, name);
}

/** Asks the test server in a pod to do something, from the host. */
async function inPod(pod: V1Pod, path: string, method = 'GET') {
  return httpGet(`http://${pod.status?.podIP}:8080${path}`, method);
}

describeNode('a node', () => {
  it('registers Ready with containerd 2.x and kubelet v1.37', async () => {
    const nodes = await core.listNode();
    expect(nodes.items.map((n) => n.metadata?.name).sort()).toEqual(['node-1', 'node-2']);
    for (const node of nodes.items) {
      expect(node.status?.nodeInfo?.containerRuntimeVersion).toMatch(/^containerd:\/\/2\./);
      expect(node.status?.nodeInfo?.kubeletVersion).toMatch(/^v1\.37\./);
      expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      const [a, b] = cluster.state().network.plan.clusterCIDR.split('.');
      expect(node.spec?.podCIDR).toMatch(new RegExp(`^${a}\\.${b}\\.[12]\\.0/24$`));
    }
  });
});

describeNode('workloads', () => {
  it('runs a Deployment of 3 test servers behind a ClusterIP that answers from the host and from a pod', async () => {
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [testServerContainer()] } },
        },
      },
    });
    const svc = await core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
      },
    });
    await waitDeploymentAvailable(kc, ns, 'web');
    const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' });
    const names = new Set(pods.items.map((p) => p.metadata?.name));
    const seen = new Set<string>();
    await eventually(
      async () => {
        const r = await httpGet(`http://${svc.spec?.clusterIP}/`);
        seen.add(r.body.trim());
        if (seen.size < 2) throw new Error(`answered by ${[...seen].join(', ')} so far`);
      },
      { timeout: 30_000, interval: 50, message: 'ClusterIP balances over the replicas' },
    );
    for (const s of seen) expect(names.has(s)).toBe(true);

    const fromPod = await eventually(async () => {
      const r = await inPod(
        client,
        `/fetch?url=${encodeURIComponent(`http://web.${ns}.svc.cluster.local/`)}`,
      );
      if (r.status !== 200) throw new Error(`${r.status} ${r.body}`);
      return r.body.trim();
    });
    expect(names.has(fromPod)).toBe(true);
  });

  it('serves kubectl logs and kubectl exec through the kubelet', async () => {
    const logs = await kubectl(cluster, 'logs', '-n', ns, 'client');
    expect(logs).toContain('http-test-server client listening');
    const out = await kubectl(cluster, 'exec', '-n', ns, 'client', '--', 'cat', '/etc/hostname');
    expect(out.trim()).toBe('client');
  });

  it('removes a pod whose readiness probe fails from the EndpointSlice', async () => {
    const pod = await serverPod('ready-flip');
    await core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'ready-flip' },
        spec: { selector: { app: 'ready-flip' }, ports: [{ port: 80, targetPort: 8080 }] },
      },
    });
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const endpointReady = async () => {
      const slices = await discovery.listNamespacedEndpointSlice({
        namespace: ns,
        labelSelector: 'kubernetes.io/service-name=ready-flip',
      });
      const ep = slices.items
        .flatMap((s) => s.endpoints ?? [])
        .find((e) => e.addresses.includes(pod.status?.podIP ?? ''));
      return ep?.conditions?.ready === true;
    };
    await eventually(async () => expect(await endpointReady()).toBe(true), { timeout: 30_000 });
    await inPod(pod, '/fail/readyz', 'POST');
    await eventually(async () => expect(await endpointReady()).toBe(false), {
      timeout: 30_000,
      message: 'endpoint not ready',
    });
    await inPod(pod, '/heal/readyz', 'POST');
    await eventually(async () => expect(await endpointReady()).toBe(true), {
      timeout: 30_000,
      message: 'endpoint ready again',
    });
  });

  it('restarts a container whose liveness probe fails', async () => {
    const pod = await serverPod('liveness');
    await inPod(pod, '/fail/healthz', 'POST');
    await eventually(
      async () => {
        const p = await core.readNamespacedPod({ namespace: ns, name: 'liveness' });
        expect(p.status?.containerStatuses?.[0]?.restartCount ?? 0).toBeGreaterThanOrEqual(1);
      },
      { timeout: 60_000, message: 'restartCount >= 1' },
    );
  });

  it('shows a configMap update in a mounted volume', async () => {
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'cfg' }, data: { greeting: 'hello' } },
    });
    const pod = await serverPod('cfg-reader', 'node-1', {
      volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }],
      containers: [testServerContainer({ volumeMounts: [{ name: 'cfg', mountPath: '/config' }] })],
    });
    expect((await inPod(pod, '/file?path=/config/greeting')).body).toBe('hello');
    await core.replaceNamespacedConfigMap({
      namespace: ns,
      name: 'cfg',
      body: { metadata: { name: 'cfg' }, data: { greeting: 'bonjour' } },
    });
    await eventually(
      async () => expect((await inPod(pod, '/file?path=/config/greeting')).body).toBe('bonjour'),
      {
        timeout: 120_000,
        interval: 1_000,
        message: 'configMap update visible in the volume',
      },
    );
  });

  it("keeps a PVC's data when its pod is deleted", async () => {
    await core.createNamespacedPersistentVolumeClaim({
      namespace: ns,
      body: {
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Mi' } } },
      },
    });
    const spec = {
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
      containers: [testServerContainer({ volumeMounts: [{ name: 'data', mountPath: '/data' }] })],
    };
    const first = await serverPod('pvc-writer', 'node-1', spec);
    const put = await fetch(`http://${first.status?.podIP}:8080/file?path=/data/note`, {
      method: 'PUT',
      body: 'kept',
    });
    expect(put.status).toBe(200);
    await core.deleteNamespacedPod({ namespace: ns, name: 'pvc-writer', gracePeriodSeconds: 0 });
    await eventually(async () => {
      await expect(core.readNamespacedPod({ namespace: ns, name: 'pvc-writer' })).rejects.toMatchObject({
        code: 404,
      });
    });
    const second = await serverPod('pvc-reader', 'node-1', spec);
    expect((await inPod(second, '/file?path=/data/note')).body).toBe('kept');
  });

  it('lets a pod call the API server with its projected token through kubernetes.default.svc', async () => {
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: ns,
      body: {
        metadata: { name: 'pod-reader' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'pod-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: ns }],
      },
    });
    await eventually(async () => {
      const r = await inPod(client, `/kube?path=${encodeURIComponent(`/api/v1/namespaces/${ns}/pods`)}`);
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toMatchObject({ kind: 'PodList' });
    });
  });

  it('resolves Services and the per-pod names of a StatefulSet behind a headless Service', async () => {
    await core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'peers' },
        spec: { clusterIP: 'None', selector: { app: 'peers' }, ports: [{ port: 8080 }] },
      },
    });
    await apps.createNamespacedStatefulSet({
      namespace: ns,
      body: {
        metadata: { name: 'peer' },
        spec: {
          serviceName: 'peers',
          replicas: 2,
          podManagementPolicy: 'Parallel',
          selector: { matchLabels: { app: 'peers' } },
          template: { metadata: { labels: { app: 'peers' } }, spec: { containers: [testServerContainer()] } },
        },
      },
    });
    const peer1 = await waitPodReady(kc, ns, 'peer-1');
    const resolve = async (name: string) => {
      const r = await inPod(client, `/dns?name=${encodeURIComponent(name)}`);
      if (r.status !== 200) throw new Error(`${name}: ${r.body}`);
      return r.body.trim();
    };
    const web = await core.readNamespacedService({ namespace: ns, name: 'web' });
    await eventually(async () =>
      expect(await resolve(`web.${ns}.svc.cluster.local`)).toBe(web.spec?.clusterIP),
    );
    await eventually(async () => expect(await resolve('web')).toBe(web.spec?.clusterIP));
    await eventually(async () =>
      expect(await resolve(`peer-1.peers.${ns}.svc.cluster.local`)).toBe(peer1.status?.podIP),
    );
  });

  it('pulls with imagePullPolicy Always from the local registry', async () => {
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'always' },
        spec: { containers: [testServerContainer({ image: TEST_SERVER_IMAGE, imagePullPolicy: 'Always' })] },
      },
    });
    await waitPodReady(kc, ns, 'always');
  });

  it('forms a 3-member etcd cluster from Kubernetes objects alone, which serves a write and a read', async () => {
    await core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'etcd' },
        spec: {
          clusterIP: 'None',
          publishNotReadyAddresses: true,
          selector: { app: 'etcd' },
          ports: [
            { name: 'client', port: 2379 },
            { name: 'peer', port: 2380 },
          ],
        },
      },
    });
    const peers = [0, 1, 2]
      .map((i) => `etcd-${i}=http://etcd-${i}.etcd.${ns}.svc.cluster.local:2380`)
      .join(',');
    await apps.createNamespacedStatefulSet({
      namespace: ns,
      body: {
        metadata: { name: 'etcd' },
        spec: {
          serviceName: 'etcd',
          replicas: 3,
          podManagementPolicy: 'Parallel',
          selector: { matchLabels: { app: 'etcd' } },
          template: {
            metadata: { labels: { app: 'etcd' } },
            spec: {
              containers: [
                {
                  name: 'etcd',
                  image: 'quay.io/coreos/etcd:v3.6.16',
                  env: [{ name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
                  command: [
                    '/usr/local/bin/etcd',
                    '--name=$(NAME)',
                    '--data-dir=/var/lib/etcd',
                    '--listen-client-urls=http://0.0.0.0:2379',
                    `--advertise-client-urls=http://$(NAME).etcd.${ns}.svc.cluster.local:2379`,
                    '--listen-peer-urls=http://0.0.0.0:2380',
                    `--initial-advertise-peer-urls=http://$(NAME).etcd.${ns}.svc.cluster.local:2380`,
                    `--initial-cluster=${peers}`,
                    '--initial-cluster-state=new',
                  ],
                  readinessProbe: { httpGet: { path: '/readyz', port: 2379 }, periodSeconds: 1 },
                },
              ],
            },
          },
        },
      },
    });
    await Promise.all([0, 1, 2].map((i) => waitPodReady(kc, ns, `etcd-${i}`, 120_000)));
    await kubectl(cluster, 'exec', '-n', ns, 'etcd-0', '--', 'etcdctl', 'put', 'greeting', 'hello');
    const got = await kubectl(
      cluster,
      'exec',
      '-n',
      ns,
      'etcd-2',
      '--',
      'etcdctl',
      'get',
      '--print-value-only',
      'greeting',
    );
    expect(got.trim()).toBe('hello');
    const members = await kubectl(cluster, 'exec', '-n', ns, 'etcd-1', '--', 'etcdctl', 'member', 'list');
    expect(members.trim().split('\n')).toHaveLength(3);
  });
});

describeNode('fault injection', () => {
  const restarts = async (name: string) =>
    (await core.readNamespacedPod({ namespace: ns, name })).status?.containerStatuses?.[0]?.restartCount ?? 0;
  const ready = async (name: string) =>
    (await core.readNamespacedPod({ namespace: ns, name })).status?.conditions?.find(
      (c) => c.type === 'Ready',
    )?.status;

  it('kills a container: the kubelet restarts it', async () => {
    await serverPod('victim');
    const before = await restarts('victim');
    await cluster.faults.killContainer({ namespace: ns, name: 'victim' });
    await eventually(async () => expect(await restarts('victim')).toBe(before + 1), { timeout: 60_000 });
    await waitPodReady(kc, ns, 'victim');
  });

  it('freezes a container: it turns unready; thawed, it is Ready again', async () => {
    // No liveness probe: a frozen container would also be restarted, and this test is about readiness.
    await serverPod('frozen', 'node-1', { containers: [testServerContainer({ livenessProbe: undefined })] });
    await cluster.faults.freezeContainer({ namespace: ns, name: 'frozen' });
    await eventually(async () => expect(await ready('frozen')).toBe('False'), { timeout: 60_000 });
    await cluster.faults.thawContainer({ namespace: ns, name: 'frozen' });
    await eventually(async () => expect(await ready('frozen')).toBe('True'), { timeout: 60_000 });
  });

  it('cuts a pod off the network and heals it', async () => {
    const pod = await serverPod('cut', 'node-1', {
      containers: [testServerContainer({ livenessProbe: undefined })],
    });
    await cluster.faults.cutNetwork({ namespace: ns, name: 'cut' });
    await expect(inPod(pod, '/')).rejects.toThrow();
    await eventually(async () => expect(await ready('cut')).toBe('False'), { timeout: 60_000 });
    await cluster.faults.healNetwork({ namespace: ns, name: 'cut' });
    await eventually(async () => expect(await ready('cut')).toBe('True'), { timeout: 60_000 });
    expect((await inPod(pod, '/')).body.trim()).toBe('cut');
  });

  it('stops a node: it goes NotReady; started again, Ready', async () => {
    await cluster.faults.stopNode('node-2');
    await eventually(
      async () => {
        const node = await core.readNode({ name: 'node-2' });
        expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('Unknown');
      },
      { timeout: 120_000, interval: 1_000, message: 'node-2 NotReady' },
    );
    await cluster.faults.startNode('node-2');
    const node = await core.readNode({ name: 'node-2' });
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  }, 240_000);

  it('restarts the API server: the nodes stay Ready and pods keep running', async () => {
    await cluster.controlPlane.restartApiServer();
    await eventually(async () => {
      const nodes = await core.listNode();
      for (const n of nodes.items)
        expect(n.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    });
    expect(await ready('victim')).toBe('True');
  });
});

describeNode('tear-down', () => {
  it('leaves no process, namespace, veth, mount, cgroup or iptables chain behind', async () => {
    const state = cluster.state();
    await cluster.stop({ removeData: true });
    const pids = [state.kubeProxyPid, state.registry?.pid].filter((p): p is number => p !== undefined);
    expect(
      await findLeftovers({
        nodes: state.nodes,
        network: state.network.plan,
        pids,
        createdFolders: state.network.createdFolders ?? [],
      }),
    ).toEqual([]);
    cluster = undefined as unknown as LocalCluster;
  });
});
