/**
 * BatchRunner against a scripted KafkaJS eachBatch payload (no broker): what gets resolved, what is abandoned, how the
 * outage gate meters handler calls, and where undecodable records and outages go. Time is faked or replaced by
 * events (a handler that waits for the test), so nothing depends on the machine's speed.
 */
import { EventEmitter } from 'node:events';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { pino } from 'pino';
import * as prom from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ERROR_BRAND } from '../../../common/errors.js';
import { runtimeConfigFrom, type ProcessorRuntimeConfig } from '../../../processor/config.js';
import { DownstreamUnavailableError, NonRetryableError, RetryableError } from '../../../processor/errors.js';
import type { OutgoingRecord } from '../../../processor/failure-records.js';
import type { HandlerContext, MessageHandler } from '../../../processor/handler.js';
import { createProcessorMetrics } from '../../../processor/metrics.js';
import { Router } from '../../../processor/router.js';
import { BatchRunner, type RecordEvent } from '../../../processor/runner.js';
import {
  Headers,
  RegistryUnavailableError,
  toWebhookRecord,
  UndecodableRecordError,
  type FluentWebhookRecord,
  type WebhookSerde,
} from '../../../schemas/index.js';

const NAME = 'fc.connect.order.webhook.order-status-update';

function config(overrides: Record<string, string> = {}): ProcessorRuntimeConfig {
  return runtimeConfigFrom(
    {
      KAFKA_BROKERS: '127.0.0.1:1',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1',
      TOPIC_WEBHOOKS: 'unit.webhooks',
      CONSUMER_GROUP_ID: 'unit',
      RETRY_DELAYS: '1s',
      ...overrides,
    },
    {
      // Below the env minimums, to keep fake-time rounds short.
      heartbeatIntervalMs: 20,
      pause: { initialBackoffMs: 30, maxBackoffMs: 60 },
    },
  );
}

/** Values are the event id; the fake serde maps them back to records. */
function recordFor(id: string, key: string, name = NAME): FluentWebhookRecord {
  const payload = { id, name, accountId: 'A', retailerId: '1', entityId: id, entityRef: key, entityType: 'ORDER' };
  return toWebhookRecord(payload, { rawBody: Buffer.from(JSON.stringify(payload)), receivedAt: 0 });
}

type Decode = (value: Buffer | null) => Promise<FluentWebhookRecord>;

interface Harness {
  runner: BatchRunner;
  events: RecordEvent[];
  produced: OutgoingRecord[];
  /** Every other event the runner emitted ('paused', 'resumed'), and its fatal reports ('fatal'), in order. */
  signals: { name: string; payload: unknown }[];
  emitter: EventEmitter;
  metrics: prom.Registry;
  stop(): void;
}

interface HarnessOptions {
  cfg?: ProcessorRuntimeConfig;
  decode?: Decode;
  /** Default: every produce is acknowledged at once. */
  produce?: (record: OutgoingRecord) => Promise<void>;
}

const runners: BatchRunner[] = [];
afterEach(() => {
  for (const r of runners.splice(0)) r.abortInFlight();
  vi.useRealTimers();
});

function harness(
  handlers: Record<string, MessageHandler>,
  records: FluentWebhookRecord[],
  options: HarnessOptions = {},
): Harness {
  const byId = new Map(records.map((r) => [r.id, r]));
  const decode: Decode =
    options.decode ??
    (async (buf) => {
      await Promise.resolve();
      return byId.get(buf!.toString())!;
    });
  const serde = { decode } as unknown as WebhookSerde;
  const router = new Router();
  for (const [name, h] of Object.entries(handlers)) router.registerHandler(name, h);
  const emitter = new EventEmitter();
  const events: RecordEvent[] = [];
  emitter.on('record', (e: RecordEvent) => events.push(e));
  const signals: { name: string; payload: unknown }[] = [];
  for (const name of ['paused', 'resumed']) {
    emitter.on(name, (payload: unknown) => signals.push({ name, payload }));
  }
  const produced: OutgoingRecord[] = [];
  const produce = options.produce ?? ((record: OutgoingRecord) => (produced.push(record), Promise.resolve()));
  const metrics = new prom.Registry();
  const runner = new BatchRunner({
    config: options.cfg ?? config(),
    router,
    serde,
    logger: pino({ level: 'silent' }),
    metrics: createProcessorMetrics(metrics),
    produce,
    events: emitter,
    onFatal: (reason) => signals.push({ name: 'fatal', payload: reason }),
  });
  runners.push(runner);
  return { runner, events, produced, signals, emitter, metrics, stop: () => runner.beginStop() };
}

interface FakeBatch {
  payload: EachBatchPayload;
  resolved: string[];
  /** Times the partition was paused, and how often the runner resumed it. */
  pauses: number;
  resumes: number;
  /** Makes every later heartbeat fail as during a rebalance. */
  rebalance(): void;
}

interface BatchOptions {
  firstOffset?: number;
  partition?: number;
  /** Extra headers of the i-th record. */
  headers?: (i: number) => Record<string, string>;
  /** Replaces the payload's heartbeat (default: succeeds, or fails as in a rebalance after `rebalance()`). */
  heartbeat?: () => Promise<void>;
}

function batchOf(topic: string, records: { id: string; key: string }[], options: BatchOptions = {}): FakeBatch {
  const { firstOffset = 0, partition = 0 } = options;
  const fake = { resolved: [] as string[], pauses: 0, resumes: 0 };
  let rebalancing = false;
  const messages = records.map((r, i): KafkaMessage => ({
    key: Buffer.from(r.key),
    value: Buffer.from(r.id),
    timestamp: '0',
    attributes: 0,
    offset: String(firstOffset + i),
    headers: { [Headers.messageName]: NAME, [Headers.eventId]: r.id, ...options.headers?.(i) },
  }));
  const heartbeat =
    options.heartbeat ??
    (() =>
      rebalancing
        ? Promise.reject(
            Object.assign(new Error('The group is rebalancing, so a rejoin is needed'), {
              type: 'REBALANCE_IN_PROGRESS',
            }),
          )
        : Promise.resolve());
  const payload = {
    batch: {
      topic,
      partition,
      highWatermark: String(firstOffset + records.length),
      messages,
    },
    resolveOffset: (offset: string) => void fake.resolved.push(offset),
    heartbeat,
    commitOffsetsIfNecessary: () => Promise.resolve(),
    isRunning: () => true,
    isStale: () => false,
    pause: () => {
      fake.pauses++;
      return () => void fake.resumes++;
    },
  } as unknown as EachBatchPayload;
  return Object.assign(fake, { payload, rebalance: () => (rebalancing = true) });
}

/** A handler that returns only when the test releases it, and tells the test when it has started. */
function heldHandler(): { handler: MessageHandler; calls: string[]; started: Promise<void>; release(): void } {
  const calls: string[] = [];
  let started!: () => void;
  let release!: () => void;
  const startedP = new Promise<void>((r) => (started = r));
  const released = new Promise<void>((r) => (release = r));
  return {
    calls,
    started: startedP,
    release,
    handler: {
      name: 'held',
      async handle(ctx: HandlerContext) {
        calls.push(ctx.record.id);
        started();
        await released;
        return { status: 'applied' };
      },
    },
  };
}

/** Advances fake time in small steps until `promise` settles (the keep-alive interval never lets timers run dry). */
async function settle<T>(promise: Promise<T>, stepMs = 10, maxMs = 60_000): Promise<T> {
  let done = false;
  void promise.finally(() => (done = true)).catch(() => undefined);
  for (let t = 0; !done && t < maxMs; t += stepMs) await vi.advanceTimersByTimeAsync(stepMs);
  return promise;
}

/** Advances fake time in steps for up to `maxMs`; whether `promise` settled by then (it may never). */
async function settlesWithin(promise: Promise<unknown>, maxMs: number, stepMs = 10): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let t = 0; !done && t < maxMs; t += stepMs) await vi.advanceTimersByTimeAsync(stepMs);
  return done;
}

async function counterValue(registry: prom.Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return Number(value?.value ?? 0);
}

describe('BatchRunner', () => {
  it('on stop, abandons records of the batch whose handler has not started instead of working off the backlog', async () => {
    const input = Array.from({ length: 20 }, (_, i) => ({ id: `e${i}`, key: 'ORDER-1' }));
    const held = heldHandler();
    const h = harness(
      { [NAME]: held.handler },
      input.map((r) => recordFor(r.id, r.key)),
    );
    const fake = batchOf('unit.webhooks', input);
    const running = h.runner.eachBatch(fake.payload);
    await held.started; // e0 is in its handler
    h.stop();
    held.release();
    await running;
    expect(held.calls).toEqual(['e0']); // the one in flight finishes; nothing new starts
    expect(fake.resolved).toEqual(['0']);
    expect(h.events.filter((e) => e.outcome === 'abandoned')).toHaveLength(19);
  });

  it('when the group rebalances mid-batch, stops starting records so the member can rejoin promptly', async () => {
    vi.useFakeTimers();
    const input = Array.from({ length: 20 }, (_, i) => ({ id: `e${i}`, key: 'ORDER-1' }));
    const held = heldHandler();
    const h = harness(
      { [NAME]: held.handler },
      input.map((r) => recordFor(r.id, r.key)),
    );
    const fake = batchOf('unit.webhooks', input);
    const running = h.runner.eachBatch(fake.payload);
    await held.started;
    fake.rebalance();
    await vi.advanceTimersByTimeAsync(20); // the next keep-alive heartbeat learns of it
    held.release();
    await running;
    expect(held.calls).toEqual(['e0']);
    expect(fake.resolved).toEqual(['0']); // exactly the handled prefix
    expect(h.events.filter((e) => e.outcome === 'abandoned')).toHaveLength(19);
  });

  it('keeps the half-open gate to one downstream call even when the probe is a record that has not decoded yet', async () => {
    vi.useFakeTimers();
    const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    let down = true;
    let active = 0;
    let maxActiveWhileDown = 0;
    const callsWhileDown: string[] = [];
    const downstream: MessageHandler = {
      name: 'downstream',
      async handle(ctx) {
        active++;
        if (down) {
          callsWhileDown.push(ctx.record.id);
          maxActiveWhileDown = Math.max(maxActiveWhileDown, active);
        }
        await wait(5);
        active--;
        if (down) throw new DownstreamUnavailableError('commercetools', '503');
        return { status: 'applied' };
      },
    };
    // D1 finds the registry unavailable (the gate closes) and waits at the gate before decoding; A1 decodes and waits
    // before its handler. D1 waited first, so it is the first half-open probe: a record that has not decoded yet.
    // Decoding it says nothing about the downstream, so it must carry the probe into its handler call rather than
    // open the gate for everyone (A1's call would then hit the downstream concurrently).
    const records = [recordFor('A1', 'A'), recordFor('D1', 'D')];
    let registryFailures = 1;
    const decode: Decode = async (buf) => {
      const id = buf!.toString();
      if (id === 'D1' && registryFailures-- > 0) throw new RegistryUnavailableError('schema registry unavailable');
      await Promise.resolve();
      return records.find((r) => r.id === id)!;
    };
    const h = harness({ [NAME]: downstream }, records, { decode });
    const fake = batchOf('unit.webhooks', [
      { id: 'A1', key: 'A' },
      { id: 'D1', key: 'D' },
    ]);
    const running = h.runner.eachBatch(fake.payload);
    await vi.advanceTimersByTimeAsync(300); // several pause / probe rounds
    expect(callsWhileDown[0]).toBe('D1'); // the not-yet-decoded record was the first probe
    expect(callsWhileDown.length).toBeGreaterThan(2);
    down = false;
    await settle(running);
    expect(maxActiveWhileDown).toBe(1);
    expect(await counterValue(h.metrics, 'fc_processor_pauses_total', { reason: 'registry-unavailable' })).toBe(1);
    expect(fake.resolved.at(-1)).toBe('1');
    expect(h.produced).toEqual([]); // an outage waits in place: nothing goes to a retry tier
  });

  it('pauses for an outage error from another copy of the error module (decided by its brand, not its class)', async () => {
    vi.useFakeTimers();
    let failures = 1;
    const foreignOutage = Object.assign(new Error('fluent: cannot connect'), {
      [ERROR_BRAND]: true,
      code: 'DOWNSTREAM_UNAVAILABLE',
      retriable: true,
      outage: true,
    });
    const handler: MessageHandler = {
      name: 'plugin',
      handle: () => (failures-- > 0 ? Promise.reject(foreignOutage) : Promise.resolve({ status: 'applied' })),
    };
    const h = harness({ [NAME]: handler }, [recordFor('P1', 'P')]);
    const fake = batchOf('unit.webhooks', [{ id: 'P1', key: 'P' }]);
    await settle(h.runner.eachBatch(fake.payload));
    expect(fake.resolved).toEqual(['0']);
    expect(h.events.map((e) => e.outcome)).toEqual(['applied']);
    expect(await counterValue(h.metrics, 'fc_processor_pauses_total', { reason: 'downstream-unavailable' })).toBe(1);
  });

  it('sends a retriable failure that is not an outage to the next retry tier, whatever its details say', async () => {
    const handler: MessageHandler = {
      name: 'flaky',
      handle: () => Promise.reject(new RetryableError('HTTP 500', { details: { transient: false } })),
    };
    const h = harness({ [NAME]: handler }, [recordFor('R1', 'R')]);
    const fake = batchOf('unit.webhooks', [{ id: 'R1', key: 'R' }]);
    await h.runner.eachBatch(fake.payload);
    expect(h.produced.map((r) => r.topic)).toEqual(['unit.webhooks.retry.1']);
    expect(h.events[0]).toMatchObject({ outcome: 'retried', errorClass: 'RETRYABLE', attempt: 1 });
  });
});

describe('BatchRunner decode step', () => {
  it('dead-letters an undecodable record at once, named by its headers, and goes on with the batch', async () => {
    const good = recordFor('G1', 'K');
    const decode: Decode = (buf) =>
      buf!.toString() === 'BAD'
        ? Promise.reject(new UndecodableRecordError('value is not a schema-registry framed record'))
        : Promise.resolve(good);
    const handled: string[] = [];
    const handler: MessageHandler = {
      name: 'h',
      handle: (ctx) => (handled.push(ctx.record.id), Promise.resolve({ status: 'applied' })),
    };
    const h = harness({ [NAME]: handler }, [good], { decode });
    const fake = batchOf('unit.webhooks', [
      { id: 'BAD', key: 'K' },
      { id: 'G1', key: 'K' },
    ]);
    await h.runner.eachBatch(fake.payload);
    expect(fake.resolved).toEqual(['0', '1']);
    expect(handled).toEqual(['G1']);
    expect(h.produced).toHaveLength(1);
    expect(h.produced[0]!.topic).toBe('unit.webhooks.dlq');
    expect(h.produced[0]!.headers[Headers.errorClass]).toBe('UNDECODABLE_RECORD');
    expect(h.events[0]).toMatchObject({ outcome: 'dead-lettered', messageName: NAME, eventId: 'BAD' });
    expect(await counterValue(h.metrics, 'fc_processor_dead_letters_total', { reason: 'undecodable' })).toBe(1);
  });

  it('pauses while the registry is unavailable and decodes the same record again in place', async () => {
    vi.useFakeTimers();
    const record = recordFor('W1', 'W');
    let unavailable = 2;
    const decode: Decode = () =>
      unavailable-- > 0
        ? Promise.reject(new RegistryUnavailableError('schema registry unavailable while decoding'))
        : Promise.resolve(record);
    const handler: MessageHandler = { name: 'h', handle: () => Promise.resolve({ status: 'applied' as const }) };
    const h = harness({ [NAME]: handler }, [record], { decode });
    const fake = batchOf('unit.webhooks', [{ id: 'W1', key: 'W' }]);
    const running = h.runner.eachBatch(fake.payload);
    await settle(running);
    expect(fake.resolved).toEqual(['0']);
    expect(h.produced).toEqual([]);
    expect(h.events.map((e) => e.outcome)).toEqual(['applied']);
    expect(await counterValue(h.metrics, 'fc_processor_pauses_total', { reason: 'registry-unavailable' })).toBe(2);
    expect(h.runner.gate.isOpen).toBe(true);
  });

  it('abandons a record waiting for the registry when the batch stops', async () => {
    vi.useFakeTimers();
    const decode: Decode = () => Promise.reject(new RegistryUnavailableError('down'));
    const h = harness({ [NAME]: { name: 'h', handle: () => Promise.resolve({ status: 'applied' as const }) } }, [], {
      decode,
    });
    const fake = batchOf('unit.webhooks', [{ id: 'S1', key: 'S' }]);
    const running = h.runner.eachBatch(fake.payload);
    await vi.advanceTimersByTimeAsync(0);
    h.stop();
    await settle(running);
    expect(fake.resolved).toEqual([]);
    expect(h.events.map((e) => e.outcome)).toEqual(['abandoned']);
  });
});

describe('BatchRunner decode step, malformed records', () => {
  it('dead-letters malformed records at once without pausing, and handles the records of other keys behind them', async () => {
    vi.useFakeTimers();
    const good = ['G1', 'G2', 'G3', 'G4', 'G5'].map((id, i) => recordFor(id, `ORDER-${i}`));
    const malformed = new Map<string, FluentWebhookRecord>([
      ['M1', { ...recordFor('M1', 'M'), extraJson: 'null' }],
      ['M2', { ...recordFor('M2', 'M'), extraJson: '[1]' }],
    ]);
    const decode: Decode = async (buf) => {
      const id = buf!.toString();
      await Promise.resolve();
      // A library surprise while reading a malformed record: not the registry's fault.
      if (id === 'M3') throw new TypeError("Cannot read properties of undefined (reading 'length')");
      return malformed.get(id) ?? good.find((r) => r.id === id)!;
    };
    const handled: string[] = [];
    const handler: MessageHandler = {
      name: 'h',
      handle: (ctx) => (handled.push(ctx.record.id), Promise.resolve({ status: 'applied' })),
    };
    const h = harness({ [NAME]: handler }, good, { decode });
    const fake = batchOf('unit.webhooks', [
      { id: 'M1', key: 'M' },
      { id: 'M2', key: 'M' },
      { id: 'M3', key: 'M' },
      ...good.map((r) => ({ id: r.id, key: r.entityRef })),
    ]);
    expect(await settlesWithin(h.runner.eachBatch(fake.payload), 1_000)).toBe(true);
    expect(handled.sort()).toEqual(['G1', 'G2', 'G3', 'G4', 'G5']);
    expect(h.signals.filter((s) => s.name === 'paused')).toEqual([]);
    expect(h.produced.map((r) => [r.topic, r.headers[Headers.eventId], r.headers[Headers.errorClass]])).toEqual([
      ['unit.webhooks.dlq', 'M1', 'UNDECODABLE_RECORD'],
      ['unit.webhooks.dlq', 'M2', 'UNDECODABLE_RECORD'],
      ['unit.webhooks.dlq', 'M3', 'UNDECODABLE_RECORD'],
    ]);
    expect(fake.resolved.at(-1)).toBe('7');
  });
});

describe('BatchRunner retry/DLQ produce', () => {
  const failingHandler: MessageHandler = {
    name: 'failing',
    handle: () => Promise.reject(new RetryableError('HTTP 500')),
  };

  it('abandons a record whose retry produce keeps failing once the batch halts, instead of retrying until shutdown', async () => {
    vi.useFakeTimers();
    let attempts = 0;
    const produce = (): Promise<void> => (attempts++, Promise.reject(new Error('Connection timeout')));
    const h = harness({ [NAME]: failingHandler }, [recordFor('R1', 'R')], { produce });
    const fake = batchOf('unit.webhooks', [{ id: 'R1', key: 'R' }]);
    const running = h.runner.eachBatch(fake.payload);
    await vi.advanceTimersByTimeAsync(2_000); // a few transient failures, retried with backoff
    expect(attempts).toBeGreaterThan(1);
    fake.rebalance();
    expect(await settlesWithin(running, 1_000)).toBe(true);
    expect(fake.resolved).toEqual([]);
    expect(h.events.map((e) => e.outcome)).toEqual(['abandoned']);
    expect(h.runner.healthy).toBe(true); // a transient failure is not fatal
  });

  it('does not retry a DLQ produce the broker refuses for good: abandons the record, pauses its partition, turns unhealthy once', async () => {
    vi.useFakeTimers();
    const refused = Object.assign(new Error('Not authorized to access topics: [Topic authorization failed]'), {
      name: 'KafkaJSProtocolError',
      type: 'TOPIC_AUTHORIZATION_FAILED',
      retriable: false,
    });
    let attempts = 0;
    const produce = (): Promise<void> => (attempts++, Promise.reject(refused));
    const nonRetryable: MessageHandler = {
      name: 'nr',
      handle: () => Promise.reject(new NonRetryableError('bad mapping')),
    };
    const records = [recordFor('N1', 'N1'), recordFor('N2', 'N2'), recordFor('N3', 'N3')];
    const h = harness({ [NAME]: nonRetryable }, records, { produce });
    const fake = batchOf('unit.webhooks', [
      { id: 'N1', key: 'N1' },
      { id: 'N2', key: 'N2' },
      { id: 'N3', key: 'N3' },
    ]);
    expect(await settlesWithin(h.runner.eachBatch(fake.payload), 1_000)).toBe(true);
    expect(attempts).toBeLessThanOrEqual(3); // one try per record at most: no loop
    expect(fake.resolved).toEqual([]);
    expect(h.events.every((e) => e.outcome === 'abandoned')).toBe(true);
    expect(fake.pauses).toBe(1); // no refetch loop of the same records
    expect(h.runner.healthy).toBe(false);
    const fatal = h.signals.filter((s) => s.name === 'fatal');
    expect(fatal).toHaveLength(1);
    expect(fatal[0]!.payload).toMatch(/unit\.webhooks\.dlq.*authoriz/i);
    expect(h.runner.fatal).toBe(fatal[0]!.payload);
  });
});

describe('BatchRunner retry-tier delays', () => {
  const applied: MessageHandler = { name: 'h', handle: () => Promise.resolve({ status: 'applied' as const }) };
  const dueIn = (ms: number) => () => ({ [Headers.notBefore]: String(Date.now() + ms), [Headers.attempt]: '1' });

  it('pauses a not-due partition on every batch, even with a delay timer set (KafkaJS restarted with fresh pause state)', async () => {
    vi.useFakeTimers();
    const h = harness({ [NAME]: applied }, [recordFor('T1', 'T')]);
    const first = batchOf('unit.webhooks.retry.1', [{ id: 'T1', key: 'T' }], { headers: dueIn(1_000) });
    await h.runner.eachBatch(first.payload);
    // The consumer crashed and restarted: the same record comes again from an unpaused partition.
    const again = batchOf('unit.webhooks.retry.1', [{ id: 'T1', key: 'T' }], { headers: dueIn(900) });
    await h.runner.eachBatch(again.payload);
    expect([first.pauses, again.pauses]).toEqual([1, 1]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect([first.resumes, again.resumes]).toEqual([0, 1]); // one timer, the latest resume
    expect(h.events).toEqual([]);
  });

  it('resumes and forgets delayed partitions on resetDelays (group join, consumer crash)', async () => {
    vi.useFakeTimers();
    const h = harness({ [NAME]: applied }, [recordFor('T1', 'T')]);
    const fake = batchOf('unit.webhooks.retry.1', [{ id: 'T1', key: 'T' }], { headers: dueIn(1_000) });
    await h.runner.eachBatch(fake.payload);
    expect(await counterValue(h.metrics, 'fc_processor_delayed_partitions', {})).toBe(1);
    h.runner.resetDelays();
    expect(fake.resumes).toBe(1);
    expect(await counterValue(h.metrics, 'fc_processor_delayed_partitions', {})).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fake.resumes).toBe(1); // the old timer is gone
  });

  it("never resumes a partition before its record is due, even beyond Node's longest timer (720 h)", async () => {
    vi.useFakeTimers();
    const hour = 3_600_000;
    // RETRY_DELAYS is capped now, but a record written under an older setting (or by hand) may be due that late.
    const h = harness({ [NAME]: applied }, [recordFor('T1', 'T')]);
    const fake = batchOf('unit.webhooks.retry.1', [{ id: 'T1', key: 'T' }], { headers: dueIn(720 * hour) });
    await h.runner.eachBatch(fake.payload);
    await vi.advanceTimersByTimeAsync(10);
    expect(fake.resumes).toBe(0);
    await vi.advanceTimersByTimeAsync(719 * hour);
    expect(fake.resumes).toBe(0);
    await vi.advanceTimersByTimeAsync(hour);
    expect(fake.resumes).toBe(1);
  });
});

describe('BatchRunner keep-alive', () => {
  it('halts the batch when heartbeats keep failing with connection errors for longer than the session timeout', async () => {
    vi.useFakeTimers();
    const input = Array.from({ length: 20 }, (_, i) => ({ id: `e${i}`, key: 'ORDER-1' }));
    const held = heldHandler();
    const h = harness(
      { [NAME]: held.handler },
      input.map((r) => recordFor(r.id, r.key)),
      { cfg: { ...config(), sessionTimeoutMs: 6_000 } },
    );
    const connectionError = Object.assign(new Error('Connection timeout'), { name: 'KafkaJSConnectionError' });
    let failing = false;
    const fake = batchOf('unit.webhooks', input, {
      heartbeat: () => (failing ? Promise.reject(connectionError) : Promise.resolve()),
    });
    const running = h.runner.eachBatch(fake.payload);
    await held.started;
    failing = true;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.events).toEqual([]); // within the session timeout: keep going
    await vi.advanceTimersByTimeAsync(1_100);
    held.release();
    expect(await settlesWithin(running, 1_000)).toBe(true);
    expect(held.calls).toEqual(['e0']);
    expect(fake.resolved).toEqual(['0']);
    expect(h.events.filter((e) => e.outcome === 'abandoned')).toHaveLength(19);
  });

  it('sends a heartbeat at least every interval although KafkaJS skips one asked for too early', async () => {
    vi.useFakeTimers();
    const interval = 20; // config() sets heartbeatIntervalMs to 20
    const held = heldHandler();
    const h = harness({ [NAME]: held.handler }, [recordFor('H1', 'H')]);
    // KafkaJS's heartbeat(): sends only when `interval` has passed since the last request ended (1 ms round trip).
    let lastRequest = Date.now();
    const sent: number[] = [];
    const heartbeat = async (): Promise<void> => {
      if (Date.now() < lastRequest + interval) return;
      await new Promise((r) => setTimeout(r, 1));
      lastRequest = Date.now();
      sent.push(lastRequest);
    };
    const fake = batchOf('unit.webhooks', [{ id: 'H1', key: 'H' }], { heartbeat });
    const running = h.runner.eachBatch(fake.payload);
    await held.started;
    await vi.advanceTimersByTimeAsync(20 * interval);
    held.release();
    await settle(running);
    const gaps = sent.slice(1).map((t, i) => t - sent[i]!);
    expect(sent.length).toBeGreaterThan(10);
    expect(Math.max(...gaps)).toBeLessThan(2 * interval);
  });
});

describe('BatchRunner bookkeeping', () => {
  const applied: MessageHandler = { name: 'h', handle: () => Promise.resolve({ status: 'applied' as const }) };

  it('hands each new assignment to the lag poller, which owns the lag series', () => {
    const assignments: unknown[] = [];
    const runner = new BatchRunner({
      config: config(),
      router: new Router(),
      serde: {} as unknown as WebhookSerde,
      logger: pino({ level: 'silent' }),
      metrics: createProcessorMetrics(new prom.Registry()),
      produce: () => Promise.resolve(),
      events: new EventEmitter(),
      lag: { assigned: (assignment) => void assignments.push(assignment) },
    });
    runner.forgetPartitions({ 'unit.webhooks': [1] });
    expect(assignments).toEqual([{ 'unit.webhooks': [1] }]);
  });

  it('observes end-to-end time from fc-received-at by outcome; records without the header are not observed', async () => {
    const h = harness({ [NAME]: applied }, [recordFor('T1', 'T'), recordFor('T2', 'U')]);
    const receivedAt = Date.now() - 2_000;
    const fake = batchOf(
      'unit.webhooks',
      [
        { id: 'T1', key: 'T' },
        { id: 'T2', key: 'U' },
      ],
      { headers: (i): Record<string, string> => (i === 0 ? { [Headers.receivedAt]: String(receivedAt) } : {}) },
    );
    await h.runner.eachBatch(fake.payload);
    const metric = (await h.metrics.getMetricsAsJSON()).find(
      (m) => m.name === 'fc_processor_end_to_end_duration_seconds',
    );
    const series = (suffix: string) =>
      metric?.values.find(
        (v) => (v as { metricName?: string }).metricName?.endsWith(suffix) && v.labels.outcome === 'applied',
      );
    const count = series('_count');
    const sum = series('_sum');
    expect(count?.value).toBe(1);
    expect(sum?.value).toBeGreaterThanOrEqual(2);
    expect(sum?.value).toBeLessThan(10);
  });

  it("keeps a record's outcome when a 'record' listener throws", async () => {
    const h = harness({ [NAME]: applied }, [recordFor('X1', 'X')]);
    h.emitter.on('record', () => {
      throw new Error('listener bug');
    });
    const fake = batchOf('unit.webhooks', [{ id: 'X1', key: 'X' }]);
    await h.runner.eachBatch(fake.payload);
    expect(fake.resolved).toEqual(['0']);
    expect(h.events.map((e) => e.outcome)).toEqual(['applied']);
    expect(h.produced).toEqual([]);
  });
});
