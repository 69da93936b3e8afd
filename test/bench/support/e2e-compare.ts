/**
 * Low-load latency comparison for the end-to-end benchmark: the same open-loop rate through two pipelines that differ
 * only in DOWNSTREAM_BATCH_READS (docs/architecture.md "Batched reads"). Both pipelines run side by side and take
 * turns in short rounds, the order alternating (A B, B A, …), so load from elsewhere on a shared machine falls on
 * both alike; each variant's latencies are pooled over its rounds before the percentiles are taken.
 */
import { summarise, type E2eHarness, type LatencySummary, type LevelResult } from './e2e-run.js';

export interface CompareVariant {
  readonly label: string;
  readonly harness: E2eHarness;
}

export interface CompareOptions {
  readonly ratePerSec: number;
  readonly rounds: number;
  /** Sending time per variant and round. */
  readonly roundMs: number;
  /** A first, unmeasured level per variant (connections, tokens, settings, JIT). */
  readonly warmupMs: number;
  readonly graceMs: number;
  readonly onProgress?: (line: string) => void;
}

export interface VariantLatency {
  readonly label: string;
  readonly sent: number;
  readonly applied: number;
  /** Webhook 200 → commercetools update (ms), pooled over the rounds. */
  readonly e2eMs: LatencySummary;
  readonly rounds: readonly LevelResult[];
  /** Every round applied every event exactly once, correctly, with nothing rejected. */
  readonly clean: boolean;
}

export interface LatencyComparison {
  readonly ratePerSec: number;
  readonly variants: readonly [VariantLatency, VariantLatency];
  /** First variant minus second, ms. */
  readonly p50DiffMs: number;
  readonly p99DiffMs: number;
}

const clean = (l: LevelResult): boolean =>
  l.errors === 0 && l.rejected === 0 && l.notApplied === 0 && l.wrongUpdates === 0;

export async function compareAtRate(
  variants: readonly [CompareVariant, CompareVariant],
  options: CompareOptions,
): Promise<LatencyComparison> {
  const run = (variant: CompareVariant, label: string, durationMs: number, samples?: number[]) =>
    variant.harness.runLevel({
      label,
      ratePerSec: options.ratePerSec,
      durationMs,
      graceMs: options.graceMs,
      onProgress: options.onProgress,
      ...(samples ? { e2eSamplesMs: samples } : {}),
    });
  for (const variant of variants) {
    options.onProgress?.(`${variant.label}: warm-up ${options.warmupMs / 1000} s at ${options.ratePerSec}/s`);
    await run(variant, `${variant.label} warm-up`, options.warmupMs);
  }
  const samples = variants.map(() => [] as number[]);
  const rounds = variants.map(() => [] as LevelResult[]);
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) {
      const variant = variants[i]!;
      const level = await run(variant, `${variant.label} round ${round + 1}`, options.roundMs, samples[i]);
      rounds[i]!.push(level);
      options.onProgress?.(
        `${level.label}: applied ${level.applied}/${level.sent}, p50 ${level.e2eMs.p50.toFixed(0)} ms, p99 ${level.e2eMs.p99.toFixed(0)} ms`,
      );
    }
  }
  const result = variants.map((variant, i): VariantLatency => ({
    label: variant.label,
    sent: rounds[i]!.reduce((sum, l) => sum + l.sent, 0),
    applied: rounds[i]!.reduce((sum, l) => sum + l.applied, 0),
    e2eMs: summarise(samples[i]!),
    rounds: rounds[i]!,
    clean: rounds[i]!.every(clean),
  })) as [VariantLatency, VariantLatency];
  return {
    ratePerSec: options.ratePerSec,
    variants: result,
    p50DiffMs: result[0].e2eMs.p50 - result[1].e2eMs.p50,
    p99DiffMs: result[0].e2eMs.p99 - result[1].e2eMs.p99,
  };
}

/** What batching may add to the low-load latency, p50 and p99 alike (issue 17, "Measure"). */
export const LOW_LOAD_TARGET_DIFF_MS = 10;

/** The low-load comparison as e2e-latest.json keeps it; processor.bench.ts quotes it in its closing note. */
export interface LowLoadReport {
  /** Share of the max sustained rate, %. */
  readonly percent: number;
  readonly comparison: LatencyComparison;
  readonly targetDiffMs: number;
  readonly met: boolean;
}

export function lowLoadReport(percent: number, comparison: LatencyComparison): LowLoadReport {
  const target = LOW_LOAD_TARGET_DIFF_MS;
  return {
    percent,
    comparison,
    targetDiffMs: target,
    met: comparison.p50DiffMs <= target && comparison.p99DiffMs <= target,
  };
}
