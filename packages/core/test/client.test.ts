// The resource client against the real API server: CRUD, patches, server-side
// apply with two field managers, the status subresource of a custom resource,
// pagination, discovery and typed errors.
import { createTestNamespace, eventually, testKubeConfig } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';
import { AlreadyExistsError, Client, ConflictError, InvalidError, NotFoundError } from '@switchboard/core';
import type { KubeObject } from '@switchboard/core';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}
interface CustomResourceDefinition extends KubeObject {
  spec: Record<string, unknown>;
}
interface Widget extends KubeObject {
  spec?: { size?: number };
  status?: { ready?: number };
}

const CM = { apiVersion: 'v1', kind: 'ConfigMap' };
const WIDGET = { apiVersion: 'test.switchboard.dev/v1', kind: 'Widget' };

let client: Client;
let ns: TestNamespace;

beforeAll(async () => {
  const kc = testKubeConfig();
  client = Client.fromKubeConfig(kc, { fieldManager: 'core-client-test' });
  ns = await createTestNamespace(kc, 'core-client');
  await deleteWidgetCrd(); // a leftover of an interrupted run would hide the discovery check
});
afterAll(async () => {
  await ns.delete();
  await deleteWidgetCrd();
  client.close();
});

async function deleteWidgetCrd(): Promise<void> {
  const crds = client.resource({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' });
  const key = { name: 'widgets.test.switchboard.dev' };
  await crds.delete(key).catch(() => undefined);
  await eventually(
    () =>
      crds.get(key).then(
        () => Promise.reject(new Error('CRD still there')),
        () => undefined,
      ),
    {
      timeout: 60_000,
    },
  );
}

describe('ResourceClient', () => {
  it('creates, reads, updates, patches and deletes a ConfigMap, with typed errors naming verb, resource and key', async () => {
    const cms = client.resource<ConfigMap>(CM);
    const key = { namespace: ns.name, name: 'crud' };
    const created = await cms.create({ metadata: { ...key }, data: { a: '1' } });
    expect(created.metadata.uid).toBeDefined();
    await expect(cms.create({ metadata: { ...key } })).rejects.toBeInstanceOf(AlreadyExistsError);

    const updated = await cms.update({ ...created, data: { a: '2' } });
    await expect(cms.update({ ...created, data: { a: 'stale' } })).rejects.toBeInstanceOf(ConflictError);

    const merged = await cms.patch(key, { type: 'merge', body: { data: { b: '3' } } });
    expect(merged.data).toEqual({ a: '2', b: '3' });
    const jsonPatched = await cms.patch(key, {
      type: 'json',
      ops: [
        { op: 'test', path: '/data/a', value: '2' },
        { op: 'remove', path: '/data/a' },
      ],
    });
    expect(jsonPatched.data).toEqual({ b: '3' });
    const strategic = await cms.patch(key, { type: 'strategic', body: { data: { c: '4' } } });
    expect(strategic.data).toEqual({ b: '3', c: '4' });

    await expect(
      cms.delete(key, { preconditions: { resourceVersion: updated.metadata.resourceVersion } }),
    ).rejects.toBeInstanceOf(ConflictError);
    await cms.delete(key);
    const err: unknown = await cms.get(key).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ verb: 'get', resource: 'configmaps', key, code: 404, reason: 'NotFound' });
  });

  it('refuses a delete whose uid precondition names an earlier object of the same name', async () => {
    const cms = client.resource<ConfigMap>(CM);
    const key = { namespace: ns.name, name: 'recreated' };
    const first = await cms.create({ metadata: { ...key } });
    await cms.delete(key, { preconditions: { uid: first.metadata.uid } });
    const second = await cms.create({ metadata: { ...key } });
    await expect(cms.delete(key, { preconditions: { uid: first.metadata.uid } })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect((await cms.get(key)).metadata.uid).toBe(second.metadata.uid);
    // A merge patch carrying a resourceVersion is refused the same way once the object moved on.
    const moved = await cms.patch(key, { type: 'merge', body: { data: { a: '1' } } });
    await expect(
      cms.patch(key, {
        type: 'merge',
        body: { metadata: { resourceVersion: second.metadata.resourceVersion }, data: { a: '2' } },
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await cms.get(key)).metadata.resourceVersion).toBe(moved.metadata.resourceVersion);
  });

  it('reports invalid objects with their field causes', async () => {
    const err: unknown = await client
      .resource<ConfigMap>(CM)
      .create({ metadata: { name: 'Not_A_Valid_Name', namespace: ns.name } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidError);
    expect((err as InvalidError).causes.map((c) => c.field)).toContain('metadata.name');
  });

  it('surfaces a server-side apply conflict between two field managers as ConflictError, and succeeds with force', async () => {
    const cms = client.resource<ConfigMap>(CM);
    const base = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa', namespace: ns.name } };
    await cms.apply({ ...base, data: { owner: 'alice' } }, { fieldManager: 'alice' });
    const err: unknown = await cms
      .apply({ ...base, data: { owner: 'bob' } }, { fieldManager: 'bob' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({
      verb: 'patch',
      resource: 'configmaps',
      key: { namespace: ns.name, name: 'ssa' },
    });
    const forced = await cms.apply({ ...base, data: { owner: 'bob' } }, { fieldManager: 'bob', force: true });
    expect(forced.data).toEqual({ owner: 'bob' });
    expect(forced.metadata.managedFields?.map((f) => f.manager)).toContain('bob');
  });

  it('lists in pages with label selectors', async () => {
    const cms = client.resource<ConfigMap>(CM);
    await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        cms.create({
          metadata: { name: `page-${i}`, namespace: ns.name, labels: { set: i % 2 === 0 ? 'even' : 'odd' } },
        }),
      ),
    );
    const pages: number[] = [];
    for await (const page of cms.listPages({ namespace: ns.name, labelSelector: 'set', limit: 3 }))
      pages.push(page.items.length);
    expect(pages).toEqual([3, 3, 1]);
    const even = await cms.listAll({ namespace: ns.name, labelSelector: 'set=even', limit: 2 });
    expect(even.items.map((i) => i.metadata.name).sort()).toEqual(['page-0', 'page-2', 'page-4', 'page-6']);
    expect(even.metadata.resourceVersion).toBeDefined();
  });

  it('maps kinds through discovery, picks up a CRD installed later, and serves its status subresource', async () => {
    const crds = client.resource<CustomResourceDefinition>({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
    });
    const widgets = client.resource<Widget>(WIDGET);
    await expect(widgets.resource()).rejects.toBeInstanceOf(NotFoundError);
    await crds.apply({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.test.switchboard.dev' },
      spec: {
        group: 'test.switchboard.dev',
        names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    });
    const resource = await eventually(() => widgets.resource(), { timeout: 30_000 });
    expect(resource).toMatchObject({ name: 'widgets', namespaced: true, subresources: ['status'] });

    const key = { namespace: ns.name, name: 'w1' };
    const w = await eventually(() => widgets.create({ metadata: { ...key }, spec: { size: 3 } }), {
      timeout: 30_000,
    });
    const withStatus = await widgets.status.update({ ...w, spec: { size: 99 }, status: { ready: 2 } });
    expect(withStatus.status).toEqual({ ready: 2 });
    expect(withStatus.spec).toEqual({ size: 3 }); // the status subresource ignores spec
    const patched = await widgets.status.patch(key, { type: 'merge', body: { status: { ready: 3 } } });
    expect(patched.status).toEqual({ ready: 3 });
    const applied = await widgets.status.apply(
      { ...WIDGET, metadata: key, status: { ready: 4 } },
      { force: true },
    );
    expect(applied.status).toEqual({ ready: 4 });
    expect((await widgets.status.get(key)).status).toEqual({ ready: 4 });
  });
});
