// Secrets and ConfigMaps that a configuration refers to. The controller reads
// them first; generation then stays a pure function of its inputs. Values a
// Prometheus config can hold inline (passwords, bearer tokens) are inlined,
// which is why the config lives in a Secret; TLS files are collected as
// assets that the controller mounts at TLS_ASSETS_DIR.
import type { SecretKeySelector, SecretOrConfigMap } from '../api/index.js';

/** Where TLS assets are mounted in the Prometheus container. */
export const TLS_ASSETS_DIR = '/etc/prometheus/certs';

/** A referenced Secret or ConfigMap key that does not exist. */
export class MissingAssetError extends Error {
  /** Stable reason for status conditions and events. */
  readonly reason = 'MissingAsset';
  constructor(
    readonly kind: 'Secret' | 'ConfigMap',
    readonly namespace: string,
    readonly objectName: string,
    readonly key: string,
  ) {
    super(`${kind} ${namespace}/${objectName} has no key ${JSON.stringify(key)}`);
    this.name = 'MissingAssetError';
  }
}

/** Decoded data of one Secret or ConfigMap. */
export type AssetData = Readonly<Record<string, string>>;

/** Where the store finds Secret and ConfigMap data, keyed by `namespace/name`. */
export interface AssetSources {
  secrets: ReadonlyMap<string, AssetData>;
  configMaps: ReadonlyMap<string, AssetData>;
}

/**
 * Resolves references against pre-read data and records the TLS files a
 * config needs. One store serves one generation run.
 */
export class AssetStore {
  readonly #sources: AssetSources;
  readonly #tlsAssets = new Map<string, string>();

  constructor(sources: AssetSources = { secrets: new Map(), configMaps: new Map() }) {
    this.#sources = sources;
  }

  /**
   * The value of a Secret key in `namespace`.
   *
   * @throws MissingAssetError when the Secret or key is absent.
   */
  secretKey(namespace: string, ref: SecretKeySelector): string {
    const value = this.#sources.secrets.get(`${namespace}/${ref.name}`)?.[ref.key];
    if (value === undefined) throw new MissingAssetError('Secret', namespace, ref.name, ref.key);
    return value;
  }

  /**
   * Records a TLS file from a Secret or ConfigMap and returns the path
   * Prometheus reads it at.
   *
   * @throws MissingAssetError when the referenced key is absent.
   */
  tlsFile(namespace: string, ref: SecretOrConfigMap | { secret: SecretKeySelector }): string {
    const [kind, sel, data] =
      ref.secret !== undefined
        ? (['secret', ref.secret, this.#sources.secrets] as const)
        : 'configMap' in ref && ref.configMap !== undefined
          ? (['configmap', ref.configMap, this.#sources.configMaps] as const)
          : (() => {
              throw new TypeError('a TLS reference names neither a secret nor a configMap');
            })();
    const value = data.get(`${namespace}/${sel.name}`)?.[sel.key];
    if (value === undefined)
      throw new MissingAssetError(kind === 'secret' ? 'Secret' : 'ConfigMap', namespace, sel.name, sel.key);
    // The reference's file naming: <kind>_<namespace>_<name>_<key>.
    const file = `${kind}_${namespace}_${sel.name}_${sel.key}`;
    this.#tlsAssets.set(file, value);
    return `${TLS_ASSETS_DIR}/${file}`;
  }

  /** TLS files recorded so far, file name to contents, sorted by name. */
  tlsAssets(): Record<string, string> {
    return Object.fromEntries([...this.#tlsAssets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}
