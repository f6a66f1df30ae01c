// Default images. Users override them per object (`spec.image`) or for the
// whole operator (flags); the local test cluster serves these names.

/** Prometheus release used when `spec.version` and `spec.image` are unset. */
export const DEFAULT_PROMETHEUS_VERSION = 'v3.16.0';
/** Alertmanager release used when `spec.version` and `spec.image` are unset. */
export const DEFAULT_ALERTMANAGER_VERSION = 'v0.35.0';

/** Images an operator deployment runs with. */
export interface ImageSettings {
  /** Repository of Prometheus images, tagged with the version. */
  prometheusBaseImage: string;
  /** Repository of Alertmanager images, tagged with the version. */
  alertmanagerBaseImage: string;
  /** The config reloader image (this package's reloader program). */
  configReloaderImage: string;
}

/** The images of a default deployment. */
export const DEFAULT_IMAGES: ImageSettings = {
  prometheusBaseImage: 'quay.io/prometheus/prometheus',
  alertmanagerBaseImage: 'quay.io/prometheus/alertmanager',
  configReloaderImage: 'docker.io/switchboard/prometheus-config-reloader:0.1.0',
};

/** `spec.image` if set, otherwise `<base>:<version or default>`. */
export function workloadImage(
  spec: { image?: string; version?: string },
  base: string,
  defaultVersion: string,
): string {
  if (spec.image !== undefined && spec.image !== '') return spec.image;
  const version = spec.version === undefined || spec.version === '' ? defaultVersion : spec.version;
  return `${base}:${version.startsWith('v') ? version : `v${version}`}`;
}
