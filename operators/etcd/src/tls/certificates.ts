// Certificates the operator generates for a TLS cluster, in TypeScript (no
// openssl in the operator image): a self-signed CA, and leaf certificates it
// signs, all ECDSA P-256 with SHA-256, keys as PKCS #8 PEM (what Go's
// tls.X509KeyPair, and so etcd, reads).
//
// Lifetimes: the CA 10 years, leaves 1 year. A leaf is renewed once two
// thirds of its lifetime has passed, by the same CA, so every client and peer
// keeps trusting the renewed certificate; the renewal is an ordinary Secret
// update (see ../controller/ensure-tls.ts). The CA itself is never replaced.
//
// Generation uses @peculiar/x509 over Node's WebCrypto; reading a PEM back
// (validity, issuer, names) uses Node's own X509Certificate.
import 'reflect-metadata'; // @peculiar/x509's dependency injection needs it loaded first
import { X509Certificate, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';

import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** Lifetime of a generated CA (10 years). */
export const CA_LIFETIME_DAYS = 3650;
/** Lifetime of a generated server, peer or client certificate (1 year). */
export const LEAF_LIFETIME_DAYS = 365;
/** A leaf is renewed once this fraction of its lifetime has passed. */
export const RENEW_AFTER_FRACTION = 2 / 3;
/** Backdating of `notBefore`, so a node whose clock is a little behind accepts a fresh certificate. */
const BACKDATE_MS = 5 * 60_000;

/** A certificate and its private key, both PEM. */
export interface KeyPair {
  certPem: string;
  keyPem: string;
}

/** What a leaf certificate is for: `server` and `peer` carry serverAuth + clientAuth, `client` clientAuth only. */
export type LeafUsage = 'server' | 'peer' | 'client';

/** A leaf certificate to issue. */
export interface LeafRequest {
  commonName: string;
  usage: LeafUsage;
  /** DNS subject alternative names (wildcards allowed in the first label). */
  dnsNames?: readonly string[];
  /** IP subject alternative names. */
  ipAddresses?: readonly string[];
  /** Lifetime in days (default {@link LEAF_LIFETIME_DAYS}). */
  lifetimeDays?: number;
}

async function newKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** A random positive 128-bit serial number, hex. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

function validity(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  return {
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + days * DAY_MS),
  };
}

/** A new self-signed CA (basicConstraints CA:true, pathLen 0; keyCertSign and cRLSign). */
export async function generateCA(commonName: string, now = new Date()): Promise<KeyPair> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: new x509.Name([{ CN: [commonName] }]),
    ...validity(now, CA_LIFETIME_DAYS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}

async function importCAKey(pem: string): Promise<webcrypto.CryptoKey> {
  // Node parses any PEM key form; WebCrypto wants PKCS #8 DER.
  const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign']);
}

/** A new key pair and a certificate for it, signed by `ca`. */
export async function issueCertificate(ca: KeyPair, req: LeafRequest, now = new Date()): Promise<KeyPair> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const keys = await newKeys();
  const usages =
    req.usage === 'client'
      ? [x509.ExtendedKeyUsage.clientAuth]
      : [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];
  const names = [
    ...(req.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(req.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: new x509.Name([{ CN: [req.commonName] }]),
    issuer: caCert.subject,
    ...validity(now, req.lifetimeDays ?? LEAF_LIFETIME_DAYS),
    publicKey: keys.publicKey,
    signingKey: await importCAKey(ca.keyPem),
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension(usages, false),
      ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names, false)] : []),
      await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}

/** What the operator reads back from a certificate PEM. */
export interface CertificateFacts {
  /** Hex, upper case, as Node prints it. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** DNS subject alternative names. */
  dnsNames: string[];
}

/** Facts of the first certificate in `pem`. Throws on text that is not a certificate. */
export function certificateFacts(pem: string): CertificateFacts {
  const cert = new X509Certificate(pem);
  const dnsNames = (cert.subjectAltName ?? '')
    .split(', ')
    .filter((n) => n.startsWith('DNS:'))
    .map((n) => n.slice('DNS:'.length));
  return {
    serialNumber: cert.serialNumber,
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    dnsNames,
  };
}

/** True when `certPem` is signed by the CA certificate `caPem` (signature and issuer name). */
export function isIssuedBy(certPem: string, caPem: string): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/** True when `keyPem` is the private key of `certPem`. */
export function keyMatches(certPem: string, keyPem: string): boolean {
  try {
    return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/** When a certificate valid from `notBefore` to `notAfter` is due for renewal. */
export function renewalTime(facts: Pick<CertificateFacts, 'notBefore' | 'notAfter'>): Date {
  const lifetime = facts.notAfter.getTime() - facts.notBefore.getTime();
  return new Date(facts.notBefore.getTime() + lifetime * RENEW_AFTER_FRACTION);
}
