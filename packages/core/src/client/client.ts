// The entry point of the client layer: one Client per cluster connection,
// handing out typed resource clients that share its transport and discovery.

import { KubeConfig } from '@kubernetes/client-node';
import { Discovery } from './discovery.js';
import type { KubeObject, TypeMeta } from './kube-object.js';
import { HttpResourceClient } from './resource-client.js';
import type { ResourceClient } from './resource-client.js';
import { KubeConfigTransport } from './transport.js';
import type { Transport } from './transport.js';

/**
 * Thrown by {@link Client.fromDefault} when there is no kubeconfig at all:
 * `KUBECONFIG` unset, no `~/.kube/config`, not in a pod with a service
 * account. (Without this, the client would fall back to
 * http://localhost:8080 and every call would fail with ECONNREFUSED.)
 */
export class KubeconfigNotFoundError extends Error {
  override readonly name = 'KubeconfigNotFoundError';
  readonly reason = 'KubeconfigNotFound';
  constructor() {
    super(
      'no kubeconfig: KUBECONFIG is not set, ~/.kube/config does not exist and this is not a pod with a service account; ' +
        "set KUBECONFIG or pass --kubeconfig PATH (for Switchboard's local cluster: `npx switchboard cluster up`, then export the KUBECONFIG line it prints)",
    );
  }
}

/** Options of a {@link Client}. */
export interface ClientOptions {
  /** Field manager for writes and server-side apply unless a call names its own. Default "switchboard". */
  fieldManager?: string;
  /** Per-call timeout in ms for non-streaming calls. Default 30 000. */
  requestTimeoutMs?: number;
}

/**
 * A connection to one cluster.
 *
 * @example
 * ```ts
 * const kc = new KubeConfig();
 * kc.loadFromDefault();
 * const client = Client.fromKubeConfig(kc, { fieldManager: 'my-operator' });
 * const pods = await client.resource({ apiVersion: 'v1', kind: 'Pod' }).list({ namespace: 'default' });
 * ```
 */
export class Client {
  /** Maps kinds to resources; shared by every resource client of this Client. */
  readonly discovery: Discovery;
  /** Default field manager. */
  readonly fieldManager: string;
  private readonly requestTimeoutMs: number;
  private readonly clients = new Map<string, ResourceClient<KubeObject>>();

  /** Builds a client over any Transport (a fake one in unit tests). */
  constructor(
    readonly transport: Transport,
    opts: ClientOptions = {},
  ) {
    this.discovery = new Discovery(transport);
    this.fieldManager = opts.fieldManager ?? 'switchboard';
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
  }

  /** A client for the current context of a KubeConfig (all of its auth methods work). */
  static fromKubeConfig(kc: KubeConfig, opts: ClientOptions = {}): Client {
    return new Client(new KubeConfigTransport(kc), opts);
  }

  /**
   * A client from the default kubeconfig: $KUBECONFIG, ~/.kube/config, or in-cluster.
   *
   * @throws KubeconfigNotFoundError when there is none of these.
   */
  static fromDefault(opts: ClientOptions = {}): Client {
    const kc = new KubeConfig();
    kc.loadFromDefault();
    // client-node's last resort when it found nothing: an anonymous localhost:8080.
    const cluster = kc.getCurrentCluster();
    if (
      cluster?.name === 'cluster' &&
      cluster.server === 'http://localhost:8080' &&
      kc.getCurrentUser()?.name === 'user'
    )
      throw new KubeconfigNotFoundError();
    return Client.fromKubeConfig(kc, opts);
  }

  /** The typed client of a kind; cached per kind, cheap to call repeatedly. */
  resource<T extends KubeObject = KubeObject>(type: TypeMeta): ResourceClient<T> {
    const id = `${type.apiVersion}/${type.kind}`;
    let rc = this.clients.get(id);
    if (!rc) {
      rc = new HttpResourceClient<KubeObject>(
        { apiVersion: type.apiVersion, kind: type.kind },
        {
          transport: this.transport,
          discovery: this.discovery,
          fieldManager: this.fieldManager,
          requestTimeoutMs: this.requestTimeoutMs,
        },
      );
      this.clients.set(id, rc);
    }
    return rc as unknown as ResourceClient<T>;
  }

  /** Closes pooled connections (when the transport holds any). */
  close(): void {
    if (this.transport instanceof KubeConfigTransport) this.transport.destroy();
  }
}
