/**
 * One processor benchmark case: fresh simulators (in this process) with a fixed added latency, orders seeded in
 * both, a topic pre-filled with N Avro order-status records over many keys, then ONE processor (ours or naive) in a
 * child process drains it. Measures drain time and records/s from the child's per-record events, CPU per record on
 * both sides, the downstream calls the simulators received (support/downstream-calls.ts), and checks correctness
 * afterwards so a fast-but-wrong run fails instead of reporting a figure.
 */
import { processorEnvFor } from '../../../sim/index.js';
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCommercetoolsSim } from '../../../sim/commercetools/index.js';
import {
  EXAMPLE_ORDER_STATUS_MAPPING,
  EXAMPLE_PAYMENT_STATUS_MAPPING,
  EXAMPLE_SHIPPING_STATUS_MAPPING,
  buildOrderStatusEvent,
  startFluentSim,
} from '../../../sim/fluent/index.js';
import { PAYMENT_STATES, SHIPMENT_STATES } from '../../../sim/commercetools/store.js';
import { createRegistry, toWebhookRecord, WebhookSerde, type TopicNames } from '../../../schemas/index.js';
import {
  benchKafka,
  benchName,
  createBenchTopics,
  deleteBenchTopics,
  topicSize,
  webhookMessage,
  type Infra,
} from './common.js';
import { countDownstreamCalls, type DownstreamCalls, type ProcessorCountedCalls } from './downstream-calls.js';

const childScript = fileURLToPath(new URL('./processor-child.ts', import.meta.url));

/** Fluent statuses the seeded orders cycle through; each changes the commercetools order from its initial Open. */
export const BENCH_STATUSES = ['BOOKED', 'PICK_PACK', 'AWAITING_COURIER_COLLECTION', 'COMPLETE', 'CANCELLED'] as const;

export interface ProcessorCaseOptions {
  readonly infra: Infra;
  readonly variant: 'ours' | 'naive';
  /** Records pre-filled in the topic. */
  readonly records: number;
  /** Distinct orders (keys); record i is about order i mod orders. */
  readonly orders: number;
  readonly partitions: number;
  /** PROCESSOR_CONCURRENCY (ignored by the naive variant). */
  readonly concurrency: number;
  /** DOWNSTREAM_BATCH_READS for the child (docs/architecture.md "Batched reads"). Default true, the processor's default. */
  readonly batchReads?: boolean;
  /** Latency added to every simulator call (token and GraphQL), ms. */
  readonly latencyMs: number;
  /** Stop after this long from group join even if not drained (the rate is then computed on what was done). */
  readonly timeLimitMs: number;
  /** Folder for the child's log (and CPU profile when `profile`). */
  readonly logDir: string;
  /** Run the child with `node --cpu-prof` into logDir. */
  readonly profile?: boolean;
  readonly label?: string;
  /** Called about every 250 ms while draining. */
  readonly onProgress?: (done: number, total: number, elapsedMs: number) => void;
}

export interface ProcessorCaseResult {
  readonly label: string;
  readonly variant: 'ours' | 'naive';
  readonly records: number;
  readonly orders: number;
  readonly partitions: number;
  readonly concurrency: number | null;
  readonly batchReads: boolean;
  readonly latencyMs: number;
  /** Records finished (handled or skipped) before the stop. */
  readonly done: number;
  /** True when every pre-filled record was finished within the time limit. */
  readonly drained: boolean;
  /** Group join → last record finished (ms). Equals the lag drain time when drained. */
  readonly drainMs: number;
  /** Group join → first record finished (ms): start-up cost (token, settings, connections, JIT). */
  readonly firstRecordMs: number;
  /** done ÷ drain time. */
  readonly recordsPerSec: number;
  /** Rate between 10 % and 90 % of the records done (excludes start-up and the tail). */
  readonly steadyRecordsPerSec: number | null;
  readonly outcomes: Record<string, number>;
  readonly processorCpuUsPerRecord: number;
  /** CPU of this process (both simulators + Kafka admin) per record. */
  readonly simulatorCpuUsPerRecord: number;
  readonly simulators: {
    readonly fluentTokenRequests: number;
    readonly fluentSettingsQueries: number;
    readonly fluentOrderQueries: number;
    readonly ctTokenRequests: number;
    readonly ctReads: number;
    readonly ctUpdates: number;
    readonly ctUpdatesApplied: number;
    readonly ctConflicts: number;
    readonly settingsQueriesPerRecord: number;
    readonly tokenRequestsPerRecord: number;
  };
  /** Every request the simulators received, by kind, and the batch volumes; per record: divide by `done`. */
  readonly downstream: DownstreamCalls;
  readonly correctness: {
    readonly ok: boolean;
    /** Orders in the state Fluent reports. */
    readonly ordersInExpectedState: number;
    /** Orders untouched (only allowed when the run was stopped by the time limit). */
    readonly ordersUntouched: number;
    /** Orders in any other state: always a failure. */
    readonly ordersWrong: number;
    readonly dlqRecords: number;
    readonly retryRecords: number;
    readonly problems: readonly string[];
  };
  readonly profile?: string;
}

type Expected = { orderState: string; paymentState: string | null; shipmentState: string | null };

const enumValue = (values: readonly string[], value: string | undefined): string | null =>
  value === undefined ? null : (values.find((v) => v.toLowerCase() === value.toLowerCase()) ?? null);

/** What the commercetools order must show for a Fluent status under the example mappings (docs/architecture.md, "Fluent"). */
export function expectedStates(status: string): Expected {
  return {
    orderState: EXAMPLE_ORDER_STATUS_MAPPING[status] ?? 'Open',
    paymentState: enumValue(PAYMENT_STATES, EXAMPLE_PAYMENT_STATUS_MAPPING[status]),
    shipmentState: enumValue(SHIPMENT_STATES, EXAMPLE_SHIPPING_STATUS_MAPPING[status]),
  };
}

export function benchOrderRef(i: number): string {
  return `BO_${i}`;
}

export async function prefillTopic(infra: Infra, topic: string, records: number, orders: number): Promise<void> {
  const serde = new WebhookSerde(createRegistry({ url: infra.schemaRegistryUrl }));
  const producer = benchKafka(infra).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const chunk = 2_000;
    for (let start = 0; start < records; start += chunk) {
      const messages = [];
      for (let i = start; i < Math.min(records, start + chunk); i++) {
        const order = i % orders;
        const ref = benchOrderRef(order);
        const payload = buildOrderStatusEvent({
          eventId: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
          orderId: String(100_000 + order),
          orderRef: ref,
          status: BENCH_STATUSES[order % BENCH_STATUSES.length]!,
        });
        const rawBody = Buffer.from(JSON.stringify(payload));
        const receivedAt = Date.now();
        const value = await serde.encode(topic, toWebhookRecord(payload, { rawBody, receivedAt }));
        messages.push(webhookMessage(payload, value, receivedAt));
      }
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

interface ChildProgress {
  type: 'progress';
  done: number;
  outcomes: Record<string, number>;
  firstAt: number;
  lastAt: number;
  cpuUs: number;
}

export async function runProcessorCase(options: ProcessorCaseOptions): Promise<ProcessorCaseResult> {
  const { infra, variant, records, orders, partitions, latencyMs } = options;
  if (orders > records) throw new Error(`orders (${orders}) must not exceed records (${records})`);
  const label = options.label ?? `${variant} p=${partitions}${variant === 'ours' ? ` c=${options.concurrency}` : ''}`;
  const batchReads = options.batchReads ?? true;
  mkdirSync(options.logDir, { recursive: true });
  const kafka = benchKafka(infra);
  const fluent = await startFluentSim({ seedMappingsFor: 'commercetools' });
  const ct = await startCommercetoolsSim();
  let topics: TopicNames | undefined;
  let child: ReturnType<typeof spawn> | undefined;
  try {
    for (let i = 0; i < orders; i++) {
      const ref = benchOrderRef(i);
      fluent.store.upsertOrder({ id: String(100_000 + i), ref, status: BENCH_STATUSES[i % BENCH_STATUSES.length] });
      ct.store.createOrder({ orderNumber: ref });
    }
    topics = await createBenchTopics(kafka, 'bench.processor', partitions);
    await prefillTopic(infra, topics.webhooks, records, orders);
    // Latency only after seeding: it applies to the processor's calls, not to the set-up.
    fluent.faults.set({ latencyMs });
    ct.faults.set({ latencyMs });
    fluent.stats.reset();
    ct.stats.reset();

    // One folder per profiled run: node writes one .cpuprofile per thread (tsx's loader runs in a worker).
    const profileDir = join(options.logDir, `cpu-${variant}-${Date.now()}`);
    const nodeArgs = [
      ...(options.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      '--import',
      'tsx',
      childScript,
    ];
    const env: Record<string, string> = {
      BENCH_VARIANT: variant,
      KAFKA_BROKERS: infra.kafkaBrokers,
      SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
      TOPIC_WEBHOOKS: topics.webhooks,
      RETRY_DELAYS: '5s',
      CONSUMER_GROUP_ID: benchName('bench.processor.group'),
      PROCESSOR_CONCURRENCY: String(options.concurrency),
      // Always explicit: a DOWNSTREAM_BATCH_READS in the caller's shell must not turn one variant into the other.
      DOWNSTREAM_BATCH_READS: String(batchReads),
      LOG_LEVEL: 'warn',
      ...processorEnvFor(fluent, ct),
    };
    const logFile = createWriteStream(join(options.logDir, `processor-${variant}-${Date.now()}.log`));
    const spawned = spawn(process.execPath, nodeArgs, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child = spawned;
    spawned.stdout?.pipe(logFile, { end: false });
    spawned.stderr?.pipe(logFile, { end: false });
    const exited = new Promise<number | null>((resolve) => spawned.once('exit', (code) => resolve(code)));

    let readyAt = 0;
    let last: ChildProgress = { type: 'progress', done: 0, outcomes: {}, firstAt: 0, lastAt: 0, cpuUs: 0 };
    const samples: { at: number; done: number }[] = [];
    let processorCounted: ProcessorCountedCalls | undefined;
    spawned.on('message', (message: { type: string; at?: number; byService?: ProcessorCountedCalls }) => {
      if (message.type === 'ready' && !readyAt) readyAt = message.at ?? Date.now();
      if (message.type === 'calls') processorCounted = message.byService;
      if (message.type === 'progress') {
        last = message as unknown as ChildProgress;
        samples.push({ at: Date.now(), done: last.done });
      }
    });
    let exitCode: number | null | undefined;
    void exited.then((code) => (exitCode = code));

    const startDeadline = Date.now() + 60_000;
    while (!readyAt) {
      if (exitCode !== undefined) throw new Error(`${label}: processor exited with ${exitCode} before joining`);
      if (Date.now() > startDeadline) throw new Error(`${label}: processor did not join the group within 60 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const cpuBefore = process.cpuUsage();
    const deadline = readyAt + options.timeLimitMs;
    while (last.done < records && Date.now() < deadline) {
      if (exitCode !== undefined) throw new Error(`${label}: processor exited with ${exitCode} while draining`);
      await new Promise((r) => setTimeout(r, 100));
      options.onProgress?.(last.done, records, Date.now() - readyAt);
    }
    const cpuSims = process.cpuUsage(cpuBefore);
    spawned.send({ type: 'stop' });
    const killer = setTimeout(() => spawned.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(killer);
    logFile.end();

    const done = last.done;
    const drained = done >= records;
    const drainMs = done > 0 ? last.lastAt - readyAt : Date.now() - readyAt;
    const at = (fraction: number) => samples.find((s) => s.done >= records * fraction);
    const s10 = at(0.1);
    const s90 = at(0.9);
    const steady = s10 && s90 && s90.at > s10.at ? (s90.done - s10.done) / ((s90.at - s10.at) / 1000) : null;

    // Counted before verify(), which reads the stores directly (not over HTTP) but stays out of the figures anyway.
    const downstream = { ...countDownstreamCalls(fluent.stats, ct.stats), processorCounted };
    const correctness = await verify(kafka, topics, fluent, ct, orders, drained);
    const handled = Math.max(1, done);
    return {
      label,
      variant,
      records,
      orders,
      partitions,
      concurrency: variant === 'ours' ? options.concurrency : null,
      batchReads,
      latencyMs,
      done,
      drained,
      drainMs,
      firstRecordMs: done > 0 ? last.firstAt - readyAt : NaN,
      recordsPerSec: done / Math.max(0.001, drainMs / 1000),
      steadyRecordsPerSec: steady,
      outcomes: last.outcomes,
      processorCpuUsPerRecord: last.cpuUs / handled,
      simulatorCpuUsPerRecord: (cpuSims.user + cpuSims.system) / handled,
      simulators: {
        fluentTokenRequests: fluent.stats.tokenRequests,
        fluentSettingsQueries: fluent.stats.byRootField.settings ?? 0,
        fluentOrderQueries: (fluent.stats.byRootField.orderById ?? 0) + (fluent.stats.byRootField.order ?? 0),
        ctTokenRequests: ct.stats.tokenRequests,
        ctReads: ct.stats.reads,
        ctUpdates: ct.stats.updates,
        ctUpdatesApplied: ct.stats.updatesApplied,
        ctConflicts: ct.stats.conflicts,
        settingsQueriesPerRecord: (fluent.stats.byRootField.settings ?? 0) / handled,
        tokenRequestsPerRecord: (fluent.stats.tokenRequests + ct.stats.tokenRequests) / handled,
      },
      downstream,
      correctness,
      ...(options.profile ? { profile: mainThreadProfile(profileDir) } : {}),
    };
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.allSettled([fluent.close(), ct.close()]);
    if (topics) await deleteBenchTopics(kafka, topics);
  }
}

/** The main thread's profile: the largest file (the loader worker goes idle once modules are compiled). */
function mainThreadProfile(dir: string): string | undefined {
  try {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => ({ f: join(dir, f), size: statSync(join(dir, f)).size }));
    return files.sort((a, b) => b.size - a.size)[0]?.f;
  } catch {
    return undefined;
  }
}

async function verify(
  kafka: ReturnType<typeof benchKafka>,
  topics: TopicNames,
  fluent: Awaited<ReturnType<typeof startFluentSim>>,
  ct: Awaited<ReturnType<typeof startCommercetoolsSim>>,
  orders: number,
  drained: boolean,
): Promise<ProcessorCaseResult['correctness']> {
  let expectedCount = 0;
  let untouched = 0;
  let wrong = 0;
  const problems: string[] = [];
  for (let i = 0; i < orders; i++) {
    const ref = benchOrderRef(i);
    const status = fluent.store.getOrder({ ref })?.status ?? '';
    const want = expectedStates(status);
    const got = ct.store.getByNumber(ref);
    if (!got) {
      wrong++;
      continue;
    }
    const actual = {
      orderState: got.orderState,
      paymentState: got.paymentState ?? null,
      shipmentState: got.shipmentState ?? null,
    };
    if (
      actual.orderState === want.orderState &&
      actual.paymentState === want.paymentState &&
      actual.shipmentState === want.shipmentState
    ) {
      expectedCount++;
    } else if (got.version === 1 && actual.orderState === 'Open' && !actual.paymentState && !actual.shipmentState) {
      untouched++;
    } else {
      wrong++;
      if (problems.length < 5)
        problems.push(`${ref}: Fluent ${status} → want ${JSON.stringify(want)}, got ${JSON.stringify(actual)}`);
    }
  }
  const dlqRecords = await topicSize(kafka, topics.dlq);
  let retryRecords = 0;
  for (const topic of topics.retries) retryRecords += await topicSize(kafka, topic);
  if (wrong > 0) problems.unshift(`${wrong} orders in a wrong state`);
  if (drained && untouched > 0) problems.unshift(`${untouched} orders never updated although every record was done`);
  if (dlqRecords > 0) problems.unshift(`${dlqRecords} records dead-lettered`);
  if (retryRecords > 0) problems.unshift(`${retryRecords} records sent to a retry tier`);
  return {
    ok: problems.length === 0,
    ordersInExpectedState: expectedCount,
    ordersUntouched: untouched,
    ordersWrong: wrong,
    dlqRecords,
    retryRecords,
    problems,
  };
}
