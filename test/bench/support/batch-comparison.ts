/**
 * The processor benchmark's main comparison: the same records drained with batched reads (the default) and with
 * DOWNSTREAM_BATCH_READS=false, side by side, and the four figures of issue 17's "Measure" section against their
 * targets (docs/architecture.md "Batched reads"). Latency at low load comes from the end-to-end benchmark.
 */
import { fmt } from './common.js';
import { meanBatchSize, type BatchVolume } from './downstream-calls.js';
import type { LowLoadReport } from './e2e-compare.js';
import type { ProcessorCaseResult } from './processor-run.js';

export const BATCHING_TARGETS = {
  /** Downstream calls per record with batching… */
  maxCallsPerRecord: 1.3,
  /** …at this rate or more. */
  minRecordsPerSec: 1_000,
  /** Processor CPU per record at least this much below unbatched. */
  minCpuSaving: 0.3,
} as const;

/** Per-record downstream figures of one case (requests the simulators received ÷ records done). */
export function callsPerRecord(r: ProcessorCaseResult) {
  const per = (n: number) => n / Math.max(1, r.done);
  const d = r.downstream;
  return {
    total: per(d.requests),
    fluentReads: per(d.fluentReads),
    ctReads: per(d.ctReads),
    ctWrites: per(d.ctWrites),
    tokensAndSettings: per(d.tokensAndSettings),
  };
}

/** One variant's figures over its rounds: counts and times summed first, so a rate is total records ÷ total time. */
export interface VariantFigures {
  readonly rounds: number;
  readonly records: number;
  readonly done: number;
  readonly recordsPerSec: number;
  /** Mean of the rounds' 10–90 % rates (NaN when a round had none). */
  readonly steadyRecordsPerSec: number;
  /** Mean lag drain time per round, s. */
  readonly drainS: number;
  readonly callsPerRecord: ReturnType<typeof callsPerRecord>;
  readonly meanBatchFluent: number;
  readonly meanBatchCt: number;
  readonly processorCpuUsPerRecord: number;
  readonly simulatorCpuUsPerRecord: number;
  readonly correct: boolean;
}

export function variantFigures(rounds: readonly ProcessorCaseResult[]): VariantFigures {
  if (rounds.length === 0) throw new Error('a variant needs at least one round');
  const sum = (pick: (r: ProcessorCaseResult) => number) => rounds.reduce((total, r) => total + pick(r), 0);
  const done = sum((r) => r.done);
  const drainMs = sum((r) => r.drainMs);
  const perDone = (pick: (r: ProcessorCaseResult) => number) => sum(pick) / Math.max(1, done);
  const volume = (pick: (r: ProcessorCaseResult) => BatchVolume): BatchVolume => ({
    requests: sum((r) => pick(r).requests),
    orders: sum((r) => pick(r).orders),
  });
  return {
    rounds: rounds.length,
    records: sum((r) => r.records),
    done,
    recordsPerSec: done / Math.max(0.001, drainMs / 1000),
    steadyRecordsPerSec: sum((r) => r.steadyRecordsPerSec ?? NaN) / rounds.length,
    drainS: drainMs / 1000 / rounds.length,
    callsPerRecord: {
      total: perDone((r) => r.downstream.requests),
      fluentReads: perDone((r) => r.downstream.fluentReads),
      ctReads: perDone((r) => r.downstream.ctReads),
      ctWrites: perDone((r) => r.downstream.ctWrites),
      tokensAndSettings: perDone((r) => r.downstream.tokensAndSettings),
    },
    meanBatchFluent: meanBatchSize(volume((r) => r.downstream.fluentBatches)),
    meanBatchCt: meanBatchSize(volume((r) => r.downstream.ctBatches)),
    processorCpuUsPerRecord: perDone((r) => r.processorCpuUsPerRecord * r.done),
    simulatorCpuUsPerRecord: perDone((r) => r.simulatorCpuUsPerRecord * r.done),
    correct: rounds.every((r) => r.correctness.ok),
  };
}

const ratio = (after: number, before: number): string =>
  Number.isFinite(after) && Number.isFinite(before) && before > 0 ? `${fmt(after / before, 2)}×` : '-';

export const COMPARISON_HEADER = ['', 'unbatched', 'batched', 'batched ÷ unbatched'];

/** One row per figure: unbatched, batched, and their ratio where a ratio means something. */
export function comparisonRows(batched: VariantFigures, unbatched: VariantFigures): string[][] {
  const num = (label: string, pick: (v: VariantFigures) => number, digits = 0): string[] => [
    label,
    fmt(pick(unbatched), digits),
    fmt(pick(batched), digits),
    ratio(pick(batched), pick(unbatched)),
  ];
  const text = (label: string, pick: (v: VariantFigures) => string): string[] => [
    label,
    pick(unbatched),
    pick(batched),
    '',
  ];
  return [
    num('records/s', (v) => v.recordsPerSec),
    num('steady records/s (10–90 %)', (v) => v.steadyRecordsPerSec),
    num('lag drain s', (v) => v.drainS, 1),
    num('downstream calls / record', (v) => v.callsPerRecord.total, 3),
    num('  Fluent order reads', (v) => v.callsPerRecord.fluentReads, 3),
    num('  commercetools reads', (v) => v.callsPerRecord.ctReads, 3),
    num('  commercetools writes', (v) => v.callsPerRecord.ctWrites, 3),
    num('  tokens + settings', (v) => v.callsPerRecord.tokensAndSettings, 4),
    num('mean batch, Fluent (orders)', (v) => v.meanBatchFluent, 1),
    num('mean batch, commercetools', (v) => v.meanBatchCt, 1),
    num('processor CPU µs / record', (v) => v.processorCpuUsPerRecord),
    num('simulators CPU µs / record', (v) => v.simulatorCpuUsPerRecord),
    text('records done', (v) => `${fmt(v.done)}/${fmt(v.records)}`),
    text('rounds', (v) => String(v.rounds)),
    text('correctness check', (v) => (v.correct ? 'OK' : 'FAIL')),
  ];
}

export interface BatchingVerdict {
  readonly callsPerRecord: { readonly batched: number; readonly unbatched: number; readonly met: boolean };
  readonly cpuUsPerRecord: {
    readonly batched: number;
    readonly unbatched: number;
    /** 1 − batched ÷ unbatched. */
    readonly saving: number;
    readonly met: boolean;
  };
  readonly recordsPerSec: { readonly batched: number; readonly unbatched: number; readonly met: boolean };
  /** From the last `npm run bench:e2e` with its low-load comparison, when there is one. */
  readonly lowLoadLatency?: LowLoadReport & { readonly measuredAt: string };
}

export function batchingVerdict(
  batched: VariantFigures,
  unbatched: VariantFigures,
  lowLoad?: LowLoadReport & { readonly measuredAt: string },
): BatchingVerdict {
  const calls = { batched: batched.callsPerRecord.total, unbatched: unbatched.callsPerRecord.total };
  const cpu = { batched: batched.processorCpuUsPerRecord, unbatched: unbatched.processorCpuUsPerRecord };
  const saving = 1 - cpu.batched / cpu.unbatched;
  return {
    callsPerRecord: {
      ...calls,
      met:
        calls.batched <= BATCHING_TARGETS.maxCallsPerRecord &&
        batched.recordsPerSec >= BATCHING_TARGETS.minRecordsPerSec,
    },
    cpuUsPerRecord: { ...cpu, saving, met: saving >= BATCHING_TARGETS.minCpuSaving },
    recordsPerSec: {
      batched: batched.recordsPerSec,
      unbatched: unbatched.recordsPerSec,
      met: batched.recordsPerSec >= unbatched.recordsPerSec,
    },
    ...(lowLoad ? { lowLoadLatency: lowLoad } : {}),
  };
}

const verdict = (met: boolean) => (met ? 'MET' : 'NOT MET');

/** The closing note: the four figures, before (unbatched) → after (batched), each against its target. */
export function verdictLines(v: BatchingVerdict): string[] {
  const t = BATCHING_TARGETS;
  const lines = [
    `1. downstream calls per record: ${fmt(v.callsPerRecord.unbatched, 2)} unbatched → ${fmt(v.callsPerRecord.batched, 2)} batched at ${fmt(v.recordsPerSec.batched)} records/s` +
      ` (target ≤ ${t.maxCallsPerRecord} at ≥ ${fmt(t.minRecordsPerSec)}/s): ${verdict(v.callsPerRecord.met)}`,
    `2. processor CPU per record: ${fmt(v.cpuUsPerRecord.unbatched)} µs → ${fmt(v.cpuUsPerRecord.batched)} µs,` +
      ` ${fmt(Math.abs(v.cpuUsPerRecord.saving) * 100)} % ${v.cpuUsPerRecord.saving >= 0 ? 'below' : 'above'} unbatched` +
      ` (target ≥ ${t.minCpuSaving * 100} % below): ${verdict(v.cpuUsPerRecord.met)}`,
  ];
  const low = v.lowLoadLatency;
  if (low) {
    const [batched, unbatched] = low.comparison.variants;
    const signed = (ms: number) => `${ms >= 0 ? '+' : '−'}${fmt(Math.abs(ms))} ms`;
    lines.push(
      `3. latency at ${low.percent} % load (bench:e2e of ${low.measuredAt}, ${fmt(low.comparison.ratePerSec)}/s): p50 ${fmt(unbatched.e2eMs.p50)} → ${fmt(batched.e2eMs.p50)} ms (${signed(low.comparison.p50DiffMs)}),` +
        ` p99 ${fmt(unbatched.e2eMs.p99)} → ${fmt(batched.e2eMs.p99)} ms (${signed(low.comparison.p99DiffMs)}) (target ≤ +${low.targetDiffMs} ms): ${verdict(low.met)}`,
    );
  } else {
    lines.push('3. latency at 10 % load: not measured yet — `npm run bench:e2e` compares it');
  }
  lines.push(
    `4. records/s at the default concurrency: ${fmt(v.recordsPerSec.unbatched)} → ${fmt(v.recordsPerSec.batched)}` +
      ` (target: not lower): ${verdict(v.recordsPerSec.met)}`,
  );
  return lines;
}
