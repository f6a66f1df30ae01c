// The control plane's PKI: one CA, serving and client certificates signed by
// it, and the service-account signing key. Made with the openssl command (a
// well-kept tool, present on every machine of this kind) so the certificates
// are exactly what Kubernetes components expect. Keys are ECDSA P-256.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate and its key, as file paths. */
export interface CertificatePair {
  readonly certFile: string;
  readonly keyFile: string;
}

/** What a leaf certificate is for and who it names. */
export interface CertificateRequest {
  /** File name stem, e.g. `apiserver` writes `apiserver.crt` and `apiserver.key`. */
  readonly name: string;
  /** Subject common name; for clients, the Kubernetes user name. */
  readonly commonName: string;
  /** Subject organizations; for clients, the Kubernetes groups. */
  readonly organizations?: readonly string[];
  /** Subject alternative names: DNS names and IP addresses (servers). */
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** `server`, `client` or both. */
  readonly usages: readonly ('server' | 'client')[];
}

/** A certificate authority on disk that issues certificates on request. */
export class Pki {
  private constructor(
    readonly dir: string,
    readonly ca: CertificatePair,
  ) {}

  /** Creates a new CA (and folder) under `dir`. */
  static async create(dir: string, commonName = 'switchboard-ca'): Promise<Pki> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const ca = { certFile: join(dir, 'ca.crt'), keyFile: join(dir, 'ca.key') };
    await run('openssl', [
      'req',
      '-x509',
      '-new',
      '-nodes',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-keyout',
      ca.keyFile,
      '-out',
      ca.certFile,
      '-days',
      '3650',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
    ]);
    return new Pki(dir, ca);
  }

  /** Opens a CA that `create` made earlier. */
  static open(dir: string): Pki {
    return new Pki(dir, { certFile: join(dir, 'ca.crt'), keyFile: join(dir, 'ca.key') });
  }

  /** Issues a certificate signed by this CA. */
  async issue(request: CertificateRequest): Promise<CertificatePair> {
    const pair = {
      certFile: join(this.dir, `${request.name}.crt`),
      keyFile: join(this.dir, `${request.name}.key`),
    };
    const csr = join(this.dir, `${request.name}.csr`);
    const ext = join(this.dir, `${request.name}.ext`);
    const subject = [
      `/CN=${request.commonName}`,
      ...(request.organizations ?? []).map((o) => `/O=${o}`),
    ].join('');
    await run('openssl', [
      'req',
      '-new',
      '-nodes',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-keyout',
      pair.keyFile,
      '-out',
      csr,
      '-subj',
      subject,
    ]);
    const usages = request.usages.map((u) => (u === 'server' ? 'serverAuth' : 'clientAuth'));
    const sans = [
      ...(request.dnsNames ?? []).map((d) => `DNS:${d}`),
      ...(request.ipAddresses ?? []).map((ip) => `IP:${ip}`),
    ];
    const lines = [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      `extendedKeyUsage=${usages.join(',')}`,
      ...(sans.length > 0 ? [`subjectAltName=${sans.join(',')}`] : []),
    ];
    await writeFile(ext, lines.join('\n') + '\n');
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      this.ca.certFile,
      '-CAkey',
      this.ca.keyFile,
      // A random serial per certificate: -CAcreateserial shares one ca.srl
      // file, which certificates issued in parallel corrupt ("short line").
      '-set_serial',
      randomSerial(),
      '-out',
      pair.certFile,
      '-days',
      '365',
      '-extfile',
      ext,
    ]);
    return pair;
  }

  /** Creates the key pair the API server signs service-account tokens with. */
  async serviceAccountKey(): Promise<{ privateKeyFile: string; publicKeyFile: string }> {
    const privateKeyFile = join(this.dir, 'sa.key');
    const publicKeyFile = join(this.dir, 'sa.pub');
    await run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', privateKeyFile]);
    await run('openssl', ['ec', '-in', privateKeyFile, '-pubout', '-out', publicKeyFile]);
    return { privateKeyFile, publicKeyFile };
  }

  /** The CA certificate, PEM. */
  caPem(): Promise<string> {
    return readFile(this.ca.certFile, 'utf8');
  }
}

/** A random positive 127-bit certificate serial, in openssl's hex notation. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return `0x${bytes.toString('hex')}`;
}
