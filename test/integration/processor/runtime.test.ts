/**
 * Processor runtime on the real broker + registry: ordering under concurrency, retry tiers, DLQ, poison records,
 * unknown names, outage pause, graceful stop.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HandlerContext, MessageHandler } from '../../../processor/handler.js';
import { DownstreamUnavailableError, NonRetryableError, RetryableError } from '../../../processor/errors.js';
import { Router } from '../../../processor/router.js';
import { startProcessor, type RecordEvent, type RunningProcessor } from '../../../processor/runtime.js';
import { eventually } from '../../support/kafka.js';
import {
  committedTotal,
  encodeAll,
  header,
  ORDER_STATUS,
  payloadFor,
  produce,
  readTopic,
  sleep,
  testBed,
  testLogger,
  topicSize,
} from '../support/processor.js';

const running: RunningProcessor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

function handlerOf(name: string, handle: (ctx: HandlerContext) => void | Promise<void>): MessageHandler {
  return {
    name,
    async handle(ctx) {
      await handle(ctx);
      return { status: 'applied' };
    },
  };
}

async function start(
  config: Parameters<typeof startProcessor>[0]['config'],
  handlers: Record<string, MessageHandler>,
): Promise<{ processor: RunningProcessor; events: RecordEvent[] }> {
  const router = new Router();
  for (const [name, h] of Object.entries(handlers)) router.registerHandler(name, h);
  const processor = await startProcessor({ config, router, logger: testLogger() });
  running.push(processor);
  const events: RecordEvent[] = [];
  processor.events.on('record', (e: RecordEvent) => events.push(e));
  return { processor, events };
}

const seqOf = (ctx: HandlerContext): number => (ctx.payload.attributes as { seq: number }).seq;

describe('processor runtime', () => {
  it('keeps per-key order while running different keys concurrently, and commits everything', async () => {
    const bed = await testBed({ partitions: 3 });
    const keys = Array.from({ length: 30 }, (_, i) => `O_${i}`);
    const payloads = [];
    for (let seq = 0; seq < 8; seq++) for (const key of keys) payloads.push(payloadFor(key, seq)); // interleaved
    await produce(bed.topics.webhooks, await encodeAll(bed.topics.webhooks, payloads));

    const seen = new Map<string, number[]>();
    const activeByKey = new Map<string, number>();
    let active = 0;
    let maxActive = 0;
    let keyViolations = 0;
    const handler = handlerOf('order-test', async (ctx) => {
      if ((activeByKey.get(ctx.key) ?? 0) > 0) keyViolations++;
      activeByKey.set(ctx.key, (activeByKey.get(ctx.key) ?? 0) + 1);
      maxActive = Math.max(maxActive, ++active);
      await sleep(5 + Math.random() * 10);
      active--;
      activeByKey.set(ctx.key, activeByKey.get(ctx.key)! - 1);
      seen.set(ctx.key, [...(seen.get(ctx.key) ?? []), seqOf(ctx)]);
    });
    await start(bed.config({ PROCESSOR_CONCURRENCY: '64' }), { [ORDER_STATUS]: handler });

    await eventually(() => [...seen.values()].reduce((n, s) => n + s.length, 0) === payloads.length, 30_000);
    for (const key of keys) expect(seen.get(key)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(keyViolations).toBe(0);
    expect(maxActive).toBeGreaterThan(5); // different keys really overlapped
    await eventually(async () => (await committedTotal(bed.groupId, bed.topics.webhooks)) === payloads.length, 10_000);
  });

  it('passes a record failing twice through both retry tiers with at least the configured delays', async () => {
    const bed = await testBed({ retryDelays: '300ms,600ms' });
    const [record] = await encodeAll(bed.topics.webhooks, [payloadFor('O_RETRY', 1)]);
    await produce(bed.topics.webhooks, [record!]);
    const attempts: { attempt: number; at: number; topic: string }[] = [];
    const handler = handlerOf('flaky', (ctx) => {
      attempts.push({ attempt: ctx.attempt, at: Date.now(), topic: ctx.topic });
      if (ctx.attempt < 3) throw new RetryableError(`transient failure #${ctx.attempt}`);
    });
    const { events } = await start(bed.config(), { [ORDER_STATUS]: handler });

    await eventually(() => events.some((e) => e.outcome === 'applied'), 20_000);
    expect(attempts.map((a) => [a.attempt, a.topic])).toEqual([
      [1, bed.topics.webhooks],
      [2, bed.topics.retries[0]],
      [3, bed.topics.retries[1]],
    ]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(300);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(600);
    expect(events.filter((e) => e.outcome === 'retried').map((e) => e.sentTo)).toEqual(bed.topics.retries);
    expect(await topicSize(bed.topics.dlq)).toBe(0);
  });

  it('dead-letters a permanently failing record after the last tier, and a non-retryable one at once, keeping bytes and headers', async () => {
    const bed = await testBed({ retryDelays: '100ms,100ms' });
    const [always, fatal] = await encodeAll(bed.topics.webhooks, [payloadFor('O_ALWAYS', 1), payloadFor('O_FATAL', 2)]);
    await produce(bed.topics.webhooks, [always!, fatal!]);
    const handler = handlerOf('failing-handler', (ctx) => {
      if (ctx.key === 'O_FATAL') throw new NonRetryableError('order is malformed');
      throw new RetryableError('still broken', { cause: new Error('HTTP 503') });
    });
    await start(bed.config(), { [ORDER_STATUS]: handler });

    const dlq = await readTopic(bed.topics.dlq, 2, 20_000);
    expect(dlq).toHaveLength(2);
    const byKey = new Map(dlq.map((m) => [m.key!.toString(), m]));
    const exhausted = byKey.get('O_ALWAYS')!;
    expect(exhausted.value!.equals(always!.value)).toBe(true);
    expect(header(exhausted, 'fc-error-class')).toBe('RETRIES_EXHAUSTED');
    expect(header(exhausted, 'fc-error-message')).toContain('still broken');
    expect(header(exhausted, 'fc-error-message')).toContain('HTTP 503');
    expect(header(exhausted, 'fc-attempt')).toBe('3');
    expect(header(exhausted, 'fc-original-topic')).toBe(bed.topics.webhooks);
    expect(header(exhausted, 'fc-original-offset')).toMatch(/^\d+$/);
    expect(header(exhausted, 'fc-original-partition')).toMatch(/^\d+$/);
    expect(header(exhausted, 'fc-handler')).toBe('failing-handler');
    expect(header(exhausted, 'fc-failed-at')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(header(exhausted, 'fc-event-id')).toBe(always!.payload!.id);
    expect(header(exhausted, 'x-test-origin')).toBe('processor-test');
    expect(header(exhausted, 'fc-not-before')).toBeUndefined();

    const direct = byKey.get('O_FATAL')!;
    expect(direct.value!.equals(fatal!.value)).toBe(true);
    expect(header(direct, 'fc-error-class')).toBe('NON_RETRYABLE');
    expect(header(direct, 'fc-error-retryable')).toBe('false');
    expect(header(direct, 'fc-attempt')).toBe('1');
    const retried = await readTopic(bed.topics.retries[0]!, 1);
    expect(retried.map((m) => m.key!.toString())).toEqual(['O_ALWAYS']); // the fatal one never went to a tier
  });

  it('sends a poison (non-Avro) record to the DLQ and keeps the partition flowing', async () => {
    const bed = await testBed({ partitions: 1 });
    const good = await encodeAll(bed.topics.webhooks, [payloadFor('O_P', 1), payloadFor('O_P', 2)]);
    const poison = { key: 'O_P', value: Buffer.from('{"not":"avro"}'), headers: { 'x-test-origin': 'poison' } };
    await produce(bed.topics.webhooks, [good[0]!, poison, good[1]!]);
    const handled: number[] = [];
    const { events } = await start(bed.config(), {
      [ORDER_STATUS]: handlerOf('h', (ctx) => void handled.push(seqOf(ctx))),
    });
    await eventually(() => handled.length === 2, 15_000);
    expect(handled).toEqual([1, 2]);
    const [dead] = await readTopic(bed.topics.dlq, 1);
    expect(dead!.value!.toString()).toBe('{"not":"avro"}');
    expect(header(dead!, 'fc-error-class')).toBe('UNDECODABLE_RECORD');
    expect(header(dead!, 'fc-original-offset')).toBe('1');
    expect(header(dead!, 'x-test-origin')).toBe('poison');
    expect(events.find((e) => e.outcome === 'dead-lettered')?.offset).toBe('1');
  });

  it('applies the unknown-message policy: dlq dead-letters, skip only counts', async () => {
    const other = 'fc.connect.something.else';
    for (const policy of ['dlq', 'skip'] as const) {
      const bed = await testBed({ partitions: 1 });
      const records = await encodeAll(bed.topics.webhooks, [payloadFor('O_U', 1, other), payloadFor('O_U', 2)]);
      await produce(bed.topics.webhooks, records);
      const { processor, events } = await start(bed.config({ UNKNOWN_MESSAGE_POLICY: policy }), {
        [ORDER_STATUS]: handlerOf('h', () => undefined),
      });
      await eventually(() => events.some((e) => e.outcome === 'applied'), 15_000);
      expect(events[0]!.outcome).toBe(policy === 'dlq' ? 'dead-lettered' : 'unrouted-skipped');
      if (policy === 'dlq') {
        const dlq = await readTopic(bed.topics.dlq, 1);
        expect(dlq.map((m) => header(m, 'fc-error-class'))).toEqual(['NO_ROUTE']);
      } else {
        expect(await topicSize(bed.topics.dlq)).toBe(0);
      }
      const metrics = await processor.metricsRegistry.getSingleMetricAsString('fc_processor_unknown_messages_total');
      expect(metrics).toContain(`policy="${policy}"`);
      await processor.stop();
    }
  });

  it('pauses on a downstream outage instead of dead-lettering, then completes every record', async () => {
    const bed = await testBed({ partitions: 2 });
    const payloads = Array.from({ length: 40 }, (_, i) => payloadFor(`O_OUT_${i % 10}`, i));
    await produce(bed.topics.webhooks, await encodeAll(bed.topics.webhooks, payloads));
    const outageUntil = Date.now() + 60_000; // replaced once the processor runs
    let until = outageUntil;
    let calls = 0;
    const done = new Set<string>();
    const handler = handlerOf('outage', (ctx) => {
      calls++;
      if (Date.now() < until) throw new DownstreamUnavailableError('fluent', 'HTTP 503 from Fluent');
      done.add(ctx.record.id);
    });
    const { processor, events } = await start(bed.config(), { [ORDER_STATUS]: handler });
    until = Date.now() + 1_500;
    let paused = 0;
    processor.events.on('paused', () => paused++);
    await eventually(() => done.size === payloads.length, 20_000);
    expect(paused).toBeGreaterThan(0);
    expect(events.filter((e) => e.outcome === 'retried' || e.outcome === 'dead-lettered')).toHaveLength(0);
    expect(calls).toBeLessThan(payloads.length * 20); // waited between attempts rather than spinning
    expect(await topicSize(bed.topics.retries[0]!)).toBe(0);
    expect(await topicSize(bed.topics.dlq)).toBe(0);
  });

  it('stops gracefully: commits finished work, so a restarted member does not reprocess it', async () => {
    const bed = await testBed({ partitions: 2 });
    const first = await encodeAll(
      bed.topics.webhooks,
      Array.from({ length: 50 }, (_, i) => payloadFor(`O_G${i % 7}`, i)),
    );
    await produce(bed.topics.webhooks, first);
    const seen: string[] = [];
    const handler = handlerOf('g', async (ctx) => {
      await sleep(2);
      seen.push(ctx.record.id);
    });
    const one = await start(bed.config(), { [ORDER_STATUS]: handler });
    await eventually(() => seen.length === 50, 15_000);
    await one.processor.stop();
    expect(await committedTotal(bed.groupId, bed.topics.webhooks)).toBe(50);

    const second = await encodeAll(
      bed.topics.webhooks,
      Array.from({ length: 20 }, (_, i) => payloadFor(`O_G${i}`, 100 + i)),
    );
    await produce(bed.topics.webhooks, second);
    const two = await start(bed.config(), { [ORDER_STATUS]: handler });
    await eventually(() => seen.length >= 70, 15_000);
    await sleep(300);
    expect(seen).toHaveLength(70);
    expect(new Set(seen).size).toBe(70);
    expect(two.events.every((e) => second.some((r) => r.payload!.id === e.eventId))).toBe(true);
  });
});
