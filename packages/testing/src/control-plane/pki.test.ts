import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { firstServiceIP } from './control-plane.js';
import { Pki } from './pki.js';

describe('Pki', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pki-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('issues a client certificate that names the user and groups and verifies against the CA', async () => {
    const pki = await Pki.create(dir);
    const pair = await pki.issue({
      name: 'alice',
      commonName: 'alice',
      organizations: ['system:masters', 'devs'],
      usages: ['client'],
    });
    const verify = execFileSync('openssl', ['verify', '-CAfile', pki.ca.certFile, pair.certFile], {
      encoding: 'utf8',
    });
    expect(verify).toContain(': OK');
    const text = execFileSync(
      'openssl',
      ['x509', '-in', pair.certFile, '-noout', '-subject', '-ext', 'extendedKeyUsage'],
      {
        encoding: 'utf8',
      },
    );
    expect(text).toMatch(/CN = alice/);
    expect(text).toMatch(/O = system:masters, O = devs/);
    expect(text).toContain('TLS Web Client Authentication');
  });

  it('puts DNS names and IP addresses into a serving certificate', async () => {
    const pki = Pki.open(dir);
    const pair = await pki.issue({
      name: 'server',
      commonName: 'kube-apiserver',
      usages: ['server'],
      dnsNames: ['kubernetes.default.svc'],
      ipAddresses: ['10.96.0.1'],
    });
    const text = execFileSync('openssl', ['x509', '-in', pair.certFile, '-noout', '-ext', 'subjectAltName'], {
      encoding: 'utf8',
    });
    expect(text).toContain('DNS:kubernetes.default.svc');
    expect(text).toContain('IP Address:10.96.0.1');
  });
});

describe('firstServiceIP', () => {
  it('is the first address of the range', () => {
    expect(firstServiceIP('10.96.0.0/16')).toBe('10.96.0.1');
  });
  it('names the field when the range is not an IPv4 CIDR', () => {
    expect(() => firstServiceIP('fd00::/108')).toThrow(/serviceClusterIPRange: expected an IPv4 CIDR/);
  });
});

describe('KUBERNETES_VERSION', () => {
  it('matches the version the build scripts build', async () => {
    const { readFileSync } = await import('node:fs');
    const { KUBERNETES_VERSION } = await import('./paths.js');
    const env = readFileSync(new URL('../../../cli/setup/versions.env', import.meta.url), 'utf8');
    expect(env).toContain(`KUBE_VERSION=${KUBERNETES_VERSION}\n`);
  });
});
