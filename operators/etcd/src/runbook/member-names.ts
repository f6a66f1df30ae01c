// How members, Pods, PVCs and URLs are named. A member's Pod and PVC share
// its name, and its peer URL is its DNS name under the headless Service, so
// the operator can match an etcd member to its Kubernetes objects by peer
// URL even before the member has started and published its name.
import { randomBytes } from 'node:crypto';

/** etcd's peer port. */
export const PEER_PORT = 2380;
/** etcd's client port. */
export const CLIENT_PORT = 2379;
/**
 * Plain-HTTP port of etcd's /metrics, /health, /livez and /readyz
 * (`--listen-metrics-urls`). Probes and Prometheus use it, so they keep
 * working when the client port requires TLS client certificates.
 */
export const METRICS_PORT = 2381;

/** Name of the headless Service that gives members their DNS names. */
export function peerServiceName(cluster: string): string {
  return cluster;
}

/** Name of the Service clients connect to. */
export function clientServiceName(cluster: string): string {
  return `${cluster}-client`;
}

/** `https` on a side (client or peer) that uses TLS, else `http`. */
export type UrlScheme = 'http' | 'https';

/**
 * Peer URL of a member: stable across Pod restarts because it is a DNS name,
 * not an IP. `https` for a cluster with peer TLS.
 */
export function peerURL(
  cluster: string,
  namespace: string,
  member: string,
  scheme: UrlScheme = 'http',
): string {
  return `${scheme}://${member}.${peerServiceName(cluster)}.${namespace}.svc:${PEER_PORT}`;
}

/** Member name encoded in a peer URL made by {@link peerURL} (either scheme); undefined for a foreign URL. */
export function memberNameOfPeerURL(cluster: string, namespace: string, url: string): string | undefined {
  const suffix = `.${peerServiceName(cluster)}.${namespace}.svc:${PEER_PORT}`;
  const prefix = ['http://', 'https://'].find((p) => url.startsWith(p));
  if (prefix === undefined || !url.endsWith(suffix)) return undefined;
  const name = url.slice(prefix.length, -suffix.length);
  return name.length > 0 && !name.includes('.') ? name : undefined;
}

/** Client URL of a member reached by Pod IP (works from inside and outside the cluster network). */
export function clientURLOfIP(ip: string, scheme: UrlScheme = 'http'): string {
  return `${scheme}://${ip}:${CLIENT_PORT}`;
}

/**
 * Client URL of a member by its DNS name under the headless Service, the
 * name its peers use: resolvable only inside the cluster, and stable while
 * the Pod's IP changes.
 */
export function clientURLOfName(
  cluster: string,
  namespace: string,
  member: string,
  scheme: UrlScheme = 'http',
): string {
  return `${scheme}://${member}.${peerServiceName(cluster)}.${namespace}.svc:${CLIENT_PORT}`;
}

/**
 * How the operator reaches a member's client endpoint: `dns`, its name under
 * the headless Service (an operator running in a Pod), or `pod-ip` (an
 * operator on a host outside the cluster network's DNS, e.g. in tests).
 */
export type MemberAddressing = 'dns' | 'pod-ip';

/**
 * `dns` inside a Pod (the kubelet sets `KUBERNETES_SERVICE_HOST` in every
 * container), `pod-ip` elsewhere: a host cannot resolve cluster names.
 */
export function defaultMemberAddressing(env: NodeJS.ProcessEnv = process.env): MemberAddressing {
  return env['KUBERNETES_SERVICE_HOST'] ? 'dns' : 'pod-ip';
}

/** Client URL of `member` of a cluster, whose Pod has `podIP`, as `addressing` says. */
export function memberClientURL(
  addressing: MemberAddressing,
  cluster: string,
  namespace: string,
  member: string,
  podIP: string,
  scheme: UrlScheme = 'http',
): string {
  return addressing === 'dns'
    ? clientURLOfName(cluster, namespace, member, scheme)
    : clientURLOfIP(podIP, scheme);
}

/** A fresh member name, `<cluster>-<5 random chars>`; never reused, so no stale DNS or peer URL is inherited. */
export function randomMemberName(cluster: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const bytes = randomBytes(5);
  let suffix = '';
  for (const b of bytes) suffix += alphabet[b % alphabet.length];
  return `${cluster}-${suffix}`;
}
