import { pino } from 'pino';
import * as prom from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LagPoller } from '../../../processor/lag-poller.js';
import { createProcessorMetrics } from '../../../processor/metrics.js';

const topics = { webhooks: 'w', retries: ['w.retry.1', 'w.retry.2'], dlq: 'w.dlq' };

/** An admin whose end and committed offsets the test sets; counts the polls. */
function fakeAdmin() {
  const ends: Record<string, { partition: number; high: string; low: string }[]> = {
    w: [
      { partition: 0, high: '100', low: '0' },
      { partition: 1, high: '50', low: '0' },
    ],
    'w.retry.1': [{ partition: 0, high: '7', low: '2' }],
    'w.retry.2': [{ partition: 0, high: '0', low: '0' }],
    'w.dlq': [
      { partition: 0, high: '12', low: '2' },
      { partition: 1, high: '5', low: '0' },
    ],
  };
  const commits: Record<string, { partition: number; offset: string }[]> = {
    w: [
      { partition: 0, offset: '90' },
      { partition: 1, offset: '-1' },
    ],
    'w.retry.1': [{ partition: 0, offset: '-1' }],
  };
  let fail = false;
  const admin = {
    polls: 0,
    connect: vi.fn(() => Promise.resolve()),
    disconnect: vi.fn(() => Promise.resolve()),
    fetchTopicOffsets: (topic: string) => {
      if (topic === topics.dlq) admin.polls++;
      return fail ? Promise.reject(new Error('broker down')) : Promise.resolve(ends[topic] ?? []);
    },
    fetchOffsets: ({ topics: wanted }: { topics: string[] }) =>
      Promise.resolve(wanted.map((topic) => ({ topic, partitions: commits[topic] ?? [] }))),
  };
  return { admin, ends, commits, failing: (on: boolean) => (fail = on) };
}

async function gauges(registry: prom.Registry) {
  const json = await registry.getMetricsAsJSON();
  const lag = json.find((m) => m.name === 'fc_processor_consumer_lag_records')?.values ?? [];
  const dlq = json.find((m) => m.name === 'fc_processor_dlq_records')?.values[0]?.value;
  const errors = json.find((m) => m.name === 'fc_processor_lag_poll_errors_total')?.values[0]?.value;
  return {
    lag: Object.fromEntries(lag.map((v) => [`${v.labels.kind} ${v.labels.topic}/${v.labels.partition}`, v.value])),
    dlq,
    errors,
  };
}

function setup(intervalMs = 1_000) {
  const registry = new prom.Registry();
  const fake = fakeAdmin();
  const poller = new LagPoller({
    admin: fake.admin as never,
    groupId: 'g',
    topics,
    metrics: createProcessorMetrics(registry),
    logger: pino({ level: 'silent' }),
    intervalMs,
  });
  return { registry, fake, poller };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('LagPoller', () => {
  it('sets lag per held partition by topic kind (end minus committed; earliest when nothing is committed) and the DLQ size', async () => {
    const { registry, poller } = setup();
    poller.assigned({ w: [0, 1], 'w.retry.1': [0] });
    await poller.pollOnce();
    expect(await gauges(registry)).toEqual({
      lag: { 'main w/0': 10, 'main w/1': 50, 'retry-1 w.retry.1/0': 5 },
      dlq: 15,
      errors: 0,
    });
  });

  it('removes the series of partitions a rebalance took away, at once and for good', async () => {
    const { registry, poller } = setup();
    poller.assigned({ w: [0, 1], 'w.retry.1': [0] });
    await poller.pollOnce();
    poller.assigned({ w: [1] });
    expect((await gauges(registry)).lag).toEqual({ 'main w/1': 50 });
    await poller.pollOnce();
    expect((await gauges(registry)).lag).toEqual({ 'main w/1': 50 });
  });

  it('polls on its own timer, so the lag moves while no batch finishes (an outage pause)', async () => {
    vi.useFakeTimers();
    const { registry, fake, poller } = setup(1_000);
    poller.assigned({ w: [0] });
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect((await gauges(registry)).lag).toEqual({ 'main w/0': 10 });
    fake.ends.w![0]!.high = '400'; // webhooks keep arriving; nothing is committed
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await gauges(registry)).lag).toEqual({ 'main w/0': 310 });
    const polls = fake.admin.polls;
    await vi.advanceTimersByTimeAsync(3_000);
    expect(fake.admin.polls - polls).toBe(3);
    await poller.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fake.admin.polls - polls).toBe(3);
    expect(fake.admin.disconnect).toHaveBeenCalledTimes(1);
  });

  it('counts a failed poll, keeps the last values, and reconnects on the next one', async () => {
    const { registry, fake, poller } = setup();
    poller.assigned({ w: [0] });
    await poller.pollOnce();
    fake.failing(true);
    await poller.pollOnce();
    expect(await gauges(registry)).toMatchObject({ lag: { 'main w/0': 10 }, errors: 1 });
    fake.failing(false);
    await poller.pollOnce();
    expect(fake.admin.connect).toHaveBeenCalledTimes(2);
  });
});
