/**
 * BatchRunner against a scripted KafkaJS eachBatch payload (no broker): what gets resolved, what is abandoned, and
 * how the outage gate meters handler calls.
 */
import { EventEmitter } from 'node:events';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { pino } from 'pino';
import * as prom from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { runtimeConfigFrom, type ProcessorRuntimeConfig } from '../../../processor/config.js';
import { DownstreamUnavailableError } from '../../../processor/errors.js';
import type { HandlerContext, MessageHandler } from '../../../processor/handler.js';
import { createProcessorMetrics } from '../../../processor/metrics.js';
import { Router } from '../../../processor/router.js';
import { BatchRunner, type RecordEvent } from '../../../processor/runner.js';
import { toWebhookRecord, type FluentWebhookRecord, type WebhookSerde } from '../../../schemas/index.js';

const NAME = 'fc.connect.order.webhook.order-status-update';
const OTHER = 'fc.test.other';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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
      // Below the env minimums, to keep the test fast.
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

interface Harness {
  runner: BatchRunner;
  events: RecordEvent[];
  stop(): void;
}

const runners: BatchRunner[] = [];
afterEach(() => {
  for (const r of runners.splice(0)) r.abortInFlight();
});

function harness(handlers: Record<string, MessageHandler>, records: FluentWebhookRecord[], cfg = config()): Harness {
  const byId = new Map(records.map((r) => [r.id, r]));
  const serde = {
    decode: async (buf: Buffer | null) => {
      await Promise.resolve();
      return byId.get(buf!.toString())!;
    },
  } as unknown as WebhookSerde;
  const router = new Router();
  for (const [name, h] of Object.entries(handlers)) router.registerHandler(name, h);
  const emitter = new EventEmitter();
  const events: RecordEvent[] = [];
  emitter.on('record', (e: RecordEvent) => events.push(e));
  const runner = new BatchRunner({
    config: cfg,
    router,
    serde,
    logger: pino({ level: 'silent' }),
    metrics: createProcessorMetrics(new prom.Registry()),
    produce: async () => undefined,
    events: emitter,
  });
  runners.push(runner);
  return { runner, events, stop: () => runner.beginStop() };
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
    headers: {},
  }));
  const payload = {
    batch: {
      topic,
      partition: 0,
      highWatermark: String(firstOffset + records.length),
      messages,
    },
    resolveOffset: (offset: string) => void resolved.push(offset),
    heartbeat: async () => {
      if (rebalancing) {
        throw Object.assign(new Error('The group is rebalancing, so a rejoin is needed'), {
          type: 'REBALANCE_IN_PROGRESS',
        });
      }
    },
    commitOffsetsIfNecessary: async () => undefined,
    isRunning: () => true,
    isStale: () => false,
    pause: () => () => undefined,
  } as unknown as EachBatchPayload;
  return { payload, resolved, rebalance: () => (rebalancing = true) };
}

function slowHandler(ms: number, calls: string[]): MessageHandler {
  return {
    name: 'slow',
    async handle(ctx: HandlerContext) {
      calls.push(ctx.record.id);
      await sleep(ms);
      return { status: 'applied' };
    },
  };
}

describe('BatchRunner', () => {
  it('on stop, abandons records of the batch whose handler has not started instead of working off the backlog', async () => {
    const input = Array.from({ length: 20 }, (_, i) => ({ id: `e${i}`, key: 'ORDER-1' }));
    const calls: string[] = [];
    const h = harness(
      { [NAME]: slowHandler(40, calls) },
      input.map((r) => recordFor(r.id, r.key)),
    );
    const fake = batchOf('unit.webhooks', input);
    const started = Date.now();
    const running = h.runner.eachBatch(fake.payload);
    await sleep(10); // e0 is in its handler
    h.stop();
    await running;
    expect(calls).toEqual(['e0']); // the one in flight finishes; nothing new starts
    expect(Date.now() - started).toBeLessThan(400);
    expect(fake.resolved).toEqual(['0']);
    expect(h.events.filter((e) => e.outcome === 'abandoned')).toHaveLength(19);
  });

  it('when the group rebalances mid-batch, stops starting records so the member can rejoin promptly', async () => {
    const input = Array.from({ length: 20 }, (_, i) => ({ id: `e${i}`, key: 'ORDER-1' }));
    const calls: string[] = [];
    const h = harness(
      { [NAME]: slowHandler(40, calls) },
      input.map((r) => recordFor(r.id, r.key)),
    );
    const fake = batchOf('unit.webhooks', input);
    const running = h.runner.eachBatch(fake.payload);
    await sleep(10);
    fake.rebalance(); // the next keep-alive heartbeat (every 20 ms) learns of it
    await running;
    expect(calls.length).toBeLessThanOrEqual(3);
    expect(fake.resolved.at(-1)).toBe(String(calls.length - 1)); // exactly the handled prefix
    expect(h.events.filter((e) => e.outcome === 'abandoned')).toHaveLength(20 - calls.length);
  });

  it('keeps the half-open gate to one downstream call even when the probe is a record that has not decoded yet', async () => {
    let down = true;
    let active = 0;
    let maxActiveWhileDown = 0;
    const downstream: MessageHandler = {
      name: 'downstream',
      async handle() {
        active++;
        if (down) maxActiveWhileDown = Math.max(maxActiveWhileDown, active);
        await sleep(5);
        active--;
        if (down) throw new DownstreamUnavailableError('commercetools', '503');
        return { status: 'applied' };
      },
    };
    // U1 (another handler) succeeds after the outage tripped, so U2 enters while the gate is closed: it waits
    // before decoding. A1 waits after a failed downstream call.
    const other: MessageHandler = { name: 'other', handle: () => sleep(10).then(() => ({ status: 'applied' })) };
    const records = [recordFor('A1', 'A'), recordFor('U1', 'U', OTHER), recordFor('U2', 'U')];
    const h = harness({ [NAME]: downstream, [OTHER]: other }, records);
    const fake = batchOf('unit.webhooks', [
      { id: 'A1', key: 'A' },
      { id: 'U1', key: 'U' },
      { id: 'U2', key: 'U' },
    ]);
    const running = h.runner.eachBatch(fake.payload);
    await sleep(300); // several pause / probe rounds
    down = false;
    await running;
    expect(maxActiveWhileDown).toBe(1);
    expect(fake.resolved.at(-1)).toBe('2');
  });
});
