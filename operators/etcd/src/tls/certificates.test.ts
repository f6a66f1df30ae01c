import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { connect, createServer } from 'node:tls';

import {
  certificateFacts,
  generateCA,
  isIssuedBy,
  issueCertificate,
  keyMatches,
  LEAF_LIFETIME_DAYS,
  renewalTime,
} from './certificates.js';
import type { KeyPair } from './certificates.js';
import { memberDNSNames } from './cluster-tls.js';

const NOW = new Date('2026-11-28T05:00:00Z');

/** A TLS handshake of a client presenting `client` (or nothing) with a server requiring a certificate from `trusted`. */
async function handshake(server: KeyPair, trusted: string, client: KeyPair | undefined, ca: string) {
  const srv = createServer({
    cert: server.certPem,
    key: server.keyPem,
    ca: trusted,
    requestCert: true,
    rejectUnauthorized: true,
  });
  srv.on('secureConnection', (s) => s.end('ok'));
  srv.on('tlsClientError', () => undefined);
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as AddressInfo;
  try {
    return await new Promise<string>((resolve, reject) => {
      const socket = connect({
        host: '127.0.0.1',
        port,
        servername: 'm1.demo.prod.svc',
        ca,
        ...(client ? { cert: client.certPem, key: client.keyPem } : {}),
      });
      let data = '';
      socket.on('data', (d: Buffer) => (data += d.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
  } finally {
    srv.close();
  }
}

describe('generated certificates', () => {
  let ca: KeyPair;
  let server: KeyPair;
  let client: KeyPair;
  beforeAll(async () => {
    ca = await generateCA('prod/demo etcd CA', NOW);
    server = await issueCertificate(
      ca,
      {
        commonName: 'demo etcd server',
        usage: 'server',
        dnsNames: memberDNSNames('demo', 'prod'),
        ipAddresses: ['127.0.0.1'],
      },
      NOW,
    );
    client = await issueCertificate(ca, { commonName: 'etcd-operator', usage: 'client' }, NOW);
  });

  it('makes an ECDSA P-256 CA and leaves it signs, with the names and usages asked for', () => {
    const caCert = new X509Certificate(ca.certPem);
    expect(caCert.ca).toBe(true);
    expect(caCert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(isIssuedBy(server.certPem, ca.certPem)).toBe(true);
    expect(keyMatches(server.certPem, server.keyPem)).toBe(true);
    expect(keyMatches(server.certPem, client.keyPem)).toBe(false);
    const facts = certificateFacts(server.certPem);
    expect(facts.dnsNames).toEqual(
      expect.arrayContaining([
        '*.demo.prod.svc',
        '*.demo.prod.svc.cluster.local',
        'demo-client.prod.svc',
        'localhost',
      ]),
    );
    const leaf = new X509Certificate(server.certPem);
    expect(leaf.ca).toBe(false);
    expect(leaf.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(leaf.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
    expect(new X509Certificate(client.certPem).keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  });

  it('dates a leaf for a year and renews it after two thirds of that', () => {
    const facts = certificateFacts(server.certPem);
    const days = (facts.notAfter.getTime() - NOW.getTime()) / 86_400_000;
    expect(Math.round(days)).toBe(LEAF_LIFETIME_DAYS);
    const due = renewalTime(facts);
    const dueDays = (due.getTime() - NOW.getTime()) / 86_400_000;
    expect(dueDays).toBeGreaterThan(240);
    expect(dueDays).toBeLessThan(245);
  });

  it('gives distinct serial numbers to certificates of the same request', async () => {
    const again = await issueCertificate(ca, { commonName: 'etcd-operator', usage: 'client' }, NOW);
    expect(certificateFacts(again.certPem).serialNumber).not.toBe(
      certificateFacts(client.certPem).serialNumber,
    );
  });

  it('completes a mutual TLS handshake with a client certificate of the same CA', async () => {
    await expect(handshake(server, ca.certPem, client, ca.certPem)).resolves.toBe('ok');
  });

  it('fails the handshake for a client certificate from another CA', async () => {
    const other = await generateCA('other CA', NOW);
    const stranger = await issueCertificate(other, { commonName: 'stranger', usage: 'client' }, NOW);
    expect(isIssuedBy(stranger.certPem, ca.certPem)).toBe(false);
    // TLS 1.3: the client may finish its side first; the server then closes without answering.
    const answer = await handshake(server, ca.certPem, stranger, ca.certPem).catch(() => 'refused');
    expect(answer).not.toBe('ok');
  });
});
