/**
 * Shared plumbing for the processor and end-to-end benchmarks: environment knobs, Kafka admin helpers that do not
 * depend on vitest, result files, and a plain-text table. Each benchmark's measuring logic lives in its own
 * support module so the smoke test can call it at tiny size.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { createTopicsAndWait } from '../../../cli/kafka.js';
import { desiredTopics } from '../../../cli/topics/plan.js';
import {
  Headers,
  partitionKey,
  topicNames,
  type FluentWebhookPayload,
  type TopicNames,
} from '../../../schemas/index.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

export interface Infra {
  readonly kafkaBrokers: string;
  readonly schemaRegistryUrl: string;
}

export function infraFromEnv(env: NodeJS.ProcessEnv = process.env): Infra {
  return {
    kafkaBrokers: env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    schemaRegistryUrl: env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
  };
}

/** A whole number from the environment, else the default; rejects junk rather than silently using NaN. */
export function intEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
}

export function intListEnv(name: string, fallback: number[], env: NodeJS.ProcessEnv = process.env): number[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw.split(',').map((part) => {
    const value = Number(part.trim());
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a comma list of numbers, got "${raw}"`);
    return value;
  });
}

/**
 * A webhook's Kafka message as the ingress writes it: partition key, the Avro value, and the contract headers
 * (docs/architecture.md, "Kafka contract"); `traceparent` only where the writer has one.
 */
export function webhookMessage(
  payload: FluentWebhookPayload,
  value: Buffer,
  receivedAt: number,
  traceparent?: string,
): { key: string; value: Buffer; headers: Record<string, string> } {
  return {
    key: partitionKey(payload),
    value,
    headers: {
      [Headers.messageName]: payload.name,
      [Headers.eventId]: payload.id,
      [Headers.receivedAt]: String(receivedAt),
      ...(traceparent === undefined ? {} : { [Headers.traceparent]: traceparent }),
    },
  };
}

export function benchName(prefix: string): string {
  return `${prefix}.${Date.now().toString(36)}.${randomUUID().slice(0, 6)}`;
}

export function benchKafka(infra: Infra, clientId = benchName('bench')): Kafka {
  return new Kafka({
    clientId,
    brokers: infra.kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 100 },
  });
}

/**
 * Replication as `fc-connector topics create` sets it from the cluster size (cli/topics/plan.ts): factor min(3,
 * brokers), min.insync.replicas 2 from factor 3. On the three-broker stack every acks=all produce waits for a follower.
 */
export async function replicationForCluster(
  admin: Admin,
): Promise<{ replicationFactor: number; configEntries: { name: string; value: string }[] }> {
  const brokers = (await admin.describeCluster()).brokers.length;
  const [spec] = desiredTopics(topicNames('bench', 0), { partitions: 1, retention: 1, dlqRetention: 1 }, brokers);
  return {
    replicationFactor: spec!.replicationFactor,
    configEntries: [{ name: 'min.insync.replicas', value: spec!.configs['min.insync.replicas']! }],
  };
}

/** Creates main, retry and DLQ topics under a fresh name, replicated as the cluster size allows. */
export async function createBenchTopics(kafka: Kafka, prefix: string, partitions: number): Promise<TopicNames> {
  const names = topicNames(benchName(prefix), 1);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const replication = await replicationForCluster(admin);
    await createTopicsAndWait(
      admin,
      [names.webhooks, ...names.retries, names.dlq].map((topic) => ({
        topic,
        numPartitions: topic === names.webhooks ? partitions : 1,
        ...replication,
      })),
    );
  } finally {
    await admin.disconnect();
  }
  return names;
}

export async function deleteBenchTopics(kafka: Kafka, names: TopicNames): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [names.webhooks, ...names.retries, names.dlq], timeout: 10_000 });
  } catch {
    // best effort: topics under bench.* are disposable
  } finally {
    await admin.disconnect();
  }
}

/** Records currently in a topic (sum of high watermarks minus low watermarks). */
export async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + (Number(p.high) - Number(p.low)), 0);
  } finally {
    await admin.disconnect();
  }
}

export function machine(): Record<string, unknown> {
  const list = cpus();
  return {
    node: process.version,
    cpus: list.length,
    cpuModel: list[0]?.model,
    memGiB: Math.round(totalmem() / 2 ** 30),
    loadAvg1mAtStart: Number(loadavg()[0]!.toFixed(2)),
    sharedWith: 'Kafka broker + schema registry (and other engineers’ test runs) on the same cores',
  };
}

/** Writes `<bench>-<stamp>.json` and `<bench>-latest.json` (same naming as the ingress benchmark). */
export function writeResult(bench: string, report: unknown, dir = resultsDir): string {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `${bench}-${stamp}.json`);
  const text = JSON.stringify(report, null, 2);
  writeFileSync(file, text);
  writeFileSync(join(dir, `${bench}-latest.json`), text);
  return file;
}

export const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined || !Number.isFinite(n)
    ? '-'
    : n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Right-aligned plain-text table. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}
