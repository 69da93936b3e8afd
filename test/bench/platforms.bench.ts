/**
 * The ingress and processor benchmarks on two platforms in one run (`npm run bench:platforms`, test/bench/README.md,
 * "Single broker vs three brokers"): the shared single broker (replication factor 1) and the local three-broker
 * cluster (`STACK_BROKERS=3`, replication factor 3, min.insync.replicas 2: every acks=all produce waits for a
 * follower). Each benchmark runs as its own child (`npm run bench:ingress`, `bench:processor`) with KAFKA_BROKERS
 * pointed at one platform; this script brings the cluster up (Kafka only, the shared registry), collects the
 * `*-latest.json` each child writes and prints the figures side by side.
 *
 * Env: BENCH_PLATFORM_BENCHES (ingress,processor), BENCH_CONNECTIONS (64 here: the README's headline level),
 * BENCH_SWEEP (false here: the processor's main and naive runs only), plus each benchmark's own knobs.
 * Writes test/bench/results/platforms-<stamp>.json and platforms-latest.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, log, repoRoot, resultsDir, table, writeResult } from './support/common.js';

type Bench = 'ingress' | 'processor';
const benches = (process.env.BENCH_PLATFORM_BENCHES ?? 'ingress,processor').split(',') as Bench[];
const stackScript = join(repoRoot, 'deploy/local/stack.sh');

interface Platform {
  readonly label: string;
  readonly env: Record<string, string>;
}

/** Brings a stack up (idempotent) and returns its client addresses (`stack.sh env`). */
function stackUp(env: Record<string, string>): Record<string, string> {
  const full = { ...process.env, ...env };
  execFileSync('bash', [stackScript, 'up'], { env: full, stdio: ['ignore', 'inherit', 'inherit'] });
  const lines = execFileSync('bash', [stackScript, 'env'], { env: full, encoding: 'utf8' }).trim().split('\n');
  return Object.fromEntries(lines.map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]));
}

function runBench(bench: Bench, platform: Platform): Promise<void> {
  log(`\n=== ${bench} on ${platform.label} ===`);
  const env = { ...process.env, BENCH_CONNECTIONS: '64', BENCH_SWEEP: 'false', ...platform.env };
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, `test/bench/${bench}.bench.ts`)], {
    cwd: repoRoot,
    env,
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${bench} on ${platform.label}: ${code}`)),
    ),
  );
}

interface IngressFigures {
  ours: number;
  oursP99: number;
  naive: number;
  naiveP99: number;
}
interface ProcessorFigures {
  ours: number;
  naive: number;
}

function ingressFigures(file: string): IngressFigures {
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    runs: { variant: string; connections: number; requestsPerSec: number; p99: number }[];
  };
  const at64 = (variant: string) =>
    report.runs.find((r) => r.variant === variant && r.connections === 64) ??
    report.runs.find((r) => r.variant === variant)!;
  const ours = at64('ours');
  const naive = at64('naive');
  return { ours: ours.requestsPerSec, oursP99: ours.p99, naive: naive.requestsPerSec, naiveP99: naive.p99 };
}

function processorFigures(file: string): ProcessorFigures {
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    main: { recordsPerSec: number };
    naive: { recordsPerSec: number };
  };
  return { ours: report.main.recordsPerSec, naive: report.naive.recordsPerSec };
}

async function main() {
  const single = stackUp({});
  const cluster = stackUp({ STACK_BROKERS: '3', STACK_COMPONENTS: 'kafka' });
  const platforms: Platform[] = [
    {
      label: 'single broker (rf 1)',
      env: { KAFKA_BROKERS: single.KAFKA_BROKERS!, SCHEMA_REGISTRY_URL: single.SCHEMA_REGISTRY_URL! },
    },
    {
      label: '3 brokers (rf 3, min ISR 2)',
      env: { KAFKA_BROKERS: cluster.KAFKA_BROKERS!, SCHEMA_REGISTRY_URL: single.SCHEMA_REGISTRY_URL! },
    },
  ];
  const figures: { platform: string; ingress?: IngressFigures; processor?: ProcessorFigures }[] = [];
  for (const platform of platforms) {
    const entry: (typeof figures)[number] = { platform: platform.label };
    for (const bench of benches) {
      await runBench(bench, platform);
      const slug = platform.label.startsWith('single') ? 'single' : 'cluster3';
      const latest = join(resultsDir, `${bench}-latest.json`);
      copyFileSync(latest, join(resultsDir, `${bench}-${slug}-latest.json`));
      if (bench === 'ingress') entry.ingress = ingressFigures(latest);
      else entry.processor = processorFigures(latest);
    }
    figures.push(entry);
  }

  const rows = figures.map((f) => [
    f.platform,
    f.ingress ? `${fmt(f.ingress.ours)}/s, p99 ${fmt(f.ingress.oursP99)} ms` : '-',
    f.ingress ? `${fmt(f.ingress.naive)}/s, p99 ${fmt(f.ingress.naiveP99)} ms` : '-',
    f.ingress ? `${fmt(f.ingress.ours / f.ingress.naive, 1)}×` : '-',
    f.processor ? `${fmt(f.processor.ours)}/s` : '-',
    f.processor ? `${fmt(f.processor.naive, 1)}/s` : '-',
    f.processor ? `${fmt(f.processor.ours / f.processor.naive, 1)}×` : '-',
  ]);
  console.log(
    `\n${table(
      ['platform', 'ingress (64 conn)', 'naive ingress', 'ratio', 'processor', 'naive processor', 'ratio'],
      rows,
    )}`,
  );
  const [a, b] = figures;
  if (a?.ingress && b?.ingress) {
    console.log(
      `3 brokers vs 1: ingress ${fmt(b.ingress.ours / a.ingress.ours, 2)}× throughput, naive ${fmt(b.ingress.naive / a.ingress.naive, 2)}×`,
    );
  }
  const file = writeResult('platforms', { benchmark: 'platforms', at: new Date().toISOString(), figures });
  console.log(`results: ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
