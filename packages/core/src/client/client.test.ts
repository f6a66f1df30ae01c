import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client, KubeconfigNotFoundError } from './client.js';

describe('Client.fromDefault', () => {
  const saved = { KUBECONFIG: process.env['KUBECONFIG'], HOME: process.env['HOME'] };
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'switchboard-home-'));
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(home, { recursive: true, force: true });
  });

  it('says where it looked and what to do when there is no kubeconfig, instead of trying localhost:8080', () => {
    delete process.env['KUBECONFIG'];
    process.env['HOME'] = home;
    expect(() => Client.fromDefault()).toThrow(KubeconfigNotFoundError);
    expect(() => Client.fromDefault()).toThrow(
      /^no kubeconfig: KUBECONFIG is not set, ~\/\.kube\/config does not exist/,
    );
  });
});
