/**
 * Processor benchmark (`npm run bench:processor`, test/bench/README.md, "Targets"): this processor vs a naive KafkaJS eachMessage
 * consumer around the same order-status handler, on the shared broker and registry, with simulated Fluent and
 * commercetools adding a fixed latency to every call. Then a sweep: throughput vs PROCESSOR_CONCURRENCY and vs
 * partitions. Every case ends with a correctness check (orders in the states Fluent reports, nothing in the DLQ or
 * retry tiers); a failed check marks the run failed (exit 1) rather than reporting its figure as valid.
 *
 * Env (defaults): BENCH_RECORDS (20000), BENCH_ORDERS (5000), BENCH_PARTITIONS (12), BENCH_CONCURRENCY (256),
 * BENCH_LATENCY_MS (25), BENCH_TIME_LIMIT_S (90), BENCH_NAIVE_RECORDS (400), BENCH_NAIVE_ORDERS (100),
 * BENCH_NAIVE_TIME_S (20), BENCH_SWEEP_CONCURRENCY (16,64,256,512), BENCH_SWEEP_PARTITIONS (3,12),
 * BENCH_SWEEP_RECORDS (6000), BENCH_SWEEP_ORDERS (1500), BENCH_SWEEP_TIME_S (15), BENCH_SWEEP (true),
 * BENCH_PROFILE (false: profile the main run with node --cpu-prof and print the top self-time functions),
 * KAFKA_BROKERS, SCHEMA_REGISTRY_URL.
 * Writes test/bench/results/processor-<stamp>.json, processor-latest.json and processor-concurrency.svg.
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
  type Infra,
} from './support/common.js';
import { formatProfile, summariseCpuProfile } from './support/cpuprofile.js';
import { runProcessorCase, type ProcessorCaseOptions, type ProcessorCaseResult } from './support/processor-run.js';

const env = process.env;
const settings = {
  records: intEnv('BENCH_RECORDS', 20_000),
  orders: intEnv('BENCH_ORDERS', 5_000),
  partitions: intEnv('BENCH_PARTITIONS', 12),
  concurrency: intEnv('BENCH_CONCURRENCY', 256),
  latencyMs: intEnv('BENCH_LATENCY_MS', 25),
  timeLimitS: intEnv('BENCH_TIME_LIMIT_S', 90),
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
    `${fmt(r.done)}/${fmt(r.records)}`,
    (r.drainMs / 1000).toFixed(1),
    fmt(r.recordsPerSec),
    r.steadyRecordsPerSec === null ? '-' : fmt(r.steadyRecordsPerSec),
    fmt(r.processorCpuUsPerRecord),
    fmt(r.simulatorCpuUsPerRecord),
    `${r.simulators.fluentTokenRequests}/${r.simulators.ctTokenRequests}`,
    fmt(r.simulators.settingsQueriesPerRecord, 4),
    fmt(r.simulators.ctUpdatesApplied),
    r.correctness.ok ? 'OK' : 'FAIL',
  ];
}

async function main(): Promise<void> {
  const infra = infraFromEnv();
  const started = Date.now();
  const common = { latencyMs: settings.latencyMs };
  const ours = await runCase(infra, {
    ...common,
    variant: 'ours',
    label: 'ours (main)',
    records: settings.records,
    orders: settings.orders,
    partitions: settings.partitions,
    concurrency: settings.concurrency,
    timeLimitMs: settings.timeLimitS * 1000,
    profile: settings.profile,
  });
  const naive = await runCase(infra, {
    ...common,
    variant: 'naive',
    label: 'naive eachMessage',
    records: settings.naiveRecords,
    orders: settings.naiveOrders,
    partitions: settings.partitions,
    concurrency: 1,
    timeLimitMs: settings.naiveTimeS * 1000,
  });

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

  const all = [ours, naive, ...sweep];
  const header = [
    'case',
    'parts',
    'conc',
    'done',
    'drain s',
    'rec/s',
    'steady/s',
    'proc µs/rec',
    'sims µs/rec',
    'tokens F/CT',
    'settings q/rec',
    'CT writes',
    'check',
  ];
  console.log(`\n${table(header, all.map(row))}`);
  const speedup = ours.recordsPerSec / Math.max(1e-9, naive.recordsPerSec);
  console.log(
    `\nthis processor ${fmt(ours.recordsPerSec)} records/s (lag of ${fmt(ours.records)} drained in ${(ours.drainMs / 1000).toFixed(1)} s)` +
      ` vs naive ${fmt(naive.recordsPerSec, 1)} records/s → ${fmt(speedup, 1)}×`,
  );
  console.log(
    `targets (test/bench/README.md, +${settings.latencyMs} ms per downstream call): ≥ 1,000 order updates/s ${ours.recordsPerSec >= 1000 ? 'MET' : 'NOT MET'}, ≥ 10× naive ${speedup >= 10 ? 'MET' : 'NOT MET'};` +
      ` settings queries ${ours.simulators.fluentSettingsQueries} and token requests ${ours.simulators.fluentTokenRequests + ours.simulators.ctTokenRequests} for ${fmt(ours.done)} records (not per message)`,
  );

  let profile: ReturnType<typeof summariseCpuProfile> | undefined;
  if (ours.profile) {
    profile = summariseCpuProfile(ours.profile, 25);
    console.log(`\nCPU profile of the processor (main run): ${ours.profile}\n${formatProfile(profile)}`);
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
      { y: naive.recordsPerSec, label: `naive eachMessage ${fmt(naive.recordsPerSec, 1)}/s` },
    ],
  });
  const svgFile = join(resultsDir, 'processor-concurrency.svg');
  if (sweep.length > 0) writeFileSync(svgFile, svg);

  const failed = all.filter((r) => !r.correctness.ok);
  const file = writeResult('processor', {
    benchmark: 'processor',
    at: new Date().toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    machine: machine(),
    settings,
    main: ours,
    naive,
    speedup,
    targets: { recordsPerSec: 1000, speedup: 10, met: ours.recordsPerSec >= 1000 && speedup >= 10 },
    sweep,
    ...(profile ? { profile } : {}),
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
