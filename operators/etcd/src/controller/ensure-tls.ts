// The TLS Secrets of a cluster, on every pass before anything else:
//
//   1. generated sides: the CA Secret exists (created once, never replaced:
//      every certificate the members trust chains to it), then each leaf
//      Secret (server, operator client, peer) exists, is signed by that CA,
//      carries the names it must, and is not yet due for renewal; otherwise a
//      new key and certificate are written into it. That write is a rotation
//      by Secret update: the kubelet swaps the mounted files and etcd serves
//      the new certificate on its next handshake, no restart.
//   2. every Secret the Pods mount exists and has tls.crt, tls.key, ca.crt
//      (a missing one would leave a new member Pod stuck, not failing).
//   3. the operator's own client material is read from the operator client
//      Secret, fresh each pass, so a rotated client certificate is used at once.
//
// Safe to interrupt: each write is one Secret, created (AlreadyExists means
// another pass won, and its result is read back) or updated at the
// resourceVersion read (a conflict fails the pass, which is retried).
import type { Client } from '@switchboard/core';
import { AlreadyExistsError, isNotFound } from '@switchboard/core';

import type { EtcdCluster } from '../api/types.js';
import type { EtcdTLSMaterial } from '../etcd/etcd-client.js';
import type { Secret } from '../kube/kube-types.js';
import { SecretType } from '../kube/kube-types.js';
import { clusterLabels } from '../kube/labels.js';
import { clusterOwnerReference } from '../kube/owner.js';
import type { MemberAddressing } from '../runbook/member-names.js';
import type { KeyPair, LeafRequest } from '../tls/certificates.js';
import {
  certificateFacts,
  generateCA,
  isIssuedBy,
  issueCertificate,
  keyMatches,
  renewalTime,
} from '../tls/certificates.js';
import {
  TLS_CA_KEY,
  TLS_CERT_KEY,
  TLS_KEY_KEY,
  clientServerName,
  clusterTLSSecrets,
  memberDNSNames,
} from '../tls/cluster-tls.js';

/** Why the operator cannot use a cluster's TLS Secrets (a Warning Event and a condition reason). */
export type TLSSecretProblem = 'TLSSecretNotFound' | 'TLSSecretInvalid';

/** A TLS Secret the cluster needs is missing or unusable; the pass stops until it is fixed. */
export class TLSSecretError extends Error {
  constructor(
    readonly reason: TLSSecretProblem,
    readonly secret: string,
    message: string,
  ) {
    super(message);
    this.name = 'TLSSecretError';
  }
}

const fromBase64 = (s: string | undefined): string | undefined =>
  s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8');
const toBase64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** tls.crt, tls.key and ca.crt of a Secret, or what is missing. */
function tlsFiles(secret: Secret): { cert: string; key: string; ca: string } | { missing: string[] } {
  const cert = fromBase64(secret.data?.[TLS_CERT_KEY]);
  const key = fromBase64(secret.data?.[TLS_KEY_KEY]);
  const ca = fromBase64(secret.data?.[TLS_CA_KEY]);
  if (cert && key && ca) return { cert, key, ca };
  return {
    missing: [TLS_CERT_KEY, TLS_KEY_KEY, TLS_CA_KEY].filter((k) => !secret.data?.[k]),
  };
}

function tlsSecret(cluster: EtcdCluster, name: string, pair: KeyPair, caPem: string): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace: cluster.metadata.namespace ?? 'default',
      labels: clusterLabels(cluster.metadata.name ?? ''),
      ownerReferences: [clusterOwnerReference(cluster)],
    },
    type: 'kubernetes.io/tls',
    data: {
      [TLS_CERT_KEY]: toBase64(pair.certPem),
      [TLS_KEY_KEY]: toBase64(pair.keyPem),
      [TLS_CA_KEY]: toBase64(caPem),
    },
  };
}

async function getSecret(client: Client, namespace: string, name: string, signal?: AbortSignal) {
  try {
    return await client.resource<Secret>(SecretType).get({ namespace, name }, signal ? { signal } : {});
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Why a generated leaf must be issued again, or undefined when it is fine. */
export function leafProblem(
  secret: Secret | undefined,
  ca: KeyPair,
  want: LeafRequest,
  now: Date,
): string | undefined {
  if (secret === undefined) return 'missing';
  const files = tlsFiles(secret);
  if ('missing' in files) return `no ${files.missing.join(', ')}`;
  if (files.ca.trim() !== ca.certPem.trim()) return 'ca.crt is not the cluster CA';
  if (!isIssuedBy(files.cert, ca.certPem)) return 'not signed by the cluster CA';
  if (!keyMatches(files.cert, files.key)) return 'tls.key does not match tls.crt';
  const facts = certificateFacts(files.cert);
  const absent = (want.dnsNames ?? []).filter((n) => !facts.dnsNames.includes(n));
  if (absent.length > 0) return `lacks the names ${absent.join(', ')}`;
  const due = renewalTime(facts);
  if (now >= due)
    return `due for renewal since ${due.toISOString()} (expires ${facts.notAfter.toISOString()})`;
  return undefined;
}

async function ensureCA(
  client: Client,
  cluster: EtcdCluster,
  name: string,
  now: Date,
  signal?: AbortSignal,
): Promise<{ ca: KeyPair; created: boolean }> {
  const namespace = cluster.metadata.namespace ?? 'default';
  let secret = await getSecret(client, namespace, name, signal);
  let created = false;
  if (secret === undefined) {
    const ca = await generateCA(`${namespace}/${cluster.metadata.name ?? ''} etcd CA`, now);
    try {
      secret = await client
        .resource<Secret>(SecretType)
        .create(tlsSecret(cluster, name, ca, ca.certPem), signal ? { signal } : {});
      created = true;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      secret = await getSecret(client, namespace, name, signal);
    }
  }
  const files = secret === undefined ? { missing: ['the Secret'] } : tlsFiles(secret);
  // Never regenerated: members and clients trust it, and a new CA would cut them all off.
  if ('missing' in files)
    throw new TLSSecretError(
      'TLSSecretInvalid',
      name,
      `CA Secret ${namespace}/${name} has no ${files.missing.join(', ')}; the operator never replaces a CA (restore the Secret)`,
    );
  return { ca: { certPem: files.cert, keyPem: files.key }, created };
}

/**
 * Creates or renews the generated TLS Secrets of a cluster (step 1 above).
 * Returns one note per Secret written, for Events.
 */
export async function ensureGeneratedTLS(
  client: Client,
  cluster: EtcdCluster,
  now = new Date(),
  signal?: AbortSignal,
): Promise<string[]> {
  const name = cluster.metadata.name ?? '';
  const namespace = cluster.metadata.namespace ?? 'default';
  const secrets = clusterTLSSecrets(name, cluster.spec);
  if (secrets.ca === undefined) return [];
  const notes: string[] = [];
  const { ca, created } = await ensureCA(client, cluster, secrets.ca, now, signal);
  if (created) notes.push(`created CA Secret ${secrets.ca}`);
  const names = memberDNSNames(name, namespace);
  const leaves: { secret: string; want: LeafRequest }[] = [
    ...(secrets.client?.generated
      ? [
          {
            secret: secrets.client.server,
            want: {
              commonName: `${name} etcd server`,
              usage: 'server' as const,
              dnsNames: names,
              ipAddresses: ['127.0.0.1'],
            },
          },
          {
            secret: secrets.client.operator,
            want: { commonName: 'etcd-operator', usage: 'client' as const },
          },
        ]
      : []),
    ...(secrets.peer?.generated
      ? [
          {
            secret: secrets.peer.secret,
            want: {
              commonName: `${name} etcd peer`,
              usage: 'peer' as const,
              dnsNames: names,
              ipAddresses: ['127.0.0.1'],
            },
          },
        ]
      : []),
  ];
  for (const { secret: secretName, want } of leaves) {
    const existing = await getSecret(client, namespace, secretName, signal);
    const problem = leafProblem(existing, ca, want, now);
    if (problem === undefined) continue;
    const desired = tlsSecret(cluster, secretName, await issueCertificate(ca, want, now), ca.certPem);
    const secrets = client.resource<Secret>(SecretType);
    const opts = signal ? { signal } : {};
    if (existing === undefined) {
      try {
        await secrets.create(desired, opts);
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
        continue; // another pass created it; the next pass checks it
      }
    } else {
      // At the resourceVersion read: a concurrent writer makes this fail, and the pass is retried.
      await secrets.update(
        { ...existing, type: 'kubernetes.io/tls', data: { ...existing.data, ...desired.data } },
        opts,
      );
    }
    notes.push(
      `${existing === undefined ? 'issued' : 'renewed'} certificate in Secret ${secretName} (${problem})`,
    );
  }
  return notes;
}

/**
 * Checks the Secrets the member Pods mount (step 2) and returns the
 * operator's client material (step 3); undefined for a cluster without
 * client TLS. `pod-ip` addressing checks members' certificates against the
 * client Service's name (an IP URL carries no name).
 */
export async function loadClientTLS(
  client: Client,
  cluster: EtcdCluster,
  addressing: MemberAddressing,
  signal?: AbortSignal,
): Promise<EtcdTLSMaterial | undefined> {
  const name = cluster.metadata.name ?? '';
  const namespace = cluster.metadata.namespace ?? 'default';
  const secrets = clusterTLSSecrets(name, cluster.spec);
  const needed = [
    ...(secrets.client ? [{ secret: secrets.client.server, field: 'spec.tls.client.serverSecretName' }] : []),
    ...(secrets.peer ? [{ secret: secrets.peer.secret, field: 'spec.tls.peer.secretName' }] : []),
    ...(secrets.client
      ? [{ secret: secrets.client.operator, field: 'spec.tls.client.operatorSecretName' }]
      : []),
  ];
  let operator: { cert: string; key: string; ca: string } | undefined;
  for (const { secret, field } of needed) {
    const found = await getSecret(client, namespace, secret, signal);
    if (found === undefined)
      throw new TLSSecretError(
        'TLSSecretNotFound',
        secret,
        `Secret ${namespace}/${secret} (${field}) not found`,
      );
    const files = tlsFiles(found);
    if ('missing' in files)
      throw new TLSSecretError(
        'TLSSecretInvalid',
        secret,
        `Secret ${namespace}/${secret} (${field}) has no ${files.missing.join(', ')}`,
      );
    if (secret === secrets.client?.operator) operator = files;
  }
  if (operator === undefined) return undefined;
  return {
    ca: operator.ca,
    cert: operator.cert,
    key: operator.key,
    ...(addressing === 'pod-ip' ? { serverName: clientServerName(name, namespace) } : {}),
  };
}
