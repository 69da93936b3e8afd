/**
 * Processor runtime configuration (docs/configuration.md): the common connection variables plus the runtime's own
 * knobs. Validated at start with the common env helpers (an unset or blank variable takes its default); every bad
 * variable is reported at once (ConfigError). Handler-specific variables (Fluent, commercetools) are validated by the
 * handlers that use them.
 */
import { z } from 'zod';
import { topicNames, type TopicNames } from '../schemas/index.js';
import {
  connectionEnvSchema,
  formatDurationMs,
  int,
  list,
  oneOf,
  parseEnv,
  parseRetryDelays,
  text,
  toConnectionConfig,
  type ConnectionConfig,
} from '../common/index.js';
import { DEFAULT_ROUTES, formatRoutes, parseRoutes, type Route } from './router.js';

/** PROCESSOR_ROUTES: message name → handler name; handler names are checked once handlers are registered. */
const routes = text(formatRoutes(DEFAULT_ROUTES)).transform((value, ctx) => {
  try {
    return parseRoutes(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/**
 * Longest retry delay accepted. A tier is a pause before another attempt, not a scheduler: longer delays outlive the
 * topics' default retention (7 days, `fc-connector topics create`) and Node's timer range (about 24.8 days).
 */
export const MAX_RETRY_DELAY_MS = 7 * 86_400_000;

const retryDelays = text('5s,1m,10m').transform((value, ctx) => {
  let delays: number[];
  try {
    delays = parseRetryDelays(value);
  } catch (error) {
    // The problem list names the variable already.
    ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^RETRY_DELAYS:\s*/, '') });
    return z.NEVER;
  }
  const tooLong = delays.findIndex((ms) => ms > MAX_RETRY_DELAY_MS);
  if (tooLong >= 0) {
    ctx.addIssue({
      code: 'custom',
      message: `tier ${tooLong + 1} waits ${formatDurationMs(delays[tooLong]!)}; at most ${formatDurationMs(MAX_RETRY_DELAY_MS)} is supported`,
    });
    return z.NEVER;
  }
  return delays;
});

/**
 * KafkaJS sends a heartbeat only when the interval has passed since the last one, checked between batches; with an
 * interval above a third of the session timeout, one slow check can let the session expire and the member is evicted.
 */
function heartbeatWithinSession(
  env: { SESSION_TIMEOUT_MS: number; HEARTBEAT_INTERVAL_MS: number },
  ctx: z.RefinementCtx,
): void {
  if (env.HEARTBEAT_INTERVAL_MS * 3 > env.SESSION_TIMEOUT_MS) {
    ctx.addIssue({
      code: 'custom',
      path: ['HEARTBEAT_INTERVAL_MS'],
      message:
        'must be at most a third of SESSION_TIMEOUT_MS, or a late heartbeat gets the member evicted; ' +
        'lower HEARTBEAT_INTERVAL_MS or raise SESSION_TIMEOUT_MS',
    });
  }
}

export const processorEnvSchema = connectionEnvSchema.and(
  z
    .object({
      CONSUMER_GROUP_ID: text('fc-connector-processor'),
      /** Handlers running at once across all keys and partitions. */
      PROCESSOR_CONCURRENCY: int({ default: 256, min: 1, max: 10_000 }),
      /** Partition batches processed at once (KafkaJS partitionsConsumedConcurrently). */
      PROCESSOR_PARTITIONS_CONCURRENCY: int({ default: 32, min: 1, max: 1_000 }),
      RETRY_DELAYS: retryDelays,
      PROCESSOR_PLUGINS: list(),
      PROCESSOR_ROUTES: routes,
      PORT: int({ default: 9090, min: 0, max: 65_535 }),
      HOST: text('0.0.0.0'),
      UNKNOWN_MESSAGE_POLICY: oneOf(['dlq', 'skip'], 'dlq'),
      /** Fetch sizing: large batches keep many keys in flight. */
      FETCH_MAX_BYTES: int({ default: 20 * 1024 * 1024, min: 1024, max: 1024 * 1024 * 1024 }),
      FETCH_MAX_BYTES_PER_PARTITION: int({ default: 2 * 1024 * 1024, min: 1024, max: 512 * 1024 * 1024 }),
      FETCH_MIN_BYTES: int({ default: 1, min: 1, max: 100 * 1024 * 1024 }),
      FETCH_MAX_WAIT_MS: int({ default: 250, min: 0, max: 60_000 }),
      SESSION_TIMEOUT_MS: int({ default: 30_000, min: 6_000, max: 300_000 }),
      HEARTBEAT_INTERVAL_MS: int({ default: 3_000, min: 100, max: 60_000 }),
      /** Liveness fails when a member holding partitions neither polls nor heartbeats this long (0 = off). */
      CONSUMER_STALL_TIMEOUT_MS: int({ default: 120_000, min: 0, max: 3_600_000 }),
      /** Outage pause: first backoff, cap. */
      PAUSE_BACKOFF_INITIAL_MS: int({ default: 1_000, min: 10, max: 600_000 }),
      PAUSE_BACKOFF_MAX_MS: int({ default: 60_000, min: 10, max: 3_600_000 }),
      /** Failure-rate breaker: within the window, at least MIN retryable failures making up ≥ RATIO of outcomes. */
      OUTAGE_WINDOW_MS: int({ default: 10_000, min: 100, max: 600_000 }),
      OUTAGE_MIN_FAILURES: int({ default: 50, min: 1, max: 1_000_000 }),
      OUTAGE_FAILURE_RATIO_PERCENT: int({ default: 80, min: 1, max: 100 }),
      /** Graceful stop: in-flight work gets this long before it is aborted (and redelivered later). */
      SHUTDOWN_TIMEOUT_MS: int({ default: 15_000, min: 0, max: 600_000 }),
      /** How often consumer lag and the DLQ size are polled (lag-poller.ts), independent of batches. */
      LAG_POLL_INTERVAL_MS: int({ default: 15_000, min: 100, max: 600_000 }),
    })
    .superRefine(heartbeatWithinSession),
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
  /** No poll and no heartbeat this long while holding partitions fails liveness (member-state.ts); 0 = off. */
  readonly consumerStallTimeoutMs: number;
  readonly pause: { readonly initialBackoffMs: number; readonly maxBackoffMs: number };
  readonly outage: { readonly windowMs: number; readonly minFailures: number; readonly failureRatio: number };
  readonly shutdownTimeoutMs: number;
  /** Lag and DLQ-size poll interval, ms. Default 15,000. */
  readonly lagPollIntervalMs: number;
}

export interface ProcessorConfig {
  readonly runtime: ProcessorRuntimeConfig;
  readonly plugins: readonly string[];
  /** Message name → handler name (PROCESSOR_ROUTES; default the order-status handler's names). */
  readonly routes: readonly Route[];
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
    consumerStallTimeoutMs: env.CONSUMER_STALL_TIMEOUT_MS,
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
    lagPollIntervalMs: env.LAG_POLL_INTERVAL_MS,
  });
}

/** Validates the environment; throws ConfigError naming every offending variable. */
export function loadProcessorConfig(env: NodeJS.ProcessEnv = process.env): ProcessorConfig {
  const parsed = parseEnv(processorEnvSchema, env);
  return Object.freeze({
    runtime: toRuntimeConfig(parsed),
    plugins: Object.freeze([...parsed.PROCESSOR_PLUGINS]),
    routes: Object.freeze([...parsed.PROCESSOR_ROUTES]),
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
