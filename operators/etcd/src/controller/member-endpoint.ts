// The one way an executor turns a member of the observation into the client
// URL it dials: the addressing the operator runs with, the member's Pod IP,
// and the cluster's client scheme (https under client TLS). Building the URL
// anywhere else risks dialling http:// on an https port.
import { memberClientURL } from '../runbook/member-names.js';
import type { MemberAddressing } from '../runbook/member-names.js';
import type { ClusterObservation } from '../runbook/observation.js';
import { clientScheme } from '../tls/cluster-tls.js';

/** Client URL of `member`, or undefined while its Pod has no IP. */
export function memberEndpoint(
  obs: ClusterObservation,
  addressing: MemberAddressing | undefined,
  member: string,
): string | undefined {
  const ip = obs.pods.get(member)?.podIP;
  return ip === undefined
    ? undefined
    : memberClientURL(addressing ?? 'pod-ip', obs.name, obs.namespace, member, ip, clientScheme(obs.spec));
}
