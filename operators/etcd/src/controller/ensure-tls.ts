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

/**
 * The Secrets of one namespace as one pass sees them: each is read from the
 * API server at most once (the operator may get Secrets, not list or watch
 * them), and what the pass writes replaces what it read.
 */
class PassSecrets {
  private readonly seen = new Map<string, Secret | undefined>();

  constructor(
    readonly client: Client,
    readonly namespace: string,
    readonly signal?: AbortSignal,
  ) {}

  /** The Secret `name` as this pass saw it; `fresh` reads it again (e.g. after a create lost a race). */
  async get(name: string, opts: { fresh?: boolean } = {}): Promise<Secret | undefined> {
    if (opts.fresh !== true && this.seen.has(name)) return this.seen.get(name);
    let secret: Secret | undefined;
    try {
      secret = await this.client
        .resource<Secret>(SecretType)
        .get({ namespace: this.namespace, name }, this.signal ? { signal: this.signal } : {});
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.seen.set(name, secret);
    return secret;
  }

  wrote(secret: Secret): void {
    this.seen.set(secret.metadata.name ?? '', secret);
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
  reads: PassSecrets,
  cluster: EtcdCluster,
  name: string,
  now: Date,
): Promise<{ ca: KeyPair; created: boolean }> {
  const { client, namespace, signal } = reads;
  let secret = await reads.get(name);
  let created = false;
  if (secret === undefined) {
    const ca = await generateCA(`${namespace}/${cluster.metadata.name ?? ''} etcd CA`, now);
    try {
      secret = await client
        .resource<Secret>(SecretType)
        .create(tlsSecret(cluster, name, ca, ca.certPem), signal ? { signal } : {});
      reads.wrote(secret);
      created = true;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      secret = await reads.get(name, { fresh: true });
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
export function ensureGeneratedTLS(
  client: Client,
  cluster: EtcdCluster,
  now = new Date(),
  signal?: AbortSignal,
): Promise<string[]> {
  return issueGenerated(
    new PassSecrets(client, cluster.metadata.namespace ?? 'default', signal),
    cluster,
    now,
  );
}

async function issueGenerated(reads: PassSecrets, cluster: EtcdCluster, now: Date): Promise<string[]> {
  const { client, namespace, signal } = reads;
  const name = cluster.metadata.name ?? '';
  const secrets = clusterTLSSecrets(name, cluster.spec);
  if (secrets.ca === undefined) return [];
  const notes: string[] = [];
  const { ca, created } = await ensureCA(reads, cluster, secrets.ca, now);
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
    const existing = await reads.get(secretName);
    const problem = leafProblem(existing, ca, want, now);
    if (problem === undefined) continue;
    const desired = tlsSecret(cluster, secretName, await issueCertificate(ca, want, now), ca.certPem);
    const secrets = client.resource<Secret>(SecretType);
    const opts = signal ? { signal } : {};
    if (existing === undefined) {
      try {
        reads.wrote(await secrets.create(desired, opts));
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
        await reads.get(secretName, { fresh: true }); // another pass created it; the next pass checks it
        continue;
      }
    } else {
      // At the resourceVersion read: a concurrent writer makes this fail, and the pass is retried.
      reads.wrote(
        await secrets.update(
          { ...existing, type: 'kubernetes.io/tls', data: { ...existing.data, ...desired.data } },
          opts,
        ),
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
export function loadClientTLS(
  client: Client,
  cluster: EtcdCluster,
  addressing: MemberAddressing,
  signal?: AbortSignal,
): Promise<EtcdTLSMaterial | undefined> {
  return checkAndLoad(
    new PassSecrets(client, cluster.metadata.namespace ?? 'default', signal),
    cluster,
    addressing,
  );
}

/**
 * Both steps of a reconcile pass, each Secret read once: creates or renews
 * the generated Secrets unless `issue` is false (a paused cluster), then
 * checks them and returns the operator's client material.
 */
export async function prepareClusterTLS(
  client: Client,
  cluster: EtcdCluster,
  addressing: MemberAddressing,
  opts: { issue: boolean; now?: Date; signal?: AbortSignal },
): Promise<{ notes: string[]; material: EtcdTLSMaterial | undefined }> {
  const reads = new PassSecrets(client, cluster.metadata.namespace ?? 'default', opts.signal);
  const notes = opts.issue ? await issueGenerated(reads, cluster, opts.now ?? new Date()) : [];
  return { notes, material: await checkAndLoad(reads, cluster, addressing) };
}

async function checkAndLoad(
  reads: PassSecrets,
  cluster: EtcdCluster,
  addressing: MemberAddressing,
): Promise<EtcdTLSMaterial | undefined> {
  const name = cluster.metadata.name ?? '';
  const { namespace } = reads;
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
    const found = await reads.get(secret);
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
