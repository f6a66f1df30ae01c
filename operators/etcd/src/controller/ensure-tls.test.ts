import type { Secret } from '../kube/kube-types.js';
import type { KeyPair, LeafRequest } from '../tls/certificates.js';
import { generateCA, issueCertificate } from '../tls/certificates.js';
import { memberDNSNames } from '../tls/cluster-tls.js';
import { leafProblem } from './ensure-tls.js';

const NOW = new Date('2026-11-28T05:00:00Z');
const DAY = 86_400_000;
const want: LeafRequest = {
  commonName: 'demo etcd server',
  usage: 'server',
  dnsNames: memberDNSNames('demo', 'prod'),
};

function secretOf(pair: KeyPair, caPem: string): Secret {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'demo-tls-server', namespace: 'prod' },
    data: { 'tls.crt': b64(pair.certPem), 'tls.key': b64(pair.keyPem), 'ca.crt': b64(caPem) },
  };
}

describe('when a generated certificate is issued again', () => {
  let ca: KeyPair;
  let leaf: KeyPair;
  beforeAll(async () => {
    ca = await generateCA('prod/demo etcd CA', NOW);
    leaf = await issueCertificate(ca, want, NOW);
  });

  it('leaves a valid certificate of the cluster CA alone, until two thirds of its life have passed', () => {
    expect(leafProblem(secretOf(leaf, ca.certPem), ca, want, NOW)).toBeUndefined();
    expect(
      leafProblem(secretOf(leaf, ca.certPem), ca, want, new Date(NOW.getTime() + 240 * DAY)),
    ).toBeUndefined();
    expect(leafProblem(secretOf(leaf, ca.certPem), ca, want, new Date(NOW.getTime() + 245 * DAY))).toMatch(
      /^due for renewal since/,
    );
  });

  it('issues a missing or incomplete Secret', () => {
    expect(leafProblem(undefined, ca, want, NOW)).toBe('missing');
    const partial = secretOf(leaf, ca.certPem);
    delete partial.data!['tls.key'];
    expect(leafProblem(partial, ca, want, NOW)).toBe('no tls.key');
  });

  it('replaces a certificate of another CA, a key that does not match, and one lacking member names', async () => {
    const other = await generateCA('other', NOW);
    const foreign = await issueCertificate(other, want, NOW);
    expect(leafProblem(secretOf(foreign, ca.certPem), ca, want, NOW)).toBe('not signed by the cluster CA');
    expect(leafProblem(secretOf(leaf, other.certPem), ca, want, NOW)).toBe('ca.crt is not the cluster CA');
    expect(
      leafProblem(secretOf({ certPem: leaf.certPem, keyPem: foreign.keyPem }, ca.certPem), ca, want, NOW),
    ).toBe('tls.key does not match tls.crt');
    const narrow = await issueCertificate(ca, { ...want, dnsNames: ['localhost'] }, NOW);
    expect(leafProblem(secretOf(narrow, ca.certPem), ca, want, NOW)).toMatch(
      /^lacks the names \*\.demo\.prod\.svc/,
    );
  });

  it('accepts a rotated certificate of the same CA written by someone else', async () => {
    const rotated = await issueCertificate(ca, want, new Date(NOW.getTime() + 10 * DAY));
    expect(
      leafProblem(secretOf(rotated, ca.certPem), ca, want, new Date(NOW.getTime() + 11 * DAY)),
    ).toBeUndefined();
  });
});
