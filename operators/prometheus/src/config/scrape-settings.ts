// Per-job scrape settings common to ServiceMonitor and PodMonitor endpoints.
import type { Endpoint, PodMetricsEndpoint } from '../api/index.js';
import type { YamlMap } from './yaml-value.js';

/** Adds interval, timeout, path, params, scheme and HTTP flags, in the reference's order. */
export function addScrapeSettings(cfg: YamlMap, ep: Endpoint | PodMetricsEndpoint): void {
  if (ep.interval !== undefined && ep.interval !== '') cfg['scrape_interval'] = ep.interval;
  if (ep.scrapeTimeout !== undefined && ep.scrapeTimeout !== '') cfg['scrape_timeout'] = ep.scrapeTimeout;
  if (ep.path !== undefined && ep.path !== '') cfg['metrics_path'] = ep.path;
  if (ep.params !== undefined) {
    cfg['params'] = Object.fromEntries(
      Object.keys(ep.params)
        .sort()
        .map((k) => [k, ep.params![k]!]),
    );
  }
  if (ep.scheme !== undefined) cfg['scheme'] = ep.scheme.toLowerCase();
  if (ep.followRedirects !== undefined) cfg['follow_redirects'] = ep.followRedirects;
  if (ep.enableHttp2 !== undefined) cfg['enable_http2'] = ep.enableHttp2;
}

/** Adds `sample_limit` and `target_limit` when set. */
export function addLimits(cfg: YamlMap, spec: { sampleLimit?: number; targetLimit?: number }): void {
  if (spec.sampleLimit !== undefined && spec.sampleLimit > 0) cfg['sample_limit'] = spec.sampleLimit;
  if (spec.targetLimit !== undefined && spec.targetLimit > 0) cfg['target_limit'] = spec.targetLimit;
}
