// `switchboard crd` and `switchboard rbac`: what they generate, and that
// --check fails once the code moved on without them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ControllerBuilder, defineResource } from '@switchboard/core';

import { crdCommand, rbacCommand } from '../src/commands/manifests.js';
import { crdFiles } from '../src/manifests/crd.js';
import { staleFiles, writeFiles } from '../src/manifests/files.js';
import type { OperatorDescription } from '../src/manifests/operator-module.js';
import { rbacFiles, rbacRules } from '../src/manifests/rbac.js';
import { operator as widgets, Widget, widgetSpec } from './fixtures/widget-operator.js';

const module = join(import.meta.dirname, 'fixtures', 'widget-operator.ts');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-manifests-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('switchboard crd', () => {
  it('fails --check when a field is added to a resource without regenerating', () => {
    writeFiles(dir, crdFiles(widgets));
    expect(staleFiles(dir, crdFiles(widgets))).toEqual([]);
    const withField = defineResource({
      group: Widget.group,
      version: Widget.version,
      kind: Widget.kind,
      scope: 'Namespaced',
      spec: { ...widgetSpec, properties: { ...widgetSpec.properties, color: { type: 'string' } } },
      status: { type: 'object', properties: { ready: { type: 'boolean' } } },
    });
    const changed: OperatorDescription = { ...widgets, resources: [withField] };
    expect(staleFiles(dir, crdFiles(changed))).toEqual([
      { path: join(dir, 'example.com_widgets.yaml'), problem: 'differs' },
    ]);
  });

  it('--check names the stale files and the command that regenerates them; --write fixes them', async () => {
    await expect(crdCommand({ module, out: dir, check: true })).rejects.toThrow(
      /example\.com_widgets\.yaml: missing\nregenerate with: switchboard crd --module \S+ --out \S+ --write/,
    );
    await crdCommand({ module, out: dir, write: true });
    await expect(crdCommand({ module, out: dir, check: true })).resolves.toBeUndefined();
  });

  it('says how to get a module when there is none', async () => {
    await expect(crdCommand({ module: join(dir, 'dist', 'operator.js') })).rejects.toThrow(
      /build the project first/,
    );
  });
});

describe('switchboard rbac', () => {
  it('grants what the controller reconciles, owns and watches, and leader election, with no wildcards', () => {
    expect(rbacRules(widgets)).toEqual([
      {
        apiGroups: [''],
        resources: ['configmaps'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
      },
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
      },
      {
        apiGroups: ['example.com'],
        resources: ['widgets'],
        verbs: ['get', 'list', 'watch', 'update', 'patch'],
      },
      { apiGroups: ['example.com'], resources: ['widgets/finalizers'], verbs: ['update'] },
      { apiGroups: ['example.com'], resources: ['widgets/status'], verbs: ['get', 'update', 'patch'] },
    ]);
  });

  it('adds declared extra rules and events written through an EventRecorder', async () => {
    const { EventRecorder } = await import('@switchboard/core');
    const op: OperatorDescription = {
      ...widgets,
      controllers(host) {
        widgets.controllers(host);
        new EventRecorder(host.client, { reportingController: 'example.com/widgets' });
      },
      rbac: {
        leaderElection: false,
        rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['creds'] }],
      },
    };
    const rules = rbacRules(op);
    expect(rules).toContainEqual({
      apiGroups: ['events.k8s.io'],
      resources: ['events'],
      verbs: ['create', 'patch'],
    });
    expect(rules).toContainEqual({
      apiGroups: [''],
      resources: ['secrets'],
      verbs: ['get'],
      resourceNames: ['creds'],
    });
    expect(rules.some((r) => r.resources.includes('leases'))).toBe(false);
  });

  it('--check fails until written, and again once a controller needs more', async () => {
    await expect(rbacCommand({ module, out: dir, check: true })).rejects.toThrow(/role\.yaml: missing/);
    await rbacCommand({ module, out: dir, write: true });
    await expect(rbacCommand({ module, out: dir, check: true })).resolves.toBeUndefined();
    const grown: OperatorDescription = {
      ...widgets,
      controllers(host) {
        widgets.controllers(host);
        new ControllerBuilder(host)
          .named('gadgets')
          .for({ apiVersion: 'example.com/v1', kind: 'Gadget' })
          .owns({ apiVersion: 'apps/v1', kind: 'Deployment' })
          .build(() => undefined);
      },
    };
    expect(staleFiles(dir, rbacFiles(grown))).toEqual([{ path: join(dir, 'role.yaml'), problem: 'differs' }]);
  });
});
