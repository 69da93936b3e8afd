/**
 * The one catalogue of error codes (as fastify's lib/errors.js): every error the connector raises has a stable code
 * listed here, with whether a later attempt can succeed (`retriable`) and whether it is a sign that a whole
 * downstream is unavailable (`outage`: the processor pauses consumption instead of draining into retry tiers).
 * Codes end up in logs, metrics labels, the `fc-error-class` header and ingress/CLI error bodies, so they never change
 * meaning; add new ones instead.
 *
 * `status` is the HTTP status the ingress answers with; `exitCode` is what the CLI exits with.
 */
export interface ErrorCodeSpec {
  readonly retriable: boolean;
  readonly outage: boolean;
  readonly status?: number;
  readonly exitCode?: number;
  readonly description: string;
}

const spec = (
  retriable: boolean,
  description: string,
  extra: { outage?: boolean; status?: number; exitCode?: number } = {},
): ErrorCodeSpec => ({ retriable, outage: extra.outage ?? false, description, ...extra });

/** sysexits EX_CONFIG: a service that refuses to start on invalid configuration. */
export const EXIT_CONFIG = 78;

/** CLI exit codes: 2 usage (fix the command line or environment), 1 runtime failure, 130 interrupted (SIGINT). */
export const ExitCode = { ok: 0, runtime: 1, usage: 2, interrupted: 130, config: EXIT_CONFIG } as const;

export const ERROR_CODES = {
  // Configuration (every service and the CLI)
  CONFIG: spec(false, 'invalid environment configuration; the service does not start', { exitCode: EXIT_CONFIG }),

  // Connections (every service and the CLI)
  KAFKA_SECURITY: spec(
    false,
    'the brokers refuse the TLS or SASL settings (unknown CA, certificate not accepted, wrong credentials)',
    { exitCode: ExitCode.usage },
  ),

  // Record contract (schemas/serde)
  UNDECODABLE_RECORD: spec(false, 'bytes are not a registry-framed Avro record of a known schema'),
  REGISTRY_UNAVAILABLE: spec(true, 'the schema registry cannot be reached or answers 5xx', {
    outage: true,
    status: 503,
  }),
  SCHEMA_NOT_REGISTERED: spec(
    true,
    'the webhook schema is not registered under its subject and SCHEMA_REGISTRY_AUTO_REGISTER is false',
    { outage: true, status: 503, exitCode: ExitCode.runtime },
  ),

  // Processor
  RETRYABLE: spec(true, 'a transient failure (network, timeout, 5xx, 429, conflict after in-place attempts)'),
  DOWNSTREAM_UNAVAILABLE: spec(true, 'a downstream system is unavailable (502–504, connection refused)', {
    outage: true,
  }),
  DOWNSTREAM_ACCESS_DENIED: spec(
    true,
    "a downstream refuses the connector's credentials or scopes (token request rejected, 401 with a fresh token, 403)",
    { outage: true },
  ),
  NON_RETRYABLE: spec(false, 'retrying cannot help'),
  CONFIGURATION: spec(false, 'invalid mapping or settings in Fluent (the record is dead-lettered with the reason)'),
  NO_ROUTE: spec(false, 'no handler is registered for the message name'),
  RETRIES_EXHAUSTED: spec(false, 'every retry tier failed'),
  ORDER_NOT_FOUND: spec(true, 'the commercetools order does not exist (yet)'),
  ORDER_NOT_FOUND_FINAL: spec(false, 'the commercetools order still does not exist after the configured attempts'),
  RETAILER_MISMATCH: spec(
    false,
    "the Fluent order belongs to another retailer than the webhook's (nothing is written)",
  ),
  DUPLICATE_HANDLER: spec(false, 'two handlers claim one message name'),
  RETENTION_TOO_SHORT: spec(
    false,
    "a retry delay is longer than its retry topic's retention.ms (records would be deleted before they are due)",
  ),

  // Ingress (HTTP status Fluent sees)
  INVALID_JSON: spec(false, 'the body is not JSON', { status: 400 }),
  INVALID_PAYLOAD: spec(false, 'the body is not a JSON object or has invalid text', { status: 400 }),
  MISSING_FIELDS: spec(false, 'required payload fields are missing or mistyped', { status: 400 }),
  INVALID_REQUEST: spec(false, 'malformed HTTP request', { status: 400 }),
  MISSING_SIGNATURE: spec(false, 'no fluent-signature header', { status: 401 }),
  INVALID_SIGNATURE: spec(false, 'the signature does not verify with any configured key', { status: 401 }),
  ACCOUNT_NOT_ALLOWED: spec(false, "the webhook's account (or account and retailer) is not in FLUENT_ACCOUNTS", {
    status: 403,
  }),
  NOT_FOUND: spec(false, 'no such route', { status: 404 }),
  METHOD_NOT_ALLOWED: spec(false, 'method not allowed on this route', { status: 405 }),
  PAYLOAD_TOO_LARGE: spec(false, 'body larger than WEBHOOK_MAX_BODY_BYTES', { status: 413 }),
  RECORD_TOO_LARGE: spec(false, 'the Kafka record would exceed KAFKA_MAX_MESSAGE_BYTES', { status: 413 }),
  UNSUPPORTED_MEDIA_TYPE: spec(false, 'content type is not JSON (or not UTF-8)', { status: 415 }),
  INTERNAL_ERROR: spec(true, 'unexpected failure', { status: 500 }),
  KAFKA_UNAVAILABLE: spec(true, 'Kafka did not acknowledge the record in time', { status: 503, outage: true }),
  OVERLOADED: spec(true, 'too many webhooks waiting for Kafka', { status: 503 }),
  SHUTTING_DOWN: spec(true, 'the service is stopping', { status: 503 }),
  BATCH_TIMEOUT: spec(true, 'a produce batch was not acknowledged in time', { outage: true }),
  PRODUCE_DEADLINE: spec(true, 'a record was not acknowledged in time after joining the queue', { outage: true }),
  BATCHER_OVERLOADED: spec(true, 'the produce queue is full'),
  BATCHER_CLOSED: spec(true, 'the producer is closing'),

  // CLI (exit code)
  CLI_ERROR: spec(false, 'the command failed', { exitCode: ExitCode.runtime }),
  USAGE: spec(false, 'bad arguments or configuration', { exitCode: ExitCode.usage }),
  BROKERS_UNREACHABLE: spec(true, 'no Kafka broker answered', { exitCode: ExitCode.runtime }),
  UNKNOWN_TOPIC: spec(false, 'a connector topic does not exist', { exitCode: ExitCode.runtime }),
  GROUP_ACTIVE: spec(false, 'the consumer group has live members', { exitCode: ExitCode.runtime }),
  INTERRUPTED: spec(false, 'stopped by the operator', { exitCode: ExitCode.interrupted }),
  REPLICATION_FACTOR: spec(false, 'the replication factor exceeds the brokers in the cluster', {
    exitCode: ExitCode.usage,
  }),
  UNKNOWN_PARTITION: spec(false, 'the partition does not exist in the topic', { exitCode: ExitCode.runtime }),
  OFFSET_OUT_OF_RANGE: spec(false, 'the offset is outside the partition', { exitCode: ExitCode.runtime }),
  CHECKPOINT_CORRUPT: spec(false, 'a replay checkpoint file cannot be read', { exitCode: ExitCode.runtime }),
  REPLAY_LOCKED: spec(false, 'the same replay is already running', { exitCode: ExitCode.runtime }),
  RECONCILE_LOCKED: spec(false, 'the same reconciliation is already running', { exitCode: ExitCode.runtime }),
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;
