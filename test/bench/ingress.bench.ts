/**
 * Ingress benchmark (`npm run bench:ingress`, test/bench/README.md, "Targets"): this ingress (batched produce) against a naive one
 * (one awaited producer.send per request), side by side in one run, over loopback against the shared broker and
 * registry. Bodies are signed up front (RSA-1024 like Fluent's keys; BENCH_KEY_BITS=1024,2048 adds a 2048 run).
 * The load generator (autocannon) runs in a child process so it does not share the server's event loop.
 *
 * Variants (BENCH_VARIANTS, default ours,idem,naive): `ours` is this ingress with plain acks=all produce
 * (INGRESS_IDEMPOTENT_PRODUCE=false), `idem` the same with idempotent produce (the default, ingress/kafka.ts), `naive`
 * the one-send-per-request one;
 * they take turns at each level (BENCH_ROUNDS times, the order reversed every other round, so load from elsewhere on the
 * machine falls on all alike), and the idempotent cost (idem vs ours, means over the rounds) is printed.
 *
 * Env: BENCH_DURATION_S (default 8), BENCH_WARMUP_S (2), BENCH_CONNECTIONS (16,64,256), BENCH_KEY_BITS (1024),
 * BENCH_BODIES (60000), BENCH_VERIFY_ASYNC (the ingress default), BENCH_VARIANTS, BENCH_ROUNDS (1), KAFKA_BROKERS,
 * SCHEMA_REGISTRY_URL.
 * Writes test/bench/results/ingress-<timestamp>.json and ingress-latest.json.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { WebhookSerde, createRegistry } from '../../schemas/index.js';
import { WEBHOOK_PATH, buildApp } from '../../ingress/app.js';
import { loadIngressConfig } from '../../ingress/config.js';
import { createKafkaAdapter } from '../../ingress/kafka.js';
import { createTopicsAndWait } from '../../cli/kafka.js';
import { barChartSvg } from './chart.js';
import { buildNaiveApp } from './naive-ingress.js';
import { replicationForCluster } from './support/common.js';

const env = process.env;
const durationS = Number(env.BENCH_DURATION_S ?? 8);
const warmupS = Number(env.BENCH_WARMUP_S ?? 2);
const connectionLevels = (env.BENCH_CONNECTIONS ?? '16,64,256').split(',').map(Number);
const keyBitsList = (env.BENCH_KEY_BITS ?? '1024').split(',').map(Number);
const bodyCount = Number(env.BENCH_BODIES ?? 60_000);
// For profiling one side alone (e.g. BENCH_VARIANTS=ours with node --cpu-prof).
type Variant = 'ours' | 'idem' | 'naive';
const variants = (env.BENCH_VARIANTS ?? 'ours,idem,naive').split(',') as Variant[];
const VARIANT_NAMES: Record<Variant, string> = {
  ours: 'this ingress (batched), plain produce',
  idem: 'this ingress, idempotent produce (default)',
  naive: 'naive (one awaited send per request)',
};
const rounds = Math.max(1, Number(env.BENCH_ROUNDS ?? 1));
const brokers = env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const registryUrl = env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
const loadScript = fileURLToPath(new URL('./support/ingress-load.ts', import.meta.url));
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));

interface LoadResult {
  requestsPerSec: number;
  total: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  wrapped: boolean;
}

interface BatchStats {
  produceCalls: number;
  meanBatchSize: number;
  meanProduceMs: number;
}

/** One load level of one variant, as printed and written to the results file. */
interface IngressRun extends LoadResult {
  variant: Variant;
  round: number;
  keyBits: number;
  connections: number;
  durationS: number;
  serverCpuUsPerRequest: number;
  batch?: BatchStats;
}

function log(line: string) {
  process.stderr.write(`${line}\n`);
}

function writeBodies(keyBits: number): { file: string; publicKeyBase64: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: keyBits });
  const file = join(tmpdir(), `fc-ingress-bench-${keyBits}-${process.pid}.jsonl`);
  const lines: string[] = [];
  const started = Date.now();
  for (let i = 0; i < bodyCount; i++) {
    const order = `O_${i % 5_000}`;
    const body = JSON.stringify({
      id: randomUUID(),
      name: 'fc.connect.order.webhook.order-status-update',
      accountId: 'ACME',
      retailerId: '1',
      rootEntityId: String(i % 5_000),
      rootEntityRef: order,
      rootEntityType: 'ORDER',
      entityId: String(i % 5_000),
      entityRef: order,
      entityType: 'ORDER',
      entityStatus: i % 2 === 0 ? 'BOOKED' : 'SHIPPED',
      type: 'NORMAL',
      attributes: {},
    });
    lines.push(JSON.stringify({ body, signature: sign('sha512', Buffer.from(body), privateKey).toString('base64') }));
    if (i % 10_000 === 9_999) process.stderr.write(`\r  signing RSA-${keyBits} bodies: ${i + 1}/${bodyCount}`);
  }
  writeFileSync(file, lines.join('\n'));
  log(`\r  signed ${bodyCount} RSA-${keyBits} bodies in ${((Date.now() - started) / 1000).toFixed(1)} s      `);
  return { file, publicKeyBase64: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
}

async function batchStats(app: FastifyInstance) {
  const value = (values: { metricName?: string; value: number }[], suffix: string) =>
    values.filter((v) => v.metricName?.endsWith(suffix)).reduce((sum, v) => sum + v.value, 0);
  const size = (await app.ingress.metrics.batchSize.get()).values;
  const latency = (await app.ingress.metrics.produceSeconds.get()).values;
  return { calls: value(size, '_count'), records: value(size, '_sum'), produceSeconds: value(latency, '_sum') };
}

function runLoad(url: string, bodiesFile: string, connections: number, seconds: number, label: string) {
  return new Promise<LoadResult>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', loadScript], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as LoadResult);
    });
    child.stdin.end(JSON.stringify({ url, path: WEBHOOK_PATH, bodiesFile, connections, durationS: seconds, label }));
  });
}

async function main() {
  const kafka = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topic = `bench.ingress.${Date.now().toString(36)}`;
  const replication = await replicationForCluster(admin);
  await createTopicsAndWait(admin, [{ topic, numPartitions: 6, ...replication }]);
  log(`topic ${topic}: 6 partitions, replication factor ${replication.replicationFactor}`);
  const serde = new WebhookSerde(createRegistry({ url: registryUrl }));
  const logger = pino({ level: 'warn' });
  const runs: IngressRun[] = [];
  /** Verifier mode both variants ran with (INGRESS_VERIFY_ASYNC, default of the ingress). */
  let verifyAsyncUsed: boolean | undefined;

  try {
    for (const keyBits of keyBitsList) {
      const { file, publicKeyBase64 } = writeBodies(keyBits);
      const config = loadIngressConfig({
        ...env,
        KAFKA_BROKERS: brokers,
        SCHEMA_REGISTRY_URL: registryUrl,
        TOPIC_WEBHOOKS: topic,
        FLUENT_WEBHOOK_PUBLIC_KEYS: publicKeyBase64,
        FLUENT_ACCOUNTS: 'ACME',
        ...(env.BENCH_VERIFY_ASYNC ? { INGRESS_VERIFY_ASYNC: env.BENCH_VERIFY_ASYNC } : {}),
        LOG_LEVEL: 'warn',
      });
      verifyAsyncUsed = config.signature.async;
      for (const connections of connectionLevels) {
        for (let round = 1; round <= rounds; round++) {
          for (const variant of round % 2 === 1 ? variants : [...variants].reverse()) {
            let app: FastifyInstance;
            let close: () => Promise<void>;
            if (variant !== 'naive') {
              // As ingress/server.ts builds it.
              const producer = createKafkaAdapter(config.connection.kafka, {
                logger,
                idempotent: variant === 'idem',
                startWithinMs: config.batch.produceTimeoutMs,
              });
              await producer.connect();
              app = await buildApp(config, { producer, serde, logger });
              close = async () => {
                await app.close();
                await producer.disconnect();
              };
            } else {
              const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
              await producer.connect();
              app = buildNaiveApp({
                keys: config.signature.publicKeys,
                verifyAsync: config.signature.async,
                producer,
                serde,
                topic,
              });
              close = async () => {
                await app.close();
                await producer.disconnect();
              };
            }
            const url = await app.listen({ host: '127.0.0.1', port: 0 });
            const label = `${variant.padEnd(5)} RSA-${keyBits} c=${connections}${rounds > 1 ? ` round ${round}` : ''}`;
            try {
              if (warmupS > 0) await runLoad(url, file, connections, warmupS, `${label} warmup`);
              const cpuBefore = process.cpuUsage();
              const batchBefore = variant === 'naive' ? undefined : await batchStats(app);
              const result = await runLoad(url, file, connections, durationS, label);
              const cpu = process.cpuUsage(cpuBefore);
              // Server CPU per request: robust to other load on the machine, unlike req/s.
              const serverCpuUsPerRequest = result.total > 0 ? (cpu.user + cpu.system) / result.total : 0;
              let batch: BatchStats | undefined;
              if (batchBefore) {
                const after = await batchStats(app);
                const calls = after.calls - batchBefore.calls;
                batch = {
                  produceCalls: calls,
                  meanBatchSize: calls > 0 ? (after.records - batchBefore.records) / calls : 0,
                  meanProduceMs: calls > 0 ? ((after.produceSeconds - batchBefore.produceSeconds) * 1000) / calls : 0,
                };
              }
              runs.push({
                variant,
                round,
                keyBits,
                connections,
                durationS,
                ...result,
                serverCpuUsPerRequest,
                ...(batch ? { batch } : {}),
              });
            } finally {
              await close();
            }
          }
        }
      }
    }
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  }

  const fmt = (n: number, d = 0) => n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });
  const header = [
    'key',
    'conns',
    'variant',
    'req/s',
    'p50 ms',
    'p99 ms',
    'p99.9 ms',
    'max ms',
    'non-2xx',
    'errors',
    'cpu µs/req',
    'batch',
    'produce ms',
  ];
  const rows = runs.map((x) => [
    `RSA-${x.keyBits}`,
    String(x.connections),
    x.variant,
    fmt(x.requestsPerSec),
    fmt(x.p50, 1),
    fmt(x.p99, 1),
    fmt(x.p999, 1),
    fmt(x.max, 0),
    String(x.non2xx),
    String(x.errors + x.timeouts),
    fmt(x.serverCpuUsPerRequest, 0),
    x.batch ? fmt(x.batch.meanBatchSize, 1) : '-',
    x.batch ? fmt(x.batch.meanProduceMs, 1) : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  console.log(`\n${line(header)}\n${rows.map(line).join('\n')}`);

  const mean = (values: number[]) => (values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : NaN);
  /** Mean req/s and p99 of a variant at one level over its rounds. */
  const level = (variant: Variant, keyBits: number, connections: number) => {
    const of = runs.filter((r) => r.variant === variant && r.keyBits === keyBits && r.connections === connections);
    return of.length > 0
      ? { requestsPerSec: mean(of.map((r) => r.requestsPerSec)), p99: mean(of.map((r) => r.p99)) }
      : undefined;
  };
  const ratios = keyBitsList.flatMap((keyBits) =>
    connectionLevels.map((connections) => {
      const ours = level('ours', keyBits, connections);
      const idem = level('idem', keyBits, connections);
      const naive = level('naive', keyBits, connections);
      return {
        keyBits,
        connections,
        speedup: ours && naive ? ours.requestsPerSec / naive.requestsPerSec : null,
        // Throughput lost and p99 added by idempotent produce (ingress/kafka.ts), same run.
        idempotentThroughputCost: ours && idem ? 1 - idem.requestsPerSec / ours.requestsPerSec : null,
        idempotentP99AddedMs: ours && idem ? idem.p99 - ours.p99 : null,
      };
    }),
  );
  console.log(
    `\nspeed-up ours/naive: ${ratios.map((r) => `RSA-${r.keyBits} c=${r.connections}: ${r.speedup?.toFixed(1) ?? '-'}×`).join(', ')}`,
  );
  if (variants.includes('idem') && variants.includes('ours')) {
    const signed = (x: number | null | undefined, digits: number, unit: string) =>
      x === null || x === undefined ? '-' : `${x >= 0 ? '+' : ''}${x.toFixed(digits)}${unit}`;
    const costs = ratios.map(
      (r) =>
        `RSA-${r.keyBits} c=${r.connections}: req/s ${signed(r.idempotentThroughputCost === null ? null : -r.idempotentThroughputCost * 100, 1, ' %')}, p99 ${signed(r.idempotentP99AddedMs, 1, ' ms')}`,
    );
    console.log(`idempotent produce vs plain${rounds > 1 ? ` (means of ${rounds} rounds)` : ''}: ${costs.join(', ')}`);
  }
  console.log('targets (test/bench/README.md): ≥ 5,000 req/s with p99 ≤ 25 ms, ≥ 5× naive');

  mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const report = {
    benchmark: 'ingress',
    at: new Date().toISOString(),
    node: process.version,
    cpus: (await import('node:os')).cpus().length,
    settings: {
      durationS,
      warmupS,
      connectionLevels,
      keyBitsList,
      bodyCount,
      brokers,
      replicationFactor: replication.replicationFactor,
      verifyAsync: verifyAsyncUsed,
      rounds,
      variants,
    },
    runs,
    ratios,
  };
  writeFileSync(join(resultsDir, `ingress-${stamp}.json`), JSON.stringify(report, null, 2));
  writeFileSync(join(resultsDir, 'ingress-latest.json'), JSON.stringify(report, null, 2));
  console.log(`results: test/bench/results/ingress-${stamp}.json`);
  for (const keyBits of keyBitsList) {
    const chart = (metric: 'requestsPerSec' | 'p99', title: string, yLabel: string, target: number) =>
      barChartSvg({
        title,
        subtitle: `RSA-${keyBits}, ${durationS} s per level, load generator in a separate process, broker on the same cores`,
        xLabel: 'concurrent connections',
        yLabel,
        categories: connectionLevels.map(String),
        series: variants.map((variant) => ({
          name: VARIANT_NAMES[variant],
          values: connectionLevels.map((c) => {
            const run = runs.find((r) => r.variant === variant && r.keyBits === keyBits && r.connections === c);
            return run?.[metric];
          }),
        })),
        references: [{ y: target, label: metric === 'p99' ? 'target p99 ≤ 25 ms' : 'target 5,000/s' }],
      });
    const throughputFile = join(resultsDir, `ingress-throughput-rsa${keyBits}.svg`);
    const latencyFile = join(resultsDir, `ingress-p99-rsa${keyBits}.svg`);
    writeFileSync(throughputFile, chart('requestsPerSec', 'Ingress throughput vs connections', 'webhooks/s', 5_000));
    writeFileSync(latencyFile, chart('p99', 'Ingress p99 latency vs connections', 'p99 ms', 25));
    console.log(`charts: ${throughputFile}, ${latencyFile}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
