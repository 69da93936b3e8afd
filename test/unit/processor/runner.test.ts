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
import { DownstreamUnavailableError, RetryableError } from '../../../processor/errors.js';
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
const OTHER = 'fc.test.other';

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
  metrics: prom.Registry;
  stop(): void;
}

const runners: BatchRunner[] = [];
afterEach(() => {
  for (const r of runners.splice(0)) r.abortInFlight();
  vi.useRealTimers();
});

function harness(
  handlers: Record<string, MessageHandler>,
  records: FluentWebhookRecord[],
  options: { cfg?: ProcessorRuntimeConfig; decode?: Decode } = {},
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
  const produced: OutgoingRecord[] = [];
  const metrics = new prom.Registry();
  const runner = new BatchRunner({
    config: options.cfg ?? config(),
    router,
    serde,
    logger: pino({ level: 'silent' }),
    metrics: createProcessorMetrics(metrics),
    produce: (record) => (produced.push(record), Promise.resolve()),
    events: emitter,
  });
  runners.push(runner);
  return { runner, events, produced, metrics, stop: () => runner.beginStop() };
}

interface FakeBatch {
  payload: EachBatchPayload;
  resolved: string[];
  /** Makes every later heartbeat fail as during a rebalance. */
  rebalance(): void;
}

function batchOf(topic: string, records: { id: string; key: string }[], firstOffset = 0): FakeBatch {
  const resolved: string[] = [];
  let rebalancing = false;
  const messages = records.map((r, i): KafkaMessage => ({
    key: Buffer.from(r.key),
    value: Buffer.from(r.id),
    timestamp: '0',
    attributes: 0,
    offset: String(firstOffset + i),
    headers: { [Headers.messageName]: NAME, [Headers.eventId]: r.id },
  }));
  const payload = {
    batch: {
      topic,
      partition: 0,
      highWatermark: String(firstOffset + records.length),
      messages,
    },
    resolveOffset: (offset: string) => void resolved.push(offset),
    heartbeat: () =>
      rebalancing
        ? Promise.reject(
            Object.assign(new Error('The group is rebalancing, so a rejoin is needed'), {
              type: 'REBALANCE_IN_PROGRESS',
            }),
          )
        : Promise.resolve(),
    commitOffsetsIfNecessary: () => Promise.resolve(),
    isRunning: () => true,
    isStale: () => false,
    pause: () => () => undefined,
  } as unknown as EachBatchPayload;
  return { payload, resolved, rebalance: () => (rebalancing = true) };
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
    let callsWhileDown = 0;
    const downstream: MessageHandler = {
      name: 'downstream',
      async handle() {
        active++;
        if (down) {
          callsWhileDown++;
          maxActiveWhileDown = Math.max(maxActiveWhileDown, active);
        }
        await wait(5);
        active--;
        if (down) throw new DownstreamUnavailableError('commercetools', '503');
        return { status: 'applied' };
      },
    };
    // U1 (another handler) succeeds after the outage tripped, so U2 enters while the gate is closed: it waits
    // before decoding. A1 waits after a failed downstream call.
    const other: MessageHandler = { name: 'other', handle: () => wait(10).then(() => ({ status: 'applied' })) };
    const records = [recordFor('A1', 'A'), recordFor('U1', 'U', OTHER), recordFor('U2', 'U')];
    const h = harness({ [NAME]: downstream, [OTHER]: other }, records);
    const fake = batchOf('unit.webhooks', [
      { id: 'A1', key: 'A' },
      { id: 'U1', key: 'U' },
      { id: 'U2', key: 'U' },
    ]);
    const running = h.runner.eachBatch(fake.payload);
    await vi.advanceTimersByTimeAsync(300); // several pause / probe rounds
    expect(callsWhileDown).toBeGreaterThan(2);
    down = false;
    await settle(running);
    expect(maxActiveWhileDown).toBe(1);
    expect(fake.resolved.at(-1)).toBe('2');
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
