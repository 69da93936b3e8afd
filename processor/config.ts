/**
 * Processor runtime configuration (DESIGN.md §7): the Common connection variables plus the runtime's own knobs.
 * Validated with zod at start; every bad variable is reported at once (ConfigError). Handler-specific variables
 * (Fluent, commercetools) are validated by the handlers that use them.
 */
import { z } from 'zod';
import { topicNames, type TopicNames } from '../schemas/index.js';
import { connectionEnvSchema, parseEnv, toConnectionConfig, type ConnectionConfig } from '../common/index.js';
import { parseRetryDelays } from './retry-policy.js';

const intFromEnv = (name: string, def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? String(def) : v.trim()))
    .pipe(
      z
        .string()
        .regex(/^\d+$/, `${name} must be a whole number`)
        .transform(Number)
        .pipe(z.number().int().min(min, `${name} must be ≥ ${min}`).max(max, `${name} must be ≤ ${max}`)),
    );

const listFromEnv = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

const retryDelaysFromEnv = z
  .string()
  .optional()
  .transform((v, ctx) => {
    try {
      return parseRetryDelays(v === undefined || v.trim() === '' ? '5s,1m,10m' : v);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

export const processorEnvSchema = connectionEnvSchema.and(
  z.object({
    CONSUMER_GROUP_ID: z.string().trim().min(1).default('fc-connector-processor'),
    /** Handlers running at once across all keys and partitions. */
    PROCESSOR_CONCURRENCY: intFromEnv('PROCESSOR_CONCURRENCY', 256, 1, 10_000),
    /** Partition batches processed at once (KafkaJS partitionsConsumedConcurrently). */
    PROCESSOR_PARTITIONS_CONCURRENCY: intFromEnv('PROCESSOR_PARTITIONS_CONCURRENCY', 32, 1, 1_000),
    RETRY_DELAYS: retryDelaysFromEnv,
    PROCESSOR_PLUGINS: listFromEnv,
    PORT: intFromEnv('PORT', 9090, 0, 65_535),
    HOST: z.string().trim().min(1).default('0.0.0.0'),
    UNKNOWN_MESSAGE_POLICY: z.enum(['dlq', 'skip']).default('dlq'),
    /** Fetch sizing: large batches keep many keys in flight. */
    FETCH_MAX_BYTES: intFromEnv('FETCH_MAX_BYTES', 20 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    FETCH_MAX_BYTES_PER_PARTITION: intFromEnv(
      'FETCH_MAX_BYTES_PER_PARTITION',
      2 * 1024 * 1024,
      1024,
      512 * 1024 * 1024,
    ),
    FETCH_MIN_BYTES: intFromEnv('FETCH_MIN_BYTES', 1, 1, 100 * 1024 * 1024),
    FETCH_MAX_WAIT_MS: intFromEnv('FETCH_MAX_WAIT_MS', 250, 0, 60_000),
    SESSION_TIMEOUT_MS: intFromEnv('SESSION_TIMEOUT_MS', 30_000, 6_000, 300_000),
    HEARTBEAT_INTERVAL_MS: intFromEnv('HEARTBEAT_INTERVAL_MS', 3_000, 100, 60_000),
    /** Outage pause: first backoff, cap. */
    PAUSE_BACKOFF_INITIAL_MS: intFromEnv('PAUSE_BACKOFF_INITIAL_MS', 1_000, 10, 600_000),
    PAUSE_BACKOFF_MAX_MS: intFromEnv('PAUSE_BACKOFF_MAX_MS', 60_000, 10, 3_600_000),
    /** Failure-rate breaker: within the window, at least MIN retryable failures making up ≥ RATIO of outcomes. */
    OUTAGE_WINDOW_MS: intFromEnv('OUTAGE_WINDOW_MS', 10_000, 100, 600_000),
    OUTAGE_MIN_FAILURES: intFromEnv('OUTAGE_MIN_FAILURES', 50, 1, 1_000_000),
    OUTAGE_FAILURE_RATIO_PERCENT: intFromEnv('OUTAGE_FAILURE_RATIO_PERCENT', 80, 1, 100),
    /** Graceful stop: in-flight work gets this long before it is aborted (and redelivered later). */
    SHUTDOWN_TIMEOUT_MS: intFromEnv('SHUTDOWN_TIMEOUT_MS', 15_000, 0, 600_000),
  }),
);

export type ProcessorEnv = z.output<typeof processorEnvSchema>;

export interface ProcessorRuntimeConfig {
  readonly connection: ConnectionConfig;
  readonly topics: TopicNames;
  readonly groupId: string;
  /** Max handlers in flight across keys and partitions. Default 256. */
  readonly concurrency: number;
  /** Partition batches processed at once. Default 32. */
  readonly partitionsConcurrency: number;
  /** One delay per retry tier, ms. Default [5000, 60000, 600000]. */
  readonly retryDelaysMs: readonly number[];
  /** What to do with a record whose message name has no handler. Default 'dlq'. */
  readonly unknownMessagePolicy: 'dlq' | 'skip';
  readonly fetch: {
    readonly maxBytes: number;
    readonly maxBytesPerPartition: number;
    readonly minBytes: number;
    readonly maxWaitTimeInMs: number;
  };
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly pause: { readonly initialBackoffMs: number; readonly maxBackoffMs: number };
  readonly outage: { readonly windowMs: number; readonly minFailures: number; readonly failureRatio: number };
  readonly shutdownTimeoutMs: number;
}

export interface ProcessorConfig {
  readonly runtime: ProcessorRuntimeConfig;
  readonly plugins: readonly string[];
  readonly port: number;
  readonly host: string;
}

export function toRuntimeConfig(env: ProcessorEnv): ProcessorRuntimeConfig {
  const connection = toConnectionConfig(env);
  return Object.freeze({
    connection,
    topics: topicNames(connection.topic, env.RETRY_DELAYS.length),
    groupId: env.CONSUMER_GROUP_ID,
    concurrency: env.PROCESSOR_CONCURRENCY,
    partitionsConcurrency: env.PROCESSOR_PARTITIONS_CONCURRENCY,
    retryDelaysMs: Object.freeze([...env.RETRY_DELAYS]),
    unknownMessagePolicy: env.UNKNOWN_MESSAGE_POLICY,
    fetch: {
      maxBytes: env.FETCH_MAX_BYTES,
      maxBytesPerPartition: env.FETCH_MAX_BYTES_PER_PARTITION,
      minBytes: env.FETCH_MIN_BYTES,
      maxWaitTimeInMs: env.FETCH_MAX_WAIT_MS,
    },
    sessionTimeoutMs: env.SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: env.HEARTBEAT_INTERVAL_MS,
    pause: {
      initialBackoffMs: env.PAUSE_BACKOFF_INITIAL_MS,
      maxBackoffMs: Math.max(env.PAUSE_BACKOFF_MAX_MS, env.PAUSE_BACKOFF_INITIAL_MS),
    },
    outage: {
      windowMs: env.OUTAGE_WINDOW_MS,
      minFailures: env.OUTAGE_MIN_FAILURES,
      failureRatio: env.OUTAGE_FAILURE_RATIO_PERCENT / 100,
    },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  });
}

/** Validates the environment; throws ConfigError naming every offending variable. */
export function loadProcessorConfig(env: NodeJS.ProcessEnv = process.env): ProcessorConfig {
  const parsed = parseEnv(processorEnvSchema, env);
  return Object.freeze({
    runtime: toRuntimeConfig(parsed),
    plugins: Object.freeze([...parsed.PROCESSOR_PLUGINS]),
    port: parsed.PORT,
    host: parsed.HOST,
  });
}

/** Runtime config for tests and embedding: defaults from an (optionally partial) env plus overrides. */
export function runtimeConfigFrom(
  env: NodeJS.ProcessEnv,
  overrides: Partial<ProcessorRuntimeConfig> = {},
): ProcessorRuntimeConfig {
  return Object.freeze({ ...loadProcessorConfig(env).runtime, ...overrides });
}
