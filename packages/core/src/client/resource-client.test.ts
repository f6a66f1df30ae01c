import { Client } from './client.js';
import { TooManyRequestsError } from './errors.js';
import type { HttpRequest, HttpResponse, HttpStreamResponse, Transport } from './transport.js';

/** Answers each request with the next scripted response. */
class ScriptedTransport implements Transport {
  readonly seen: HttpRequest[] = [];
  constructor(private readonly answers: { status: number; body?: unknown; retryAfter?: string }[]) {}
  request(req: HttpRequest): Promise<HttpResponse> {
    this.seen.push(req);
    const a = this.answers.shift() ?? { status: 500 };
    return Promise.resolve({
      status: a.status,
      body: a.body,
      header: (n) => (n === 'retry-after' ? a.retryAfter : undefined),
    });
  }
  stream(): Promise<HttpStreamResponse> {
    return Promise.reject(new Error('not scripted'));
  }
}

function clientOver(transport: Transport): Client {
  const client = new Client(transport, { fieldManager: 'unit' });
  client.discovery.register({
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    name: 'configmaps',
    namespaced: true,
    verbs: [],
    subresources: [],
  });
  return client;
}

const throttled = {
  status: 429,
  body: { kind: 'Status', reason: 'TooManyRequests', code: 429 },
  retryAfter: '0',
};
const key = { namespace: 'ns', name: 'a' };

describe('HttpResourceClient', () => {
  it('retries after 429 Too Many Requests, honouring Retry-After', async () => {
    const t = new ScriptedTransport([
      throttled,
      throttled,
      { status: 200, body: { metadata: { name: 'a' } } },
    ]);
    const got = await clientOver(t).resource({ apiVersion: 'v1', kind: 'ConfigMap' }).get(key);
    expect(got.metadata.name).toBe('a');
    expect(t.seen).toHaveLength(3);
  });

  it('surfaces TooManyRequestsError once the retries are used up', async () => {
    const t = new ScriptedTransport([throttled, throttled, throttled, throttled, throttled]);
    await expect(
      clientOver(t).resource({ apiVersion: 'v1', kind: 'ConfigMap' }).get(key),
    ).rejects.toBeInstanceOf(TooManyRequestsError);
    expect(t.seen).toHaveLength(4);
  });

  it('builds apply requests with the field manager, force and the apply content type', async () => {
    const t = new ScriptedTransport([{ status: 200, body: {} }]);
    await clientOver(t)
      .resource({ apiVersion: 'v1', kind: 'ConfigMap' })
      .apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: key }, { force: true });
    expect(t.seen[0]).toMatchObject({
      method: 'PATCH',
      path: '/api/v1/namespaces/ns/configmaps/a',
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'unit', force: true },
    });
  });
});
