/**
 * Reconcile benchmark (`npm run bench:reconcile`): `fc-connector reconcile` as an operator runs it (a child process),
 * sweeping the Fluent simulator's orders into a fresh main topic on the shared broker and registry. Cases side by
 * side: window size (5,000 vs 20,000 orders, same page size: memory must not grow with the window), page size (1,000
 * vs 5,000, Fluent's maximum), and the dry run (Fluent listing alone, no Kafka). Reported per case: orders/s emitted
 * (from the run's summary line), Fluent pages, the child's peak RSS (VmHWM) and wall time; every producing case is
 * checked against the topic (exactly the orders swept, no more, no less).
 *
 * Env (defaults): BENCH_ORDERS (20000), BENCH_SMALL_ORDERS (5000), BENCH_PARTITIONS (12), KAFKA_BROKERS,
 * SCHEMA_REGISTRY_URL. Writes test/bench/results/reconcile-<stamp>.json and reconcile-latest.json.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFluentSim, type FluentSim } from '../../sim/fluent/index.js';
import {
  benchKafka,
  createBenchTopics,
  deleteBenchTopics,
  fmt,
  infraFromEnv,
  intEnv,
  log,
  machine,
  repoRoot,
  table,
  topicSize,
  writeResult,
} from './support/common.js';

const settings = {
  orders: intEnv('BENCH_ORDERS', 20_000),
  smallOrders: intEnv('BENCH_SMALL_ORDERS', 5_000),
  partitions: intEnv('BENCH_PARTITIONS', 12),
};

interface CaseResult {
  readonly name: string;
  readonly orders: number;
  readonly pageSize: number;
  readonly dryRun: boolean;
  readonly produced: number;
  readonly pages: number;
  readonly seconds: number;
  readonly ordersPerSecond: number;
  readonly peakRssMiB: number;
  readonly wallSeconds: number;
  readonly topicDelta: number | null;
  readonly ok: boolean;
}

/** Peak resident set of a live process (Linux VmHWM), MiB; 0 where /proc is not available. */
function peakRssMiB(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; peakMiB: number; wallSeconds: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli/main.ts'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    const last = d.toString().trim().split('\n').at(-1);
    if (last?.startsWith('reconcile')) log(`  ${last}`);
  });
  // VmHWM only grows: the last reading before the exit is the peak (sampled often enough to miss little).
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, peakRssMiB(child.pid ?? 0))), 50);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(sampler);
  if (code !== 0) log(stderr.slice(-2_000));
  return { code, stdout, peakMiB: peak, wallSeconds: (performance.now() - started) / 1000 };
}

function seed(fluent: FluentSim, from: number, to: number): void {
  const statuses = ['BOOKED', 'PICK_PACK', 'AWAITING_COURIER_COLLECTION', 'COMPLETE', 'CANCELLED'];
  for (let i = from; i < to; i++) {
    fluent.store.upsertOrder({
      id: String(1_000_000 + i),
      ref: `BENCH_${i}`,
      status: statuses[i % statuses.length],
      retailerId: '1',
    });
  }
}

async function main(): Promise<void> {
  const infra = infraFromEnv();
  const kafka = benchKafka(infra);
  const fluent = await startFluentSim();
  const topics = await createBenchTopics(kafka, 'bench.reconcile', settings.partitions);
  const stateDir = mkdtempSync(join(tmpdir(), 'fc-reconcile-bench-'));
  const env: NodeJS.ProcessEnv = {
    KAFKA_BROKERS: infra.kafkaBrokers,
    SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
    TOPIC_WEBHOOKS: topics.webhooks,
    FLUENT_BASE_URL: fluent.url,
    FLUENT_CLIENT_ID: fluent.credentials.clientId,
    FLUENT_CLIENT_SECRET: fluent.credentials.clientSecret,
    FLUENT_USERNAME: fluent.credentials.username,
    FLUENT_PASSWORD: fluent.credentials.password,
    FC_CONNECTOR_STATE_DIR: stateDir,
    LOG_LEVEL: 'warn',
  };
  const results: CaseResult[] = [];
  const runCase = async (name: string, orders: number, pageSize: number, dryRun: boolean) => {
    log(`${name}: ${fmt(orders)} orders, page ${fmt(pageSize)}${dryRun ? ', dry run' : ''}`);
    const before = await topicSize(kafka, topics.webhooks);
    const args = ['reconcile', '--since', '1h', '--page-size', String(pageSize), '--id', name.replace(/\W+/g, '-')];
    const run = await runCli(dryRun ? [...args, '--dry-run', '--sample', '0'] : args, env);
    const delta = dryRun ? null : (await topicSize(kafka, topics.webhooks)) - before;
    const summary = /produced=(\d+) pages=(\d+) seconds=([\d.]+)/.exec(run.stdout);
    const dry = /Would produce (\d+) event\(s\).*?; (\d+) Fluent page\(s\) read in ([\d.]+) s/.exec(run.stdout);
    const [produced, pages, seconds] = (summary ?? dry ?? []).slice(1).map(Number) as [number, number, number];
    const ok = run.code === 0 && produced === orders && (dryRun || delta === orders);
    results.push({
      name,
      orders,
      pageSize,
      dryRun,
      produced,
      pages,
      seconds,
      ordersPerSecond: produced / seconds,
      peakRssMiB: Math.round(run.peakMiB),
      wallSeconds: Number(run.wallSeconds.toFixed(1)),
      topicDelta: delta,
      ok,
    });
  };
  try {
    seed(fluent, 0, settings.smallOrders);
    await runCase(`${settings.smallOrders} orders, page 1000`, settings.smallOrders, 1_000, false);
    seed(fluent, settings.smallOrders, settings.orders);
    await runCase(`${settings.orders} orders, page 1000`, settings.orders, 1_000, false);
    await runCase(`${settings.orders} orders, page 5000`, settings.orders, 5_000, false);
    await runCase(`${settings.orders} orders, page 5000, dry run`, settings.orders, 5_000, true);
  } finally {
    await fluent.close();
    await deleteBenchTopics(kafka, topics);
  }
  const rows = results.map((r) => [
    r.name,
    fmt(r.produced),
    fmt(r.ordersPerSecond),
    fmt(r.pages),
    fmt(r.seconds, 1),
    fmt(r.peakRssMiB),
    fmt(r.wallSeconds, 1),
    r.topicDelta === null ? '-' : fmt(r.topicDelta),
    r.ok ? 'ok' : 'FAILED',
  ]);
  process.stdout.write(
    `\n${table(['case', 'orders', 'orders/s', 'Fluent pages', 'sweep s', 'peak RSS MiB', 'wall s', 'on topic', 'check'], rows)}\n`,
  );
  const file = writeResult('reconcile', { settings, machine: machine(), results });
  log(`\nwritten ${file}`);
  if (results.some((r) => !r.ok)) process.exitCode = 1;
}

await main();
