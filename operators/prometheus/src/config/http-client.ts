// Prometheus HTTP client settings (tls_config, basic_auth, authorization,
// bearer_token) from the references in a monitor or Prometheus spec. Secret
// values are inlined; TLS files become assets (see asset-store.ts).
import type {
  BasicAuth,
  SafeAuthorization,
  SafeTLSConfig,
  SecretKeySelector,
  TLSConfig,
} from '../api/index.js';
import type { AssetStore } from './asset-store.js';
import type { YamlMap } from './yaml-value.js';

/** `tls_config` for a TLS spec whose files come from `namespace`. */
export function tlsConfig(tls: SafeTLSConfig | TLSConfig, namespace: string, assets: AssetStore): YamlMap {
  const out: YamlMap = {};
  if (tls.insecureSkipVerify !== undefined) out['insecure_skip_verify'] = tls.insecureSkipVerify;
  if (tls.ca?.secret !== undefined || tls.ca?.configMap !== undefined)
    out['ca_file'] = assets.tlsFile(namespace, tls.ca);
  if (tls.cert?.secret !== undefined || tls.cert?.configMap !== undefined)
    out['cert_file'] = assets.tlsFile(namespace, tls.cert);
  if (tls.keySecret !== undefined) out['key_file'] = assets.tlsFile(namespace, { secret: tls.keySecret });
  if (tls.serverName !== undefined && tls.serverName !== '') out['server_name'] = tls.serverName;
  if ('caFile' in tls && tls.caFile !== undefined && tls.caFile !== '') out['ca_file'] = tls.caFile;
  if ('certFile' in tls && tls.certFile !== undefined && tls.certFile !== '') out['cert_file'] = tls.certFile;
  if ('keyFile' in tls && tls.keyFile !== undefined && tls.keyFile !== '') out['key_file'] = tls.keyFile;
  return out;
}

/** `basic_auth` with username and password read from Secrets. */
export function basicAuth(auth: BasicAuth, namespace: string, assets: AssetStore): YamlMap {
  return {
    username: auth.username === undefined ? '' : assets.secretKey(namespace, auth.username),
    password: auth.password === undefined ? '' : assets.secretKey(namespace, auth.password),
  };
}

/** `authorization` (type defaults to Bearer) with credentials from a Secret. */
export function authorization(auth: SafeAuthorization, namespace: string, assets: AssetStore): YamlMap {
  const out: YamlMap = { type: (auth.type ?? '').trim() === '' ? 'Bearer' : auth.type!.trim() };
  if (auth.credentials !== undefined) out['credentials'] = assets.secretKey(namespace, auth.credentials);
  return out;
}

/** The deprecated `bearerTokenSecret`, inlined as `bearer_token`. */
export function bearerToken(
  ref: SecretKeySelector | undefined,
  namespace: string,
  assets: AssetStore,
): string | undefined {
  return ref === undefined || ref.name === '' ? undefined : assets.secretKey(namespace, ref);
}
