/**
 * An events.k8s.io/v1 event recorder with aggregation of repeats.
 *
 * Guarantees: the first occurrence of an event creates an Event object;
 * repeats of the same (object, type, reason, action, note) within the
 * aggregation window update that object's `series` (count, last observed
 * time) instead of creating new ones.
 *
 * Caveats: recording is best effort. Failures are logged, never thrown,
 * because an event is never worth failing a reconcile for. The aggregation
 * state is in memory, per recorder; a restart starts new series.
 */
import type { Client, KubeObject, ResourceClient } from '../client/index.js';
import { NotFoundError } from '../client/index.js';
import type { Logger } from '../logging/index.js';
import { silentLogger } from '../logging/index.js';

/** Normal or Warning, as in `kubectl get events`. */
export type EventType = 'Normal' | 'Warning';

/** What to record about an object. */
export interface EventInput {
  type: EventType;
  /** CamelCase why, e.g. `ConfigMapCreated`. */
  reason: string;
  /** CamelCase what the controller did or failed to do, e.g. `Reconcile`. */
  action: string;
  /** Human-readable detail (at most 1 kB is kept). */
  note?: string;
  /** A second object the event is about (e.g. the child created). */
  related?: KubeObject;
}

/** An object reference (core/v1 ObjectReference) as used by events. */
export interface EventObjectReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

/** events.k8s.io/v1 Event, the fields we write. */
export interface KubeEvent extends KubeObject {
  eventTime: string;
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  type: EventType;
  note?: string;
  regarding: EventObjectReference;
  related?: EventObjectReference;
  series?: { count: number; lastObservedTime: string };
}

/** Options of {@link EventRecorder}. */
export interface EventRecorderOptions {
  /** Controller name as `reportingController`, e.g. `example.com/widget-operator`. */
  reportingController: string;
  /** This replica's identity (pod name). Default the host name. */
  reportingInstance?: string;
  /** Window in ms in which repeats join a series. Default 6 minutes (client-go's). */
  windowMs?: number;
  /** Most distinct series remembered; the oldest is forgotten first. Default 4096. */
  maxSeries?: number;
  /** Time source. Default `() => new Date()`. */
  now?: () => Date;
  logger?: Logger;
}

interface Series {
  name: string;
  namespace: string;
  count: number;
  firstSeen: number;
}

/** MicroTime: RFC 3339 with exactly six fractional digits, as the API requires. */
function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function reference(obj: KubeObject): EventObjectReference {
  const m = obj.metadata;
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: m.name,
    namespace: m.namespace,
    uid: m.uid,
    resourceVersion: m.resourceVersion,
  };
}

/**
 * Records events about objects.
 *
 * @example
 * const events = new EventRecorder(client, { reportingController: 'example.com/widgets' });
 * await events.record(widget, { type: 'Normal', reason: 'Created', action: 'Reconcile', note: 'made ConfigMap' });
 */
export class EventRecorder {
  private readonly events: ResourceClient<KubeEvent>;
  private readonly series = new Map<string, Series>();
  private readonly reportingInstance: string;
  private readonly windowMs: number;
  private readonly maxSeries: number;
  private readonly now: () => Date;
  private readonly log: Logger;

  constructor(
    client: Client,
    private readonly opts: EventRecorderOptions,
  ) {
    this.events = client.resource<KubeEvent>({ apiVersion: 'events.k8s.io/v1', kind: 'Event' });
    this.reportingInstance = opts.reportingInstance ?? process.env['HOSTNAME'] ?? 'unknown';
    this.windowMs = opts.windowMs ?? 6 * 60_000;
    this.maxSeries = opts.maxSeries ?? 4096;
    this.now = opts.now ?? ((): Date => new Date());
    this.log = opts.logger ?? silentLogger;
  }

  /** Records one occurrence. Never rejects. */
  async record(regarding: KubeObject, input: EventInput): Promise<void> {
    const note = (input.note ?? '').slice(0, 1024);
    const ref = reference(regarding);
    const id = JSON.stringify([
      ref.uid ?? `${ref.kind}/${ref.namespace}/${ref.name}`,
      input.type,
      input.reason,
      input.action,
      note,
    ]);
    const now = this.now();
    try {
      const known = this.series.get(id);
      if (known !== undefined && now.getTime() - known.firstSeen < this.windowMs) {
        known.count++;
        if (await this.bump(known, now)) return;
      }
      await this.create(id, ref, input, note, now);
    } catch (err) {
      this.log.warn('could not record event', {
        err: err instanceof Error ? err : String(err),
        reason: input.reason,
        object: `${ref.kind}/${ref.name}`,
      });
    }
  }

  private async bump(s: Series, now: Date): Promise<boolean> {
    try {
      await this.events.patch(
        { namespace: s.namespace, name: s.name },
        { type: 'merge', body: { series: { count: s.count, lastObservedTime: microTime(now) } } },
      );
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false; // expired (events have a TTL): start a new one
      throw err;
    }
  }

  private async create(
    id: string,
    ref: EventObjectReference,
    input: EventInput,
    note: string,
    now: Date,
  ): Promise<void> {
    const namespace = ref.namespace ?? 'default';
    const name = `${ref.name ?? 'object'}.${now.getTime().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`;
    await this.events.create({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace },
      eventTime: microTime(now),
      reportingController: this.opts.reportingController,
      reportingInstance: this.reportingInstance,
      action: input.action,
      reason: input.reason,
      type: input.type,
      note,
      regarding: ref,
      ...(input.related === undefined ? {} : { related: reference(input.related) }),
    });
    this.series.delete(id);
    this.series.set(id, { name, namespace, count: 1, firstSeen: now.getTime() });
    if (this.series.size > this.maxSeries) {
      const oldest = this.series.keys().next();
      if (oldest.done !== true) this.series.delete(oldest.value);
    }
  }
}
