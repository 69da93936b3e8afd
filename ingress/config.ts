/**
 * Ingress configuration: environment → validated, frozen object (docs/configuration.md), parsed with common/env's
 * helpers (an unset, empty or blank variable takes its default). Every bad variable is reported at once by
 * ConfigError; public keys are parsed here, once, and a bad one is named by its position in the list.
 *
 * WEBHOOK_MAX_BODY_BYTES defaults to 256 KiB: Fluent webhooks are a few KB, and the Avro record holds the raw body
 * plus the parsed fields (about twice the body), which must stay below the broker's message.max.bytes (1 MiB).
 *
 * HOST defaults to 127.0.0.1 so a developer laptop never exposes the endpoint by accident; container images and the
 * Helm chart set HOST=0.0.0.0.
 */
import { z } from 'zod';
import {
  ConfigError,
  bool,
  connectionEnvSchema,
  int,
  parseEnv,
  requiredText,
  text,
  toConnectionConfig,
  type ConnectionConfig,
} from '../common/index.js';
import { parseAllowlist, type AccountAllowlist } from './allowlist.js';
import { parsePublicKey, type PublicKeyEntry } from './signature.js';

/**
 * Splits FLUENT_WEBHOOK_PUBLIC_KEYS. Entries are separated by commas (neither base64 nor PEM contains one); the
 * result keeps the 1-based position of each entry so errors can name it without printing key material.
 */
function splitKeys(value: string): string[] {
  return value
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
}

export const ingressEnvSchema = connectionEnvSchema.safeExtend({
  PORT: int({ default: 8080, min: 0, max: 65535 }),
  HOST: text('127.0.0.1'),
  FLUENT_WEBHOOK_PUBLIC_KEYS: requiredText(
    'is required: comma-separated Fluent public keys (base64 SPKI or PEM)',
  ).transform((value, ctx) => {
    const entries = splitKeys(value);
    if (entries.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'at least one public key is required' });
      return z.NEVER;
    }
    const keys: PublicKeyEntry[] = [];
    entries.forEach((entry, index) => {
      try {
        keys.push(parsePublicKey(entry));
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: `entry ${index + 1} of ${entries.length} is not a usable RSA public key (${(error as Error).message})`,
        });
      }
    });
    return keys;
  }),
  FLUENT_ACCEPT_FLEX_SIGNATURE: bool(false),
  // Required: the signing key is per region, so leaving the allowlist out would serve every tenant of the region.
  FLUENT_ACCOUNTS: requiredText(
    'is required: comma list of Fluent accountId or accountId:retailerId served here, or * to accept every account',
  ).transform((value, ctx) => {
    try {
      return parseAllowlist(
        value
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean),
      );
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }),
  WEBHOOK_MAX_BODY_BYTES: int({ default: 262_144, min: 1_024, max: 16 * 1_048_576 }),
  INGRESS_BATCH_LINGER_MS: int({ default: 0, min: 0, max: 1_000 }),
  INGRESS_BATCH_MAX_SIZE: int({ default: 500, min: 1, max: 10_000 }),
  INGRESS_BATCH_MAX_IN_FLIGHT: int({ default: 2, min: 1, max: 64 }),
  INGRESS_PRODUCE_TIMEOUT_MS: int({ default: 5_000, min: 100, max: 120_000 }),
  // On, as Kafka's own producers since 3.0: exactly once on the topic across failover (test/reliability/README.md).
  INGRESS_IDEMPOTENT_PRODUCE: bool(true),
  INGRESS_MAX_QUEUED_BYTES: int({ default: 64 * 1_048_576, min: 1_048_576, max: 4_096 * 1_048_576 }),
  INGRESS_DEDUP_MAX_ENTRIES: int({ default: 100_000, min: 0, max: 10_000_000 }),
  INGRESS_DEDUP_TTL_MS: int({ default: 600_000, min: 1_000, max: 86_400_000 }),
  INGRESS_VERIFY_ASYNC: bool(true),
  INGRESS_RETRY_AFTER_SECONDS: int({ default: 5, min: 1, max: 3_600 }),
  INGRESS_SHUTDOWN_TIMEOUT_MS: int({ default: 10_000, min: 100, max: 600_000 }),
  /** Largest record the broker takes (its message.max.bytes; Kafka's default is 1,048,588). */
  KAFKA_MAX_MESSAGE_BYTES: int({ default: 1_000_000, min: 1_024, max: 64 * 1_048_576 }),
  INGRESS_REQUEST_TIMEOUT_MS: int({ default: 10_000, min: 100, max: 600_000 }),
});

export interface IngressConfig {
  readonly connection: ConnectionConfig;
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly maxBodyBytes: number;
    /**
     * Time a client gets to send the whole request (headers and body), default 10 s; a slow or stalled client is
     * then answered 408 and disconnected, so held-open sockets (slowloris) cannot pile up.
     */
    readonly requestTimeoutMs: number;
  };
  readonly signature: {
    readonly publicKeys: readonly PublicKeyEntry[];
    readonly acceptFlexSignature: boolean;
    /**
     * Verify on the libuv thread pool instead of inline. Default true: under HTTP load it measured ~45 % more
     * webhooks/s at lower p99 (8,000+ vs 5,600/s at 64 connections, RSA-1024), because verification then runs beside
     * the event loop instead of on it, although one inline verify is cheaper in isolation.
     */
    readonly async: boolean;
  };
  /** FLUENT_ACCOUNTS: accounts (and retailers) served; a signed webhook of any other gets 403 ACCOUNT_NOT_ALLOWED. */
  readonly accounts: AccountAllowlist;
  readonly batch: {
    readonly lingerMs: number;
    readonly maxBatchSize: number;
    readonly maxInFlight: number;
    /**
     * A webhook whose record Kafka has not acknowledged this long after it joined the produce queue is answered 503,
     * queued or in a produce call (a queued one is then never produced); it also times out a hung produce call, so one
     * setting bounds the request time when Kafka is down.
     */
    readonly produceTimeoutMs: number;
    /**
     * Idempotent produce (ingress/kafka.ts): exactly once on the topic across broker failover, at about a fifth less
     * throughput with KafkaJS 2.2.4 (one request per partition; test/reliability/README.md, "Exactly once on the
     * topic"); default true (INGRESS_IDEMPOTENT_PRODUCE=false: at least once, a copy possible after a failover).
     */
    readonly idempotent: boolean;
    /**
     * Bytes of records waiting for a produce call, default 64 MiB (about the 20,000-record count bound at 3 KB each,
     * well inside the chart's 512 MiB limit); beyond it webhooks are answered 503 OVERLOADED.
     */
    readonly maxQueuedBytes: number;
    /**
     * Largest record (key + Avro value + headers) the broker accepts, default 1,000,000 bytes. A webhook whose record
     * would exceed it is refused with 413 before batching, so it cannot fail the produce of the webhooks batched
     * with it (the record holds the raw body and the parsed fields, about twice the body).
     */
    readonly maxMessageBytes: number;
  };
  readonly dedup: { readonly maxEntries: number; readonly ttlMs: number };
  /** Retry-After seconds sent with every 503. */
  readonly retryAfterSeconds: number;
  readonly shutdownTimeoutMs: number;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) {
      // KeyObjects are native handles; freezing them is pointless and they are not plain data.
      if (child && typeof child === 'object' && child.constructor === Object) deepFreeze(child);
      else if (Array.isArray(child)) deepFreeze(child);
    }
  }
  return value;
}

/** Validates `env` and returns the frozen config; throws ConfigError listing every problem. */
export function loadIngressConfig(env: NodeJS.ProcessEnv = process.env): IngressConfig {
  const parsed = parseEnv(ingressEnvSchema, env);
  return deepFreeze({
    connection: toConnectionConfig(parsed),
    http: {
      host: parsed.HOST,
      port: parsed.PORT,
      maxBodyBytes: parsed.WEBHOOK_MAX_BODY_BYTES,
      requestTimeoutMs: parsed.INGRESS_REQUEST_TIMEOUT_MS,
    },
    signature: {
      publicKeys: parsed.FLUENT_WEBHOOK_PUBLIC_KEYS,
      acceptFlexSignature: parsed.FLUENT_ACCEPT_FLEX_SIGNATURE,
      async: parsed.INGRESS_VERIFY_ASYNC,
    },
    accounts: parsed.FLUENT_ACCOUNTS,
    batch: {
      lingerMs: parsed.INGRESS_BATCH_LINGER_MS,
      maxBatchSize: parsed.INGRESS_BATCH_MAX_SIZE,
      maxInFlight: parsed.INGRESS_BATCH_MAX_IN_FLIGHT,
      produceTimeoutMs: parsed.INGRESS_PRODUCE_TIMEOUT_MS,
      idempotent: parsed.INGRESS_IDEMPOTENT_PRODUCE,
      maxQueuedBytes: parsed.INGRESS_MAX_QUEUED_BYTES,
      maxMessageBytes: parsed.KAFKA_MAX_MESSAGE_BYTES,
    },
    dedup: { maxEntries: parsed.INGRESS_DEDUP_MAX_ENTRIES, ttlMs: parsed.INGRESS_DEDUP_TTL_MS },
    retryAfterSeconds: parsed.INGRESS_RETRY_AFTER_SECONDS,
    shutdownTimeoutMs: parsed.INGRESS_SHUTDOWN_TIMEOUT_MS,
  });
}

export { ConfigError };
