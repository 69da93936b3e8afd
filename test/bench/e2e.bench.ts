/**
 * End-to-end benchmark (`npm run bench:e2e`): webhook accepted (ingress 200) → commercetools order updated, through
 * the real ingress and processor processes, the shared broker and registry, and the simulators (+25 ms per call).
 * First a short ramp finds the highest sustained rate, then open-loop runs at 50 % and 90 % of it report the latency
 * distribution and throughput. Then, at 10 % of it, batched reads (the default) against DOWNSTREAM_BATCH_READS=false:
 * a second pipeline, both taking turns in alternating rounds (support/e2e-compare.ts), p50/p99 side by side and the
 * difference (target: batching adds ≤ 10 ms). Every event must end as exactly one correct commercetools update, else
 * exit 1.
 *
 * Env (defaults): BENCH_E2E_RATES (ramp, 100,200,400,600,800,1000,1200,1500), BENCH_E2E_STEP_S (4),
 * BENCH_E2E_DURATION_S (20), BENCH_E2E_MAX_P99_MS (2000: a ramp step with a higher p99 is not sustained),
 * BENCH_E2E_GRACE_S (3 for ramp steps, 15 for the measured levels), BENCH_LATENCY_MS (25), BENCH_PARTITIONS (12),
 * BENCH_CONCURRENCY (256), BENCH_E2E_COMPARE (true), BENCH_E2E_LOW_PERCENT (10), BENCH_E2E_LOW_ROUNDS (4),
 * BENCH_E2E_LOW_ROUND_S (8 per variant and round), BENCH_E2E_LOW_WARMUP_S (3), KAFKA_BROKERS, SCHEMA_REGISTRY_URL.
 * Writes test/bench/results/e2e-<stamp>.json, e2e-latest.json and e2e-latency.svg.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { barChartSvg } from './chart.js';
import {
  fmt,
  infraFromEnv,
  intEnv,
  intListEnv,
  log,
  machine,
  resultsDir,
  table,
  writeResult,
} from './support/common.js';
import { compareAtRate, lowLoadReport, type LowLoadReport } from './support/e2e-compare.js';
import { findMaxRate, isSustained, startE2eHarness, type E2eHarness, type LevelResult } from './support/e2e-run.js';

const settings = {
  rates: intListEnv('BENCH_E2E_RATES', [100, 200, 400, 600, 800, 1000, 1200, 1500]),
  stepS: intEnv('BENCH_E2E_STEP_S', 4),
  durationS: intEnv('BENCH_E2E_DURATION_S', 20),
  maxP99Ms: intEnv('BENCH_E2E_MAX_P99_MS', 2_000),
  rampGraceS: intEnv('BENCH_E2E_GRACE_S', 3),
  levelGraceS: 15,
  latencyMs: intEnv('BENCH_LATENCY_MS', 25),
  partitions: intEnv('BENCH_PARTITIONS', 12),
  concurrency: intEnv('BENCH_CONCURRENCY', 256),
  compare: process.env.BENCH_E2E_COMPARE !== 'false',
  lowPercent: intEnv('BENCH_E2E_LOW_PERCENT', 10),
  lowRounds: intEnv('BENCH_E2E_LOW_ROUNDS', 4),
  lowRoundS: intEnv('BENCH_E2E_LOW_ROUND_S', 8),
  lowWarmupS: intEnv('BENCH_E2E_LOW_WARMUP_S', 3),
};

function row(r: LevelResult): string[] {
  return [
    r.label,
    fmt(r.targetRatePerSec),
    fmt(r.acceptedPerSec),
    fmt(r.appliedPerSec),
    `${fmt(r.applied)}/${fmt(r.sent)}`,
    fmt(r.e2eMs.p50),
    fmt(r.e2eMs.p90),
    fmt(r.e2eMs.p99),
    fmt(r.e2eMs.max),
    fmt(r.ingressMs.p99),
    fmt(r.maxScheduleLagMs),
    String(r.rejected + r.errors),
    String(r.wrongUpdates),
  ];
}

async function main(): Promise<void> {
  const started = Date.now();
  const logDir = join(resultsDir, 'logs', `e2e-${Date.now()}`);
  const harnessOptions = {
    infra: infraFromEnv(),
    partitions: settings.partitions,
    concurrency: settings.concurrency,
    latencyMs: settings.latencyMs,
  };
  log(
    `starting ingress + processor (children), simulators +${settings.latencyMs} ms, ${settings.partitions} partitions`,
  );
  const harness = await startE2eHarness({ ...harnessOptions, batchReads: true, logDir: join(logDir, 'batched') });
  let unbatched: E2eHarness | undefined;
  let lowLoad: LowLoadReport | undefined;
  const progress = (line: string) => log(`  ${line}`);
  let ramp: Awaited<ReturnType<typeof findMaxRate>>;
  const levels: LevelResult[] = [];
  try {
    log('ramp: finding the highest sustained rate');
    ramp = await findMaxRate(harness, {
      rates: settings.rates,
      stepMs: settings.stepS * 1000,
      graceMs: settings.rampGraceS * 1000,
      maxP99Ms: settings.maxP99Ms,
      onProgress: progress,
    });
    if (ramp.maxSustainedPerSec === 0) throw new Error('no ramp level was sustained; see the ramp table');
    log(`max sustained ≈ ${ramp.maxSustainedPerSec}/s`);
    for (const fraction of [0.5, 0.9]) {
      const rate = Math.max(1, Math.round(ramp.maxSustainedPerSec * fraction));
      log(`level ${fraction * 100}% = ${rate}/s for ${settings.durationS} s`);
      levels.push(
        await harness.runLevel({
          label: `${fraction * 100}% of max`,
          ratePerSec: rate,
          durationMs: settings.durationS * 1000,
          graceMs: settings.levelGraceS * 1000,
          onProgress: progress,
        }),
      );
    }
    if (settings.compare) {
      const rate = Math.max(1, Math.round((ramp.maxSustainedPerSec * settings.lowPercent) / 100));
      log(
        `low load ${settings.lowPercent}% = ${rate}/s: batched vs unbatched (DOWNSTREAM_BATCH_READS=false, a second pipeline), ${settings.lowRounds} alternating rounds of ${settings.lowRoundS} s each`,
      );
      // Started only now, so its start-up does not load the machine during the ramp.
      unbatched = await startE2eHarness({ ...harnessOptions, batchReads: false, logDir: join(logDir, 'unbatched') });
      const comparison = await compareAtRate(
        [
          { label: 'batched', harness },
          { label: 'unbatched', harness: unbatched },
        ],
        {
          ratePerSec: rate,
          rounds: settings.lowRounds,
          roundMs: settings.lowRoundS * 1000,
          warmupMs: settings.lowWarmupS * 1000,
          graceMs: settings.levelGraceS * 1000,
          onProgress: progress,
        },
      );
      lowLoad = lowLoadReport(settings.lowPercent, comparison);
    }
  } finally {
    await Promise.allSettled([harness.close(), unbatched?.close()]);
  }

  const header = [
    'level',
    'target/s',
    'accepted/s',
    'applied/s',
    'applied',
    'e2e p50',
    'p90',
    'p99',
    'max ms',
    'ingress p99',
    'gen lag',
    'rej/err',
    'wrong',
  ];
  console.log(`\n${table(header, [...ramp.steps, ...levels].map(row))}`);
  console.log(
    `\nmax sustained rate ≈ ${fmt(ramp.maxSustainedPerSec)} webhooks/s (ramp steps of ${settings.stepS} s; sustained = all accepted, all applied within ${settings.rampGraceS} s, p99 ≤ ${settings.maxP99Ms} ms)`,
  );
  for (const l of levels) {
    console.log(
      `${l.label} (${fmt(l.targetRatePerSec)}/s): webhook 200 → commercetools updated p50 ${fmt(l.e2eMs.p50)} ms, p90 ${fmt(l.e2eMs.p90)} ms, p99 ${fmt(l.e2eMs.p99)} ms, max ${fmt(l.e2eMs.max)} ms; ${fmt(l.appliedPerSec)} updates/s`,
    );
  }

  if (lowLoad) printLowLoad(lowLoad);

  const svg = barChartSvg({
    title: 'End-to-end latency: webhook 200 → commercetools updated',
    subtitle: `open-loop at 50 % / 90 % of the max sustained ${fmt(ramp.maxSustainedPerSec)}/s · +${settings.latencyMs} ms per downstream call`,
    xLabel: 'percentile',
    yLabel: 'milliseconds',
    categories: ['p50', 'p90', 'p99', 'max'],
    series: levels.map((l) => ({
      name: `${l.label} (${fmt(l.targetRatePerSec)}/s)`,
      values: [l.e2eMs.p50, l.e2eMs.p90, l.e2eMs.p99, l.e2eMs.max],
    })),
  });
  const svgFile = join(resultsDir, 'e2e-latency.svg');
  writeFileSync(svgFile, svg);
  const invalid = [
    ...levels
      .filter((l) => l.wrongUpdates > 0 || l.notApplied > 0 || l.errors > 0 || l.rejected > 0)
      .map((l) => l.label),
    ...(lowLoad?.comparison.variants.filter((v) => !v.clean).map((v) => `${v.label} at low load`) ?? []),
  ];
  const file = writeResult('e2e', {
    benchmark: 'e2e',
    at: new Date().toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    machine: machine(),
    settings,
    ramp: { steps: ramp.steps, maxSustainedPerSec: ramp.maxSustainedPerSec },
    levels,
    levelsSustained: levels.map((l) => isSustained(l, settings.maxP99Ms)),
    ...(lowLoad ? { lowLoad } : {}),
    valid: invalid.length === 0,
  });
  console.log(`results: ${file}\nchart: ${svgFile}`);
  if (invalid.length > 0) {
    console.error(`levels with lost, rejected or wrong updates: ${invalid.join(', ')} — figures not valid`);
    process.exit(1);
  }
}

function printLowLoad(report: LowLoadReport): void {
  const { comparison } = report;
  const [batched, unbatched] = comparison.variants;
  const signed = (ms: number) => `${ms >= 0 ? '+' : '−'}${fmt(Math.abs(ms))}`;
  const rows = comparison.variants.map((v) => [
    v.label,
    fmt(comparison.ratePerSec),
    `${fmt(v.applied)}/${fmt(v.sent)}`,
    fmt(v.e2eMs.p50),
    fmt(v.e2eMs.p90),
    fmt(v.e2eMs.p99),
    fmt(v.e2eMs.max),
    v.clean ? 'OK' : 'FAIL',
  ]);
  rows.push(['batched − unbatched', '', '', signed(comparison.p50DiffMs), '', signed(comparison.p99DiffMs), '', '']);
  const header = ['low load', 'rate/s', 'applied', 'e2e p50', 'p90', 'p99', 'max ms', 'check'];
  console.log(`\n${table(header, rows)}`);
  console.log(
    `low load (${report.percent} % of max = ${fmt(comparison.ratePerSec)}/s, ${batched.rounds.length} alternating rounds each): webhook 200 → commercetools write` +
      ` p50 ${fmt(batched.e2eMs.p50)} ms batched vs ${fmt(unbatched.e2eMs.p50)} ms unbatched (${signed(comparison.p50DiffMs)} ms),` +
      ` p99 ${fmt(batched.e2eMs.p99)} vs ${fmt(unbatched.e2eMs.p99)} ms (${signed(comparison.p99DiffMs)} ms);` +
      ` target ≤ +${report.targetDiffMs} ms: ${report.met ? 'MET' : 'NOT MET'}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
