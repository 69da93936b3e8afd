/**
 * Processor benchmark (`npm run bench:processor`, test/bench/README.md, "Targets"). Main comparison: the same records
 * drained twice, with batched reads (the default) and with DOWNSTREAM_BATCH_READS=false, side by side — records/s,
 * downstream calls per record as the simulators counted them, batch sizes, CPU per record (docs/architecture.md
 * "Batched reads"). Then this processor vs a naive KafkaJS eachMessage consumer around the same order-status handler,
 * and a sweep (batched): throughput vs PROCESSOR_CONCURRENCY and vs partitions. All on the shared broker and
 * registry, with simulated Fluent and commercetools adding a fixed latency to every call. Every case ends with a
 * correctness check (orders in the states Fluent reports, nothing in the DLQ or retry tiers); a failed check marks
 * the run failed (exit 1) rather than reporting its figure as valid.
 *
 * Env (defaults): BENCH_RECORDS (20000), BENCH_ORDERS (5000), BENCH_PARTITIONS (12), BENCH_CONCURRENCY (256),
 * BENCH_LATENCY_MS (25), BENCH_TIME_LIMIT_S (90), BENCH_UNBATCHED (true: the unbatched run of the main comparison),
 * BENCH_COMPARE_ROUNDS (1: runs per variant, alternating A B B A …), BENCH_WARMUP_RECORDS (2000 per variant, 0: none),
 * BENCH_NAIVE (true), BENCH_NAIVE_RECORDS (400), BENCH_NAIVE_ORDERS (100), BENCH_NAIVE_TIME_S (20),
 * BENCH_SWEEP_CONCURRENCY (16,64,256,512), BENCH_SWEEP_PARTITIONS (3,12), BENCH_SWEEP_RECORDS (6000),
 * BENCH_SWEEP_ORDERS (1500), BENCH_SWEEP_TIME_S (15), BENCH_SWEEP (true), BENCH_PROFILE (false: profile the main
 * runs with node --cpu-prof and print the top self-time functions), KAFKA_BROKERS, SCHEMA_REGISTRY_URL.
 * Writes test/bench/results/processor-<stamp>.json, processor-latest.json and processor-concurrency.svg.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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
  type Infra,
} from './support/common.js';
import {
  batchingVerdict,
  callsPerRecord,
  COMPARISON_HEADER,
  comparisonRows,
  variantFigures,
  verdictLines,
  type VariantFigures,
} from './support/batch-comparison.js';
import { formatProfile, summariseCpuProfile } from './support/cpuprofile.js';
import { crossCheckProblems, meanBatchSize } from './support/downstream-calls.js';
import type { LowLoadReport } from './support/e2e-compare.js';
import { runProcessorCase, type ProcessorCaseOptions, type ProcessorCaseResult } from './support/processor-run.js';

const env = process.env;
const settings = {
  records: intEnv('BENCH_RECORDS', 20_000),
  orders: intEnv('BENCH_ORDERS', 5_000),
  partitions: intEnv('BENCH_PARTITIONS', 12),
  concurrency: intEnv('BENCH_CONCURRENCY', 256),
  latencyMs: intEnv('BENCH_LATENCY_MS', 25),
  timeLimitS: intEnv('BENCH_TIME_LIMIT_S', 90),
  unbatched: env.BENCH_UNBATCHED !== 'false',
  compareRounds: Math.max(1, intEnv('BENCH_COMPARE_ROUNDS', 1)),
  warmupRecords: intEnv('BENCH_WARMUP_RECORDS', 2_000),
  naive: env.BENCH_NAIVE !== 'false',
  naiveRecords: intEnv('BENCH_NAIVE_RECORDS', 400),
  naiveOrders: intEnv('BENCH_NAIVE_ORDERS', 100),
  naiveTimeS: intEnv('BENCH_NAIVE_TIME_S', 20),
  sweep: env.BENCH_SWEEP !== 'false',
  sweepConcurrency: intListEnv('BENCH_SWEEP_CONCURRENCY', [16, 64, 256, 512]),
  sweepPartitions: intListEnv('BENCH_SWEEP_PARTITIONS', [3, 12]),
  sweepRecords: intEnv('BENCH_SWEEP_RECORDS', 6_000),
  sweepOrders: intEnv('BENCH_SWEEP_ORDERS', 1_500),
  sweepTimeS: intEnv('BENCH_SWEEP_TIME_S', 15),
  profile: env.BENCH_PROFILE === 'true',
};
const logDir = join(resultsDir, 'logs');

function progressPrinter(label: string): ProcessorCaseOptions['onProgress'] {
  let lastPrint = 0;
  return (done, total, elapsedMs) => {
    if (elapsedMs - lastPrint < 2_000 && done < total) return;
    lastPrint = elapsedMs;
    const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
    log(
      `  ${label.padEnd(22)} ${fmt(done).padStart(7)}/${fmt(total)} records  ${(elapsedMs / 1000).toFixed(1)} s  ${fmt(rate)}/s`,
    );
  };
}

async function runCase(infra: Infra, options: Omit<ProcessorCaseOptions, 'infra' | 'logDir' | 'onProgress'>) {
  const label = options.label ?? `${options.variant} p=${options.partitions} c=${options.concurrency}`;
  log(
    `▶ ${label}: ${fmt(options.records)} records over ${fmt(options.orders)} orders, +${options.latencyMs} ms per call`,
  );
  const result = await runProcessorCase({ ...options, infra, logDir, label, onProgress: progressPrinter(label) });
  log(
    `  ${label}: ${fmt(result.done)} done in ${(result.drainMs / 1000).toFixed(1)} s → ${fmt(result.recordsPerSec)}/s` +
      ` (${result.drained ? 'drained' : 'time limit'}), correctness ${result.correctness.ok ? 'OK' : `FAILED: ${result.correctness.problems.join('; ')}`}`,
  );
  return result;
}

function row(r: ProcessorCaseResult): string[] {
  return [
    r.label,
    String(r.partitions),
    r.concurrency === null ? '-' : String(r.concurrency),
    r.batchReads ? 'on' : 'off',
    `${fmt(r.done)}/${fmt(r.records)}`,
    (r.drainMs / 1000).toFixed(1),
    fmt(r.recordsPerSec),
    r.steadyRecordsPerSec === null ? '-' : fmt(r.steadyRecordsPerSec),
    fmt(r.processorCpuUsPerRecord),
    fmt(r.simulatorCpuUsPerRecord),
    fmt(callsPerRecord(r).total, 3),
    `${fmt(meanBatchSize(r.downstream.fluentBatches), 1)}/${fmt(meanBatchSize(r.downstream.ctBatches), 1)}`,
    `${r.simulators.fluentTokenRequests}/${r.simulators.ctTokenRequests}`,
    fmt(r.simulators.settingsQueriesPerRecord, 4),
    fmt(r.simulators.ctUpdatesApplied),
    r.correctness.ok ? 'OK' : 'FAIL',
  ];
}

/** The low-load latency comparison of the last `npm run bench:e2e`, if it ran one (quoted in the closing note). */
function lastLowLoad(): (LowLoadReport & { measuredAt: string }) | undefined {
  const file = join(resultsDir, 'e2e-latest.json');
  if (!existsSync(file)) return undefined;
  const report = JSON.parse(readFileSync(file, 'utf8')) as { at: string; lowLoad?: LowLoadReport };
  return report.lowLoad ? { ...report.lowLoad, measuredAt: report.at } : undefined;
}

async function main(): Promise<void> {
  const infra = infraFromEnv();
  const started = Date.now();
  const common = { latencyMs: settings.latencyMs };
  // The same records (the topic's content is a function of these settings) and latency for both variants.
  const mainCase = {
    ...common,
    variant: 'ours',
    records: settings.records,
    orders: settings.orders,
    partitions: settings.partitions,
    concurrency: settings.concurrency,
    timeLimitMs: settings.timeLimitS * 1000,
    profile: settings.profile,
  } as const;
  const variants = settings.unbatched ? [true, false] : [true];
  const variantName = (batchReads: boolean) => (batchReads ? 'batched' : 'unbatched');
  // The first case of a run is slower (the simulators in this process are not yet compiled, the broker's caches cold):
  // one small unmeasured case per variant keeps that cost off whichever variant would go first.
  const warmups: ProcessorCaseResult[] = [];
  if (settings.warmupRecords > 0) {
    for (const batchReads of variants) {
      const warmup = await runCase(infra, {
        ...mainCase,
        label: `warm-up ${variantName(batchReads)}`,
        records: settings.warmupRecords,
        orders: Math.max(1, Math.floor(settings.warmupRecords / 4)),
        profile: false,
        batchReads,
      });
      warmups.push(warmup);
    }
  }
  // Rounds alternate the order (A B, B A, …) so a drift in the machine's load falls on both variants alike.
  const rounds = { batched: [] as ProcessorCaseResult[], unbatched: [] as ProcessorCaseResult[] };
  for (let round = 0; round < settings.compareRounds; round++) {
    for (const batchReads of round % 2 === 0 ? variants : [...variants].reverse()) {
      const name = variantName(batchReads);
      const result = await runCase(infra, {
        ...mainCase,
        label: `${name}${batchReads && round === 0 ? ' (main)' : ''}${settings.compareRounds > 1 ? ` #${round + 1}` : ''}`,
        profile: settings.profile && round === 0,
        batchReads,
      });
      rounds[name].push(result);
    }
  }
  const ours = rounds.batched[0]!;
  const unbatched = rounds.unbatched[0];
  const naive = settings.naive
    ? await runCase(infra, {
        ...common,
        variant: 'naive',
        label: 'naive eachMessage',
        records: settings.naiveRecords,
        orders: settings.naiveOrders,
        partitions: settings.partitions,
        concurrency: 1,
        timeLimitMs: settings.naiveTimeS * 1000,
      })
    : undefined;

  const sweep: ProcessorCaseResult[] = [];
  if (settings.sweep) {
    const points: { partitions: number; concurrency: number }[] = [];
    const mainPartitions = settings.sweepPartitions[settings.sweepPartitions.length - 1]!;
    for (const c of settings.sweepConcurrency) points.push({ partitions: mainPartitions, concurrency: c });
    for (const p of settings.sweepPartitions.slice(0, -1))
      points.push({ partitions: p, concurrency: settings.concurrency });
    for (const point of points) {
      sweep.push(
        await runCase(infra, {
          ...common,
          variant: 'ours',
          label: `sweep p=${point.partitions} c=${point.concurrency}`,
          records: settings.sweepRecords,
          orders: settings.sweepOrders,
          partitions: point.partitions,
          concurrency: point.concurrency,
          timeLimitMs: settings.sweepTimeS * 1000,
        }),
      );
    }
  }

  const comparisonCases = [...rounds.batched, ...rounds.unbatched];
  const all = [...comparisonCases, ...(naive ? [naive] : []), ...sweep];
  const header = [
    'case',
    'parts',
    'conc',
    'batch',
    'done',
    'drain s',
    'rec/s',
    'steady/s',
    'proc µs/rec',
    'sims µs/rec',
    'calls/rec',
    'batch F/CT',
    'tokens F/CT',
    'settings q/rec',
    'CT writes',
    'check',
  ];
  console.log(`\n${table(header, all.map(row))}`);

  let verdict: ReturnType<typeof batchingVerdict> | undefined;
  let figures: { batched: VariantFigures; unbatched: VariantFigures } | undefined;
  if (unbatched) {
    figures = { batched: variantFigures(rounds.batched), unbatched: variantFigures(rounds.unbatched) };
    console.log(
      `\nbatched vs unbatched reads (${fmt(settings.records)} records over ${fmt(settings.orders)} orders, ${settings.partitions} partitions,` +
        ` concurrency ${settings.concurrency}, +${settings.latencyMs} ms per call; calls counted by the simulators` +
        `${settings.compareRounds > 1 ? `; ${settings.compareRounds} rounds each, pooled` : ''})\n` +
        table(COMPARISON_HEADER, comparisonRows(figures.batched, figures.unbatched)),
    );
    verdict = batchingVerdict(figures.batched, figures.unbatched, lastLowLoad());
    console.log(`\nissue 17, before (unbatched) → after (batched):\n${verdictLines(verdict).join('\n')}`);
  }
  for (const r of comparisonCases) {
    const problems = crossCheckProblems(r.downstream);
    console.log(
      `cross-check ${r.label}: fc_downstream_calls_total ${problems.length === 0 ? 'equals the simulators’ GraphQL request counts' : `differs: ${problems.join('; ')}`}`,
    );
  }

  const speedup = naive ? ours.recordsPerSec / Math.max(1e-9, naive.recordsPerSec) : undefined;
  console.log(
    `\nthis processor ${fmt(ours.recordsPerSec)} records/s (lag of ${fmt(ours.records)} drained in ${(ours.drainMs / 1000).toFixed(1)} s)` +
      (naive ? ` vs naive ${fmt(naive.recordsPerSec, 1)} records/s → ${fmt(speedup, 1)}×` : ''),
  );
  console.log(
    `targets (test/bench/README.md, +${settings.latencyMs} ms per downstream call): ≥ 1,000 order updates/s ${ours.recordsPerSec >= 1000 ? 'MET' : 'NOT MET'}` +
      (speedup === undefined ? '' : `, ≥ 10× naive ${speedup >= 10 ? 'MET' : 'NOT MET'}`) +
      `; settings queries ${ours.simulators.fluentSettingsQueries} and token requests ${ours.simulators.fluentTokenRequests + ours.simulators.ctTokenRequests} for ${fmt(ours.done)} records (not per message)`,
  );

  const profiles: Record<string, ReturnType<typeof summariseCpuProfile>> = {};
  for (const r of comparisonCases) {
    if (!r.profile) continue;
    profiles[r.label] = summariseCpuProfile(r.profile, 25);
    console.log(`\nCPU profile of the processor (${r.label}): ${r.profile}\n${formatProfile(profiles[r.label]!)}`);
  }

  const chartPoints = sweep.filter(
    (r) => r.partitions === settings.sweepPartitions[settings.sweepPartitions.length - 1],
  );
  const categories = chartPoints.map((r) => String(r.concurrency));
  const svg = barChartSvg({
    title: 'Processor throughput vs PROCESSOR_CONCURRENCY',
    subtitle: `+${settings.latencyMs} ms per Fluent/commercetools call · ${chartPoints[0]?.partitions ?? settings.partitions} partitions · 2-core machine shared with Kafka`,
    xLabel: 'PROCESSOR_CONCURRENCY',
    yLabel: 'records / s',
    categories,
    series: [
      { name: `${chartPoints[0]?.partitions ?? ''} partitions`, values: chartPoints.map((r) => r.recordsPerSec) },
      ...settings.sweepPartitions.slice(0, -1).map((p) => ({
        name: `${p} partitions`,
        values: chartPoints.map(
          (c) => sweep.find((r) => r.partitions === p && r.concurrency === c.concurrency)?.recordsPerSec,
        ),
      })),
    ],
    references: [
      { y: 1000, label: 'target 1,000/s' },
      ...(naive ? [{ y: naive.recordsPerSec, label: `naive eachMessage ${fmt(naive.recordsPerSec, 1)}/s` }] : []),
    ],
  });
  const svgFile = join(resultsDir, 'processor-concurrency.svg');
  if (sweep.length > 0) writeFileSync(svgFile, svg);

  // A warm-up's figures are not reported, but a wrong result in it still makes the run invalid.
  const failed = [...warmups, ...all].filter((r) => !r.correctness.ok);
  const file = writeResult('processor', {
    benchmark: 'processor',
    at: new Date().toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    machine: machine(),
    settings,
    main: ours,
    unbatched: unbatched ?? null,
    ...(figures ? { comparison: { ...figures, rounds } } : {}),
    naive: naive ?? null,
    speedup: speedup ?? null,
    targets: {
      recordsPerSec: 1000,
      speedup: 10,
      met: ours.recordsPerSec >= 1000 && (speedup === undefined || speedup >= 10),
    },
    ...(verdict ? { batching: verdict } : {}),
    sweep,
    ...(Object.keys(profiles).length > 0 ? { profiles } : {}),
    valid: failed.length === 0,
  });
  console.log(`results: ${file}${sweep.length > 0 ? `\nchart: ${svgFile}` : ''}`);
  if (failed.length > 0) {
    console.error(`correctness check FAILED for: ${failed.map((r) => r.label).join(', ')} — figures are not valid`);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
