import { readFile, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

import type { CertificatePair } from './pki.js';

/** Writes a kubeconfig with one cluster, one user (client certificate) and one context, all embedded. */
export async function writeKubeconfig(options: {
  readonly path: string;
  readonly server: string;
  readonly caFile: string;
  readonly client: CertificatePair;
  readonly clusterName?: string;
  readonly userName?: string;
}): Promise<void> {
  const b64 = async (file: string) => (await readFile(file)).toString('base64');
  const cluster = options.clusterName ?? 'switchboard';
  const user = options.userName ?? 'admin';
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: cluster,
        cluster: { server: options.server, 'certificate-authority-data': await b64(options.caFile) },
      },
    ],
    users: [
      {
        name: user,
        user: {
          'client-certificate-data': await b64(options.client.certFile),
          'client-key-data': await b64(options.client.keyFile),
        },
      },
    ],
    contexts: [{ name: cluster, context: { cluster, user, namespace: 'default' } }],
    'current-context': cluster,
  };
  await writeFile(options.path, stringify(doc), { mode: 0o600 });
}
