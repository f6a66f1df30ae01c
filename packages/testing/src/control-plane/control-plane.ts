// The real Kubernetes control plane for tests and local clusters: etcd on
// loopback, kube-apiserver, kube-controller-manager and kube-scheduler built
// from the k8s.io/kubernetes module, wired with a generated PKI.
//
// Start order and why:
//   1. PKI first: every component needs a certificate or a kubeconfig.
//   2. etcd, waited for: the API server exits if its store is unreachable.
//   3. kube-apiserver, waited for on /readyz: the other two need it to serve.
//   4. controller-manager and scheduler together, waited for on /healthz.
// stop() runs the same list in reverse, each process by the PID we started.
import { mkdtemp, mkdir, writeFile, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { probe, waitUntil } from './health.js';
import { writeKubeconfig } from './kubeconfig.js';
import { controlPlaneEtcdBinary, kubernetesBinary, KUBERNETES_VERSION } from './paths.js';
import { Pki } from './pki.js';
import type { CertificatePair } from './pki.js';
import { freePort } from './ports.js';
import { killOnExit } from './exit-guard.js';
import { isAlive, logTail, startProcess, stopPid } from './process.js';
import type { ManagedProcess, ProcessSpec } from './process.js';

/** Options of {@link startControlPlane}; every field is optional. */
export interface ControlPlaneOptions {
  /** Working folder for data, certificates and logs. Default: a new temporary folder. */
  readonly dir?: string;
  /**
   * Address the API server binds to and advertises. Default `127.0.0.1`
   * (then the `kubernetes` Service gets no endpoints). A real node needs a
   * non-loopback address of the node bridge, so pods can reach it.
   */
  readonly bindAddress?: string;
  /** Service ClusterIP range. Default `10.96.0.0/16` (the API server's Service is 10.96.0.1). */
  readonly serviceClusterIPRange?: string;
  /** Pod network; the controller-manager hands each node a /24 of it. Default `10.244.0.0/16`. */
  readonly clusterCIDR?: string;
  /** Kubernetes release whose binaries to run. Default {@link KUBERNETES_VERSION}. */
  readonly kubernetesVersion?: string;
  /** How long to wait for each component to become ready, in ms. Default 60 000. */
  readonly readyTimeoutMs?: number;
  /** Called with a short line as each step starts, for people watching. */
  readonly onProgress?: (line: string) => void;
  /** Extra kube-apiserver flags, e.g. `--feature-gates=...`. */
  readonly apiServerArgs?: readonly string[];
  /** Aborts start-up; processes already started are stopped. */
  readonly signal?: AbortSignal;
  /**
   * Leave the processes running when this Node process exits without
   * stopping them, as `switchboard cluster up` does. Default false: a control
   * plane nobody stopped (a test set-up that threw before its teardown) is
   * killed when the process exits, never left behind.
   */
  readonly keepRunningAfterExit?: boolean;
}

/** What survives the process that started the control plane (written as `state.json`). */
export interface ControlPlaneState {
  readonly dir: string;
  readonly kubernetesVersion: string;
  readonly server: string;
  readonly kubeconfigPath: string;
  readonly etcdEndpoint: string;
  readonly bindAddress: string;
  readonly ports: Readonly<
    Record<'etcdClient' | 'etcdPeer' | 'apiServer' | 'controllerManager' | 'scheduler', number>
  >;
  /** Every process started, by name, in start order. */
  readonly processes: readonly { readonly name: string; readonly pid: number; readonly logFile: string }[];
}

/** Thrown when a component does not become ready; the message carries its log tail. */
export class ComponentNotReadyError extends Error {
  readonly reason = 'ComponentNotReady';
  constructor(
    readonly component: string,
    readonly detail: string,
    readonly logFile: string,
  ) {
    super(
      `${component} did not become ready: ${detail}\n--- last lines of ${logFile} ---\n${logTail(logFile)}`,
    );
    this.name = 'ComponentNotReadyError';
  }
}

/** A running control plane. */
export interface ControlPlane {
  readonly dir: string;
  /** Admin kubeconfig (client certificate in group system:masters). */
  readonly kubeconfigPath: string;
  /** `https://<address>:<port>` of the API server. */
  readonly server: string;
  /** `http://127.0.0.1:<port>` of the control plane's etcd (for compaction and fault tests). */
  readonly etcdEndpoint: string;
  /** The cluster CA, to issue more certificates (nodes, users). */
  readonly pki: Pki;
  /** The API server's client certificate for kubelets (logs, exec). */
  readonly kubeletClient: CertificatePair;
  /** Current PIDs and ports. */
  state(): ControlPlaneState;
  /** Stops the API server (SIGTERM) and starts it again with the same flags and port; resolves when ready. */
  restartApiServer(): Promise<void>;
  /** Stops the API server only; {@link ControlPlane.startApiServer} brings it back. */
  stopApiServer(): Promise<void>;
  /** Starts a stopped API server again with the same flags and port; resolves when ready. */
  startApiServer(): Promise<void>;
  /** Stops every process in reverse start order. With `removeData`, deletes the working folder too. */
  stop(options?: { removeData?: boolean }): Promise<void>;
}

/**
 * Starts etcd, kube-apiserver, kube-controller-manager and kube-scheduler and
 * resolves once all four are ready.
 *
 * @example
 * const cp = await startControlPlane({ onProgress: console.log });
 * process.env.KUBECONFIG = cp.kubeconfigPath;
 * // ...
 * await cp.stop({ removeData: true });
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  // Ports are picked free, then bound by another process a moment later; a
  // racing process can take one in between. Such a start fails with "address
  // already in use" in the component's log: start over on new ports.
  for (let attempt = 1; ; attempt++) {
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'switchboard-cp-')));
    try {
      return await startOnce({ ...options, dir });
    } catch (err) {
      const portTaken = err instanceof ComponentNotReadyError && /address already in use/.test(err.message);
      if (!portTaken || attempt >= 3) throw err;
      options.onProgress?.(`${err.component}: its port was taken meanwhile; retrying on new ports`);
      await rm(join(dir, 'etcd'), { recursive: true, force: true });
    }
  }
}

async function startOnce(options: ControlPlaneOptions & { readonly dir: string }): Promise<ControlPlane> {
  const version = options.kubernetesVersion ?? KUBERNETES_VERSION;
  const bin = {
    etcd: controlPlaneEtcdBinary(),
    apiServer: kubernetesBinary('kube-apiserver', version),
    controllerManager: kubernetesBinary('kube-controller-manager', version),
    scheduler: kubernetesBinary('kube-scheduler', version),
  };
  const progress = options.onProgress ?? (() => undefined);
  const timeout = options.readyTimeoutMs ?? 60_000;
  const dir = options.dir;
  const bindAddress = options.bindAddress ?? '127.0.0.1';
  const serviceRange = options.serviceClusterIPRange ?? '10.96.0.0/16';
  const clusterCIDR = options.clusterCIDR ?? '10.244.0.0/16';
  const loopback = bindAddress.startsWith('127.');
  await mkdir(join(dir, 'logs'), { recursive: true });

  progress('generating certificates');
  const pki = await Pki.create(join(dir, 'pki'));
  const serviceIP = firstServiceIP(serviceRange);
  const [serving, admin, controllerManager, scheduler, kubeletClient, sa] = await Promise.all([
    pki.issue({
      name: 'apiserver',
      commonName: 'kube-apiserver',
      usages: ['server'],
      dnsNames: [
        'localhost',
        'kubernetes',
        'kubernetes.default',
        'kubernetes.default.svc',
        'kubernetes.default.svc.cluster.local',
      ],
      ipAddresses: [...new Set(['127.0.0.1', bindAddress, serviceIP])],
    }),
    pki.issue({
      name: 'admin',
      commonName: 'switchboard-admin',
      organizations: ['system:masters'],
      usages: ['client'],
    }),
    pki.issue({
      name: 'controller-manager',
      commonName: 'system:kube-controller-manager',
      usages: ['client'],
    }),
    pki.issue({ name: 'scheduler', commonName: 'system:kube-scheduler', usages: ['client'] }),
    pki.issue({
      name: 'apiserver-kubelet-client',
      commonName: 'kube-apiserver-kubelet-client',
      organizations: ['system:masters'],
      usages: ['client'],
    }),
    pki.serviceAccountKey(),
  ]);

  const ports = {
    etcdClient: await freePort(),
    etcdPeer: await freePort(),
    apiServer: await freePort(loopback ? '127.0.0.1' : bindAddress),
    controllerManager: await freePort(),
    scheduler: await freePort(),
  };
  const server = `https://${bindAddress}:${ports.apiServer}`;
  const etcdEndpoint = `http://127.0.0.1:${ports.etcdClient}`;
  const kubeconfigPath = join(dir, 'admin.kubeconfig');
  await writeKubeconfig({ path: kubeconfigPath, server, caFile: pki.ca.certFile, client: admin });
  const cmKubeconfig = join(dir, 'controller-manager.kubeconfig');
  const schedKubeconfig = join(dir, 'scheduler.kubeconfig');
  await writeKubeconfig({
    path: cmKubeconfig,
    server,
    caFile: pki.ca.certFile,
    client: controllerManager,
    userName: 'controller-manager',
  });
  await writeKubeconfig({
    path: schedKubeconfig,
    server,
    caFile: pki.ca.certFile,
    client: scheduler,
    userName: 'scheduler',
  });

  const log = (name: string) => join(dir, 'logs', `${name}.log`);
  const specs = {
    etcd: {
      name: 'etcd',
      command: bin.etcd,
      args: [
        '--name=switchboard',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdEndpoint}`,
        `--advertise-client-urls=${etcdEndpoint}`,
        `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-cluster=switchboard=http://127.0.0.1:${ports.etcdPeer}`,
        '--log-level=warn',
      ],
      logFile: log('etcd'),
    },
    apiServer: {
      name: 'kube-apiserver',
      command: bin.apiServer,
      args: [
        `--etcd-servers=${etcdEndpoint}`,
        `--bind-address=${bindAddress}`,
        `--advertise-address=${bindAddress}`,
        `--secure-port=${ports.apiServer}`,
        `--tls-cert-file=${serving.certFile}`,
        `--tls-private-key-file=${serving.keyFile}`,
        `--client-ca-file=${pki.ca.certFile}`,
        `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
        `--service-account-key-file=${sa.publicKeyFile}`,
        `--service-account-signing-key-file=${sa.privateKeyFile}`,
        `--service-cluster-ip-range=${serviceRange}`,
        '--authorization-mode=Node,RBAC',
        // OwnerReferencesPermissionEnforcement, as on hardened clusters: an
        // owner reference with blockOwnerDeletion needs `update` on the
        // owner's finalizers, so tests that run operators under their own
        // RBAC prove the generated roles grant it.
        '--enable-admission-plugins=NodeRestriction,OwnerReferencesPermissionEnforcement',
        '--allow-privileged=true',
        `--kubelet-client-certificate=${kubeletClient.certFile}`,
        `--kubelet-client-key=${kubeletClient.keyFile}`,
        `--kubelet-certificate-authority=${pki.ca.certFile}`,
        '--kubelet-preferred-address-types=InternalIP',
        '--profiling=false',
        // A loopback address cannot be advertised by the default endpoint
        // reconciler; without a node nothing needs the `kubernetes` endpoints.
        ...(loopback ? ['--endpoint-reconciler-type=none'] : []),
        ...(options.apiServerArgs ?? []),
      ],
      logFile: log('kube-apiserver'),
    },
    controllerManager: {
      name: 'kube-controller-manager',
      command: bin.controllerManager,
      args: [
        `--kubeconfig=${cmKubeconfig}`,
        `--authentication-kubeconfig=${cmKubeconfig}`,
        `--authorization-kubeconfig=${cmKubeconfig}`,
        `--service-account-private-key-file=${sa.privateKeyFile}`,
        `--root-ca-file=${pki.ca.certFile}`,
        '--use-service-account-credentials=true',
        `--cluster-signing-cert-file=${pki.ca.certFile}`,
        `--cluster-signing-key-file=${pki.ca.keyFile}`,
        '--allocate-node-cidrs=true',
        `--cluster-cidr=${clusterCIDR}`,
        `--service-cluster-ip-range=${serviceRange}`,
        '--node-cidr-mask-size=24',
        // A stopped node is reported NotReady after 20 s instead of the default 50 s.
        '--node-monitor-grace-period=20s',
        `--secure-port=${ports.controllerManager}`,
        '--bind-address=127.0.0.1',
        '--leader-elect=false',
        '--profiling=false',
      ],
      logFile: log('kube-controller-manager'),
    },
    scheduler: {
      name: 'kube-scheduler',
      command: bin.scheduler,
      args: [
        `--kubeconfig=${schedKubeconfig}`,
        `--authentication-kubeconfig=${schedKubeconfig}`,
        `--authorization-kubeconfig=${schedKubeconfig}`,
        `--secure-port=${ports.scheduler}`,
        '--bind-address=127.0.0.1',
        '--leader-elect=false',
        '--profiling=false',
      ],
      logFile: log('kube-scheduler'),
    },
  } satisfies Record<string, ProcessSpec>;

  const running = new Map<keyof typeof specs, ManagedProcess>();
  const start = (key: keyof typeof specs) => {
    const p = startProcess(specs[key]);
    running.set(key, p);
    return p;
  };
  const ready = async (key: keyof typeof specs, url: string, tls: Parameters<typeof probe>[1]) => {
    const p = running.get(key);
    if (!p) throw new Error(`${key} was not started`);
    let last = '';
    await waitUntil(
      async () => {
        if (p.hasExited())
          throw new ComponentNotReadyError(
            p.spec.name,
            `exited with ${String(await p.exited)}`,
            p.spec.logFile,
          );
        const r = await probe(url, tls);
        last = `${r.status} ${r.body.slice(0, 300)}`;
        return r.status === 200;
      },
      timeout,
      () =>
        new ComponentNotReadyError(
          p.spec.name,
          `${url} answered ${last} after ${timeout} ms`,
          p.spec.logFile,
        ),
      options.signal,
    );
  };
  const apiReady = () => ready('apiServer', `${server}/readyz`, { caFile: pki.ca.certFile, client: admin });

  const releaseExitGuard = options.keepRunningAfterExit
    ? () => undefined
    : killOnExit(() => [...running.values()].filter((p) => !p.hasExited()).map((p) => p.pid));
  const stopAll = async () => {
    for (const key of [...running.keys()].reverse()) {
      const p = running.get(key);
      if (p) await stopPid(p.pid);
    }
    releaseExitGuard();
  };

  try {
    progress('starting etcd');
    start('etcd');
    await waitForEtcd(etcdEndpoint, timeout, specs.etcd.logFile, running.get('etcd'));
    progress('starting kube-apiserver');
    start('apiServer');
    await apiReady();
    progress('starting kube-controller-manager and kube-scheduler');
    start('controllerManager');
    start('scheduler');
    await Promise.all([
      ready('controllerManager', `https://127.0.0.1:${ports.controllerManager}/healthz`, {}),
      ready('scheduler', `https://127.0.0.1:${ports.scheduler}/healthz`, {}),
    ]);
  } catch (err) {
    await stopAll();
    throw err;
  }

  const state = (): ControlPlaneState => ({
    dir,
    kubernetesVersion: version,
    server,
    kubeconfigPath,
    etcdEndpoint,
    bindAddress,
    ports,
    processes: [...running.values()].map((p) => ({ name: p.spec.name, pid: p.pid, logFile: p.spec.logFile })),
  });
  await writeState(dir, state());

  const controlPlane: ControlPlane = {
    dir,
    kubeconfigPath,
    server,
    etcdEndpoint,
    pki,
    kubeletClient,
    state,
    async stopApiServer() {
      const p = running.get('apiServer');
      if (p) await stopPid(p.pid);
    },
    async startApiServer() {
      const p = running.get('apiServer');
      if (p && isAlive(p.pid)) return;
      start('apiServer');
      await writeState(dir, state());
      await apiReady();
    },
    async restartApiServer() {
      await controlPlane.stopApiServer();
      await controlPlane.startApiServer();
    },
    async stop(stopOptions = {}) {
      await stopAll();
      if (stopOptions.removeData) await rm(dir, { recursive: true, force: true });
    },
  };
  return controlPlane;
}

async function waitForEtcd(
  endpoint: string,
  timeoutMs: number,
  logFile: string,
  p: ManagedProcess | undefined,
): Promise<void> {
  let last = '';
  await waitUntil(
    async () => {
      if (p?.hasExited())
        throw new ComponentNotReadyError('etcd', `exited with ${String(await p.exited)}`, logFile);
      try {
        const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(2_000) });
        last = `${res.status} ${await res.text()}`;
        return res.ok;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
        return false;
      }
    },
    timeoutMs,
    () => new ComponentNotReadyError('etcd', `${endpoint}/health answered ${last}`, logFile),
  );
}

/** The first address of a Service range: the `kubernetes` Service's ClusterIP. */
export function firstServiceIP(cidr: string): string {
  const [base] = cidr.split('/');
  const octets = (base ?? '').split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o))) {
    throw new Error(`serviceClusterIPRange: expected an IPv4 CIDR like 10.96.0.0/16, got ${cidr}`);
  }
  octets[3] = (octets[3] ?? 0) + 1;
  return octets.join('.');
}

async function writeState(dir: string, state: ControlPlaneState): Promise<void> {
  await writeFile(join(dir, 'state.json'), JSON.stringify(state, null, 2) + '\n');
}

/** Reads the state a control plane wrote into its folder, or undefined when there is none. */
export async function readControlPlaneState(dir: string): Promise<ControlPlaneState | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as ControlPlaneState;
  } catch {
    return undefined;
  }
}

/** Stops the processes recorded in a control plane's state, in reverse start order. */
export async function stopControlPlaneFromState(state: ControlPlaneState): Promise<void> {
  for (const p of [...state.processes].reverse()) await stopPid(p.pid);
}
