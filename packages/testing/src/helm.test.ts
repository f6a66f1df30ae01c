import { ASSETS_ENV } from './control-plane/paths.js';
import { HELM_VERSION, whyNoHelm } from './helm.js';

describe('whyNoHelm', () => {
  it('names where helm should be and the setup scope that builds it', () => {
    const saved = { cache: process.env.SWITCHBOARD_CACHE, assets: process.env[ASSETS_ENV] };
    process.env.SWITCHBOARD_CACHE = '/nonexistent/cache';
    delete process.env[ASSETS_ENV];
    try {
      expect(whyNoHelm()).toMatch(
        new RegExp(
          `^helm not found at /nonexistent/cache/helm/v${HELM_VERSION}/bin/helm: build it with \`[^\`]*setup --all\``,
        ),
      );
    } finally {
      for (const [key, value] of [
        ['SWITCHBOARD_CACHE', saved.cache],
        [ASSETS_ENV, saved.assets],
      ] as const)
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
    }
  });
});
