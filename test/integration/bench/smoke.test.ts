/**
 * Keeps the benchmark scripts from rotting: each benchmark's core function runs at tiny size against the real
 * broker and registry, and the result's shape and correctness check are asserted (never its speed — figures are
 * produced by `npm run bench:*`, not by tests).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { barChartSvg, niceStep } from '../../bench/chart.js';
import { summariseCpuProfile } from '../../bench/support/cpuprofile.js';
import { startE2eHarness, isSustained } from '../../bench/support/e2e-run.js';
import { expectedStates, runProcessorCase } from '../../bench/support/processor-run.js';
import { infra } from '../../support/kafka.js';

const logDir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));

describe('benchmark smoke', () => {
  it('processor benchmark: ours drains a tiny topic correctly and its CPU profile summarises', async () => {
    const result = await runProcessorCase({
      infra: infra(),
      variant: 'ours',
      records: 60,
      orders: 20,
      partitions: 2,
      concurrency: 8,
      latencyMs: 1,
      timeLimitMs: 30_000,
      logDir,
      profile: true,
    });
    expect(result.drained).toBe(true);
    expect(result.done).toBe(60);
    expect(result.correctness).toMatchObject({ ok: true, ordersInExpectedState: 20, ordersWrong: 0, dlqRecords: 0 });
    expect(result.outcomes).toEqual({ applied: 20, skipped: 40 });
    expect(result.simulators.ctUpdatesApplied).toBe(20);
    expect(result.simulators.fluentSettingsQueries).toBeLessThanOrEqual(2);
    expect(result.recordsPerSec).toBeGreaterThan(0);
    expect(result.profile).toMatch(/\.cpuprofile$/);
    const profile = summariseCpuProfile(result.profile!, 5);
    expect(profile.top.length).toBeGreaterThan(0);
    expect(profile.busyMs).toBeGreaterThan(0);
  }, 90_000);

  it('processor benchmark: the naive baseline runs the same handler and passes the same check', async () => {
    const result = await runProcessorCase({
      infra: infra(),
      variant: 'naive',
      records: 10,
      orders: 5,
      partitions: 2,
      concurrency: 1,
      latencyMs: 1,
      timeLimitMs: 30_000,
      logDir,
    });
    expect(result.drained).toBe(true);
    expect(result.concurrency).toBeNull();
    expect(result.correctness.ok).toBe(true);
    expect(result.simulators.ctUpdatesApplied).toBe(5);
  }, 90_000);

  it('end-to-end benchmark: one open-loop level, every event applied once, latencies measured', async () => {
    const harness = await startE2eHarness({ infra: infra(), partitions: 2, concurrency: 16, latencyMs: 1, logDir });
    try {
      const level = await harness.runLevel({ label: 'smoke', ratePerSec: 20, durationMs: 1_000, graceMs: 20_000 });
      expect(level).toMatchObject({ sent: 20, accepted: 20, applied: 20, notApplied: 0, wrongUpdates: 0, errors: 0 });
      expect(level.e2eMs.count).toBe(20);
      expect(level.e2eMs.p50).toBeGreaterThanOrEqual(0);
      expect(level.e2eMs.max).toBeGreaterThanOrEqual(level.e2eMs.p99);
      expect(isSustained(level, 60_000)).toBe(true);
    } finally {
      await harness.close();
    }
  }, 120_000);

  it('chart writer and expected-state oracle', () => {
    const svg = barChartSvg({
      title: 'T <&>',
      xLabel: 'x',
      yLabel: 'y',
      categories: ['16', '64'],
      series: [{ name: 'a', values: [100, 250] }],
      references: [{ y: 1000, label: 'target' }],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('T &lt;&amp;&gt;');
    expect(svg.match(/<rect [^>]*fill="#2563eb"/g)?.length).toBe(3); // two bars + legend swatch
    expect(niceStep(1234, 5)).toBe(250);
    expect(expectedStates('BOOKED')).toEqual({
      orderState: 'Confirmed',
      paymentState: 'Paid',
      shipmentState: 'Pending',
    });
    expect(expectedStates('CANCELLED')).toEqual({ orderState: 'Cancelled', paymentState: null, shipmentState: null });
  });
});
