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
import {
  batchingVerdict,
  COMPARISON_HEADER,
  comparisonRows,
  variantFigures,
  verdictLines,
  type VariantFigures,
} from '../../bench/support/batch-comparison.js';
import { summariseCpuProfile } from '../../bench/support/cpuprofile.js';
import { crossCheckProblems, type DownstreamCalls } from '../../bench/support/downstream-calls.js';
import { compareAtRate, lowLoadReport } from '../../bench/support/e2e-compare.js';
import { startE2eHarness, isSustained } from '../../bench/support/e2e-run.js';
import {
  expectedStates,
  runProcessorCase,
  type ProcessorCaseOptions,
  type ProcessorCaseResult,
} from '../../bench/support/processor-run.js';
import { infra } from '../../support/kafka.js';

const logDir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));

const tinyCase = (batchReads: boolean): ProcessorCaseOptions => ({
  infra: infra(),
  variant: 'ours',
  records: 60,
  orders: 20,
  partitions: 2,
  concurrency: 8,
  latencyMs: 1,
  timeLimitMs: 30_000,
  logDir,
  batchReads,
});

/** Processor figures for checking the closing note's latency line, which does not depend on them. */
const FIXED_FIGURES: VariantFigures = {
  rounds: 1,
  records: 1,
  done: 1,
  recordsPerSec: 1,
  steadyRecordsPerSec: 1,
  drainS: 1,
  callsPerRecord: { total: 1, fluentReads: 0, ctReads: 0, ctWrites: 1, tokensAndSettings: 0 },
  meanBatchFluent: NaN,
  meanBatchCt: NaN,
  processorCpuUsPerRecord: 1,
  simulatorCpuUsPerRecord: 1,
  correct: true,
};

/** Every request the simulators received falls in one of the groups, and the processor's metric counted the same. */
function expectConsistentCalls(calls: DownstreamCalls): void {
  expect(calls.other).toBe(0);
  expect(calls.requests).toBe(calls.fluentReads + calls.ctReads + calls.ctWrites + calls.tokensAndSettings);
  expect(crossCheckProblems(calls)).toEqual([]);
}

describe('benchmark smoke', () => {
  let batched: ProcessorCaseResult | undefined;
  let unbatched: ProcessorCaseResult | undefined;

  it('processor benchmark: ours drains a tiny topic correctly with batched reads and its CPU profile summarises', async () => {
    const result = await runProcessorCase({ ...tinyCase(true), profile: true });
    batched = result;
    expect(result.batchReads).toBe(true);
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
    expectConsistentCalls(result.downstream);
    expect(result.downstream.ctWrites).toBe(20);
    // Every Fluent order read went out in a batch: as many orders asked for as records read them.
    expect(result.downstream.fluentBatches.requests).toBe(result.downstream.fluentReads);
    expect(result.downstream.fluentBatches.orders).toBeGreaterThanOrEqual(60);
  }, 90_000);

  it('processor benchmark: DOWNSTREAM_BATCH_READS=false reads one order per request, same outcome', async () => {
    const result = await runProcessorCase(tinyCase(false));
    unbatched = result;
    expect(result.batchReads).toBe(false);
    expect(result.correctness).toMatchObject({ ok: true, ordersInExpectedState: 20 });
    expect(result.outcomes).toEqual({ applied: 20, skipped: 40 });
    expectConsistentCalls(result.downstream);
    expect(result.downstream).toMatchObject({
      ctWrites: 20,
      fluentBatches: { requests: 0, orders: 0 },
      ctBatches: { requests: 0, orders: 0 },
    });
    // At least one Fluent read and one commercetools read per record, each its own request.
    expect(result.downstream.fluentReads).toBeGreaterThanOrEqual(60);
    expect(result.downstream.ctReads).toBeGreaterThanOrEqual(60 - 20);
  }, 90_000);

  it('processor benchmark: the side-by-side table and the four-figure closing note', () => {
    if (!batched || !unbatched) throw new Error('needs both processor cases above');
    const b = variantFigures([batched]);
    const u = variantFigures([unbatched]);
    expect(b.callsPerRecord.total).toBeCloseTo(batched.downstream.requests / 60, 10);
    expect(b.callsPerRecord.total).toBeLessThan(u.callsPerRecord.total);
    expect(u.meanBatchFluent).toBeNaN();
    expect(b.meanBatchFluent).toBeGreaterThanOrEqual(1);
    const rows = comparisonRows(b, u);
    expect(rows.every((row) => row.length === COMPARISON_HEADER.length)).toBe(true);
    const byLabel = new Map(rows.map((row) => [row[0]!.trim(), row.slice(1)]));
    expect(byLabel.get('mean batch, Fluent (orders)')?.[0]).toBe('-');
    expect(byLabel.get('correctness check')).toEqual(['OK', 'OK', '']);
    expect(byLabel.get('downstream calls / record')?.[2]).toMatch(/^\d+\.\d\d×$/);
    const pooled = variantFigures([batched, batched]);
    expect(pooled.recordsPerSec).toBeCloseTo(b.recordsPerSec, 6);
    expect(pooled.done).toBe(120);
    const lines = verdictLines(batchingVerdict(b, u));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^1\. downstream calls per record: .* (MET|NOT MET)$/);
    expect(lines[2]).toContain('not measured yet');
  });

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

  it('end-to-end benchmark: one open-loop level, then batched vs unbatched in alternating rounds', async () => {
    const common = { infra: infra(), partitions: 2, concurrency: 16, latencyMs: 1 };
    const harness = await startE2eHarness({ ...common, logDir: join(logDir, 'batched') });
    const unbatchedHarness = await startE2eHarness({
      ...common,
      batchReads: false,
      logDir: join(logDir, 'unbatched'),
    });
    try {
      const samples: number[] = [];
      const level = await harness.runLevel({
        label: 'smoke',
        ratePerSec: 20,
        durationMs: 1_000,
        graceMs: 20_000,
        e2eSamplesMs: samples,
      });
      expect(level).toMatchObject({ sent: 20, accepted: 20, applied: 20, notApplied: 0, wrongUpdates: 0, errors: 0 });
      expect(level.e2eMs.count).toBe(20);
      expect(samples).toHaveLength(20);
      expect(level.e2eMs.p50).toBeGreaterThanOrEqual(0);
      expect(level.e2eMs.max).toBeGreaterThanOrEqual(level.e2eMs.p99);
      expect(isSustained(level, 60_000)).toBe(true);

      const comparison = await compareAtRate(
        [
          { label: 'batched', harness },
          { label: 'unbatched', harness: unbatchedHarness },
        ],
        { ratePerSec: 10, rounds: 2, roundMs: 500, warmupMs: 300, graceMs: 20_000 },
      );
      const [batchedLatency, unbatchedLatency] = comparison.variants;
      for (const variant of comparison.variants) {
        expect(variant).toMatchObject({ sent: 10, applied: 10, clean: true });
        expect(variant.rounds.map((r) => r.sent)).toEqual([5, 5]);
        expect(variant.e2eMs.count).toBe(10);
      }
      // Alternating order: batched first in round 1, unbatched first in round 2.
      expect(batchedLatency.rounds.map((r) => r.label)).toEqual(['batched round 1', 'batched round 2']);
      expect(comparison.p50DiffMs).toBe(batchedLatency.e2eMs.p50 - unbatchedLatency.e2eMs.p50);
      expect(comparison.p99DiffMs).toBe(batchedLatency.e2eMs.p99 - unbatchedLatency.e2eMs.p99);
      const report = lowLoadReport(10, comparison);
      expect(report.met).toBe(comparison.p50DiffMs <= 10 && comparison.p99DiffMs <= 10);
      const line = verdictLines(batchingVerdict(FIXED_FIGURES, FIXED_FIGURES, { ...report, measuredAt: 'now' }))[2];
      expect(line).toMatch(/^3\. latency at 10 % load \(bench:e2e of now, 10\/s\): p50 /);
    } finally {
      await Promise.allSettled([harness.close(), unbatchedHarness.close()]);
    }
  }, 180_000);

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
