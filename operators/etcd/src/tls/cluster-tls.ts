// Which Secrets a TLS cluster uses, what the generated ones are called and
// which names their certificates carry. Pure: the Secrets themselves are
// made and read by ../controller/ensure-tls.ts.
//
// Secrets are cert-manager-shaped (`kubernetes.io/tls`): `tls.crt`,
// `tls.key`, and `ca.crt` (the CA the certificate chains to, which the
// holder also trusts for the other side). The generated CA Secret holds the
// CA's own key in `tls.key`; it never leaves that Secret.
import type { EtcdClusterSpec } from '../api/types.js';
import { clientServiceName, peerServiceName } from '../runbook/member-names.js';

/** Keys of a `kubernetes.io/tls` Secret (plus cert-manager's `ca.crt`). */
export const TLS_CERT_KEY = 'tls.crt';
export const TLS_KEY_KEY = 'tls.key';
export const TLS_CA_KEY = 'ca.crt';

/** The cluster domain the generated certificates name (the local node's and kubeadm's default). */
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/** Names of the generated Secrets of a cluster. */
export function generatedSecretNames(cluster: string): {
  ca: string;
  server: string;
  peer: string;
  operator: string;
} {
  return {
    ca: `${cluster}-tls-ca`,
    server: `${cluster}-tls-server`,
    peer: `${cluster}-tls-peer`,
    operator: `${cluster}-tls-operator`,
  };
}

/** The Secrets one cluster's TLS uses, whether generated or named by the user. */
export interface ClusterTLSSecrets {
  /** Client TLS: the members' server certificate and the operator's client certificate. */
  client?: { server: string; operator: string; generated: boolean };
  /** Peer TLS: the members' peer certificate. */
  peer?: { secret: string; generated: boolean };
  /** The generated CA, when any side is generated. */
  ca?: string;
}

/** The Secrets of a cluster's `spec.tls` (empty for a plain-http cluster). */
export function clusterTLSSecrets(cluster: string, spec: Pick<EtcdClusterSpec, 'tls'>): ClusterTLSSecrets {
  const names = generatedSecretNames(cluster);
  const client = spec.tls?.client;
  const peer = spec.tls?.peer;
  const out: ClusterTLSSecrets = {};
  if (client !== undefined) {
    out.client = client.generate
      ? { server: names.server, operator: names.operator, generated: true }
      : {
          server: client.serverSecretName ?? '',
          operator: client.operatorSecretName ?? '',
          generated: false,
        };
  }
  if (peer !== undefined) {
    out.peer = peer.generate
      ? { secret: names.peer, generated: true }
      : { secret: peer.secretName ?? '', generated: false };
  }
  if (out.client?.generated || out.peer?.generated) out.ca = names.ca;
  return out;
}

/** `https` when the cluster's clients use TLS, else `http`. */
export function clientScheme(spec: Pick<EtcdClusterSpec, 'tls'>): 'http' | 'https' {
  return spec.tls?.client ? 'https' : 'http';
}

/** `https` when members talk to each other over TLS, else `http`. */
export function peerScheme(spec: Pick<EtcdClusterSpec, 'tls'>): 'http' | 'https' {
  return spec.tls?.peer ? 'https' : 'http';
}

function serviceNames(service: string, namespace: string, domain: string): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.${domain}`,
  ];
}

/**
 * DNS names of a member's server or peer certificate: every member under the
 * headless Service (`*.<cluster>.<ns>.svc`, its `.<domain>` form, which etcd
 * matches against a peer's reverse DNS name, and short forms), the client
 * Service in all its forms, and `localhost`. The IP name is `127.0.0.1`.
 */
export function memberDNSNames(
  cluster: string,
  namespace: string,
  domain = DEFAULT_CLUSTER_DOMAIN,
): string[] {
  const peer = peerServiceName(cluster);
  return [
    `*.${peer}.${namespace}.svc`,
    `*.${peer}.${namespace}.svc.${domain}`,
    `*.${peer}.${namespace}`,
    `*.${peer}`,
    ...serviceNames(clientServiceName(cluster), namespace, domain),
    'localhost',
  ];
}

/**
 * The name the operator checks a member's certificate against when it
 * reaches the member by Pod IP (no name in the URL): the client Service's
 * name, which every member's server certificate carries.
 */
export function clientServerName(cluster: string, namespace: string): string {
  return `${clientServiceName(cluster)}.${namespace}.svc`;
}
