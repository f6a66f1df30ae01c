// The gateway client against a real etcd that serves clients over TLS and
// requires client certificates (--client-cert-auth), with certificates the
// operator's own generator made: the right client certificate works, and
// without one, or with one from another CA, the call fails with reason
// TLSFailed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { jest } from '@jest/globals';
import { eventually } from '@switchboard/testing';

import { EtcdRequestError } from '../src/etcd/etcd-client.js';
import type { EtcdTLSMaterial } from '../src/etcd/etcd-client.js';
import {
  GatewayEtcdClient,
  gatewayClientFactory,
  gatewayClientFactoryClosedWith,
} from '../src/etcd/gateway-client.js';
import { generateCA, issueCertificate } from '../src/tls/certificates.js';
import type { KeyPair } from '../src/tls/certificates.js';
import { loopbackAddress, startLoopbackMember } from './support/loopback-etcd.js';
import type { LoopbackMember } from './support/loopback-etcd.js';

let member: LoopbackMember | undefined;
let dir: string;
let ca: KeyPair;
let operatorCert: KeyPair;
const clients: GatewayEtcdClient[] = [];

function tlsClient(tls: EtcdTLSMaterial | undefined, endpoint = member!.clientURL): GatewayEtcdClient {
  const c = new GatewayEtcdClient(endpoint, { timeoutMs: 3000, ...(tls ? { tls } : {}) });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'etcd-tls-'));
  ca = await generateCA('loopback etcd CA');
  const server = await issueCertificate(ca, {
    commonName: 'loopback etcd server',
    usage: 'server',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
  });
  operatorCert = await issueCertificate(ca, { commonName: 'etcd-operator', usage: 'client' });
  writeFileSync(join(dir, 'ca.crt'), ca.certPem);
  writeFileSync(join(dir, 'tls.crt'), server.certPem);
  writeFileSync(join(dir, 'tls.key'), server.keyPem);
  const addr = await loopbackAddress('secure', 'https');
  member = startLoopbackMember(addr, `secure=${addr.peerURL}`, 'new', undefined, [
    `--cert-file=${join(dir, 'tls.crt')}`,
    `--key-file=${join(dir, 'tls.key')}`,
    `--trusted-ca-file=${join(dir, 'ca.crt')}`,
    '--client-cert-auth=true',
  ]);
  const ok = tlsClient({ ca: ca.certPem, cert: operatorCert.certPem, key: operatorCert.keyPem });
  await eventually(async () => expect(await ok.health()).toBe(true), { timeout: 20_000 });
}, 30_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await member?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('GatewayEtcdClient against etcd with client-certificate auth', () => {
  it('works with a client certificate of the trusted CA', async () => {
    const c = tlsClient({ ca: ca.certPem, cert: operatorCert.certPem, key: operatorCert.keyPem });
    await c.put('/tls/hello', 'world');
    expect(await c.get('/tls/hello')).toBe('world');
    expect((await c.memberList({ linearizable: true })).members).toHaveLength(1);
    expect((await c.status()).version).toMatch(/^3\.\d+\.\d+$/);
  });

  it('checks the server against a name given for an address without one', async () => {
    const named = tlsClient({
      ca: ca.certPem,
      cert: operatorCert.certPem,
      key: operatorCert.keyPem,
      serverName: 'localhost',
    });
    expect(await named.health()).toBe(true);
    const wrongName = tlsClient({
      ca: ca.certPem,
      cert: operatorCert.certPem,
      key: operatorCert.keyPem,
      serverName: 'elsewhere.example',
    });
    await expect(wrongName.memberList()).rejects.toMatchObject({ reason: 'TLSFailed' });
  });

  it('fails with reason TLSFailed without a client certificate', async () => {
    const err: unknown = await tlsClient({ ca: ca.certPem })
      .memberList()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EtcdRequestError);
    expect(err).toMatchObject({ reason: 'TLSFailed', operation: 'memberList' });
    expect((err as Error).message).toMatch(/certificate/i);
  });

  it('fails with reason TLSFailed with a client certificate of another CA', async () => {
    const other = await generateCA('another CA');
    const stranger = await issueCertificate(other, { commonName: 'stranger', usage: 'client' });
    const err: unknown = await tlsClient({ ca: ca.certPem, cert: stranger.certPem, key: stranger.keyPem })
      .put('/tls/intruder', 'x')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'TLSFailed', operation: 'put' });
  });

  it("fails with reason TLSFailed when it does not trust the server's CA", async () => {
    const other = await generateCA('another CA');
    const err: unknown = await tlsClient({
      ca: other.certPem,
      cert: operatorCert.certPem,
      key: operatorCert.keyPem,
    })
      .memberList()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'TLSFailed' });
  });

  it('is refused over plain http', async () => {
    const err: unknown = await tlsClient(undefined, member!.clientURL.replace('https://', 'http://'))
      .memberList()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EtcdRequestError);
  });

  it('shares one connection pool per TLS material through the factory', async () => {
    const factory = gatewayClientFactory({ timeoutMs: 3000, maxAgents: 1 });
    const tls = { ca: ca.certPem, cert: operatorCert.certPem, key: operatorCert.keyPem };
    try {
      expect(await factory(member!.clientURL, tls).health()).toBe(true);
      expect(await factory(member!.clientURL, { ...tls }).health()).toBe(true);
      // A second material evicts (closes) the first Agent; a client made afterwards still works.
      await expect(factory(member!.clientURL, { ca: ca.certPem }).health()).rejects.toMatchObject({
        reason: 'TLSFailed',
      });
      expect(await factory(member!.clientURL, tls).health()).toBe(true);
    } finally {
      await factory.close();
    }
  });

  it("closes the factory's Agents when its owner (a Manager) stops", async () => {
    const hooks: (() => Promise<void>)[] = [];
    const factory = gatewayClientFactoryClosedWith(
      { onStop: (hook) => hooks.push(hook) },
      { timeoutMs: 3000 },
    );
    const close = jest.spyOn(factory, 'close');
    const tls = { ca: ca.certPem, cert: operatorCert.certPem, key: operatorCert.keyPem };
    expect(await factory(member!.clientURL, tls).health()).toBe(true);
    expect(hooks).toHaveLength(1);
    expect(close).not.toHaveBeenCalled();
    for (const hook of hooks) await hook();
    expect(close).toHaveBeenCalledTimes(1);
  });
});
