/**
 * Avro serde through a Confluent-compatible schema registry. The writer schema is registered (or looked up) once per
 * subject and its id cached; decoding resolves writer schemas by the id in each record (cached by the client).
 */
import { readFileSync } from 'node:fs';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { ERROR_BRAND } from './error-brand.js';
import type { FluentWebhookRecord } from './webhook-event.js';
import { valueSubject } from './topics.js';

export const WEBHOOK_EVENT_SCHEMA: string = readFileSync(new URL('./webhook-event.avsc', import.meta.url), 'utf8');

export interface RegistryOptions {
  /** Base URL of the Confluent-compatible API, e.g. http://127.0.0.1:8081/apis/ccompat/v7 */
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  /**
   * Per-HTTP-request timeout, ms (default 2000). Without one a registry that accepts connections but never answers
   * (stopped JVM, half-open network) hangs every encode/decode forever, and the cached registration promise with it.
   */
  timeoutMs?: number | undefined;
}

/*
 * The serde's two errors carry the connector's error brand and catalogue fields (code, retriable, outage) without
 * importing the runtime's error base (common/errors.ts), which sits above the contract.
 */

/** Thrown when bytes are not a registry-framed Avro record of a known schema: retrying cannot help (DLQ). */
export class UndecodableRecordError extends Error {
  readonly [ERROR_BRAND] = true as const;
  override readonly name = 'UndecodableRecordError';
  readonly code = 'UNDECODABLE_RECORD';
  readonly retriable = false;
  readonly outage = false;
  readonly canRetry = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Thrown when the registry cannot be reached or answers 5xx: every record is affected, so it is an outage. */
export class RegistryUnavailableError extends Error {
  readonly [ERROR_BRAND] = true as const;
  override readonly name = 'RegistryUnavailableError';
  readonly code = 'REGISTRY_UNAVAILABLE';
  readonly retriable = true;
  readonly outage = true;
  readonly canRetry = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

type Middleware = NonNullable<ConstructorParameters<typeof SchemaRegistry>[0]['middlewares']>[number];

/** mappersmith middleware giving every registry request a timeout (the client sets none by default). */
function requestTimeout(timeoutMs: number): Middleware {
  return () => ({
    prepareRequest: (next) => next().then((request) => request.enhance({ timeout: timeoutMs })),
  });
}

export function createRegistry(options: RegistryOptions): SchemaRegistry {
  const auth =
    options.username !== undefined && options.username !== ''
      ? { username: options.username, password: options.password ?? '' }
      : undefined;
  return new SchemaRegistry({
    host: options.url,
    ...(auth ? { auth } : {}),
    clientId: 'fc-connector',
    middlewares: [requestTimeout(options.timeoutMs ?? 2_000)],
    // Few, short retries: callers own the outer retry policy (ingress answers 503, processor pauses).
    retry: { retries: 2, initialRetryTimeInSecs: 0.1, maxRetryTimeInSecs: 1 },
  });
}

const MAGIC_BYTE = 0;

function isRegistryFramed(buffer: Buffer): boolean {
  return buffer.length > 5 && buffer[0] === MAGIC_BYTE;
}

/**
 * Whether a decode failure is the registry's fault (retry later) rather than the record's (dead letter). Network
 * failures and timeouts come first: mappersmith reports them as "status 400" with the socket error as text. An HTTP
 * answer is then judged by its status, never by digits in the message: "No content with ID '502' was found" is a
 * 404 for a record naming an unknown schema, while a 500 may carry any text. 401/403/408/429 are about the client or
 * the registry, not the record.
 */
function isRegistryUnavailable(error: unknown): boolean {
  const text = String((error as { message?: unknown } | null)?.message ?? error);
  if (
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|socket hang up|timeout|fetch failed/i.test(
      text,
    )
  ) {
    return true;
  }
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && (status >= 500 || [401, 403, 408, 429].includes(status));
}

export class WebhookSerde {
  private readonly schemaIds = new Map<string, Promise<number>>();

  constructor(readonly registry: SchemaRegistry) {}

  /** Registers the webhook schema under `<topic>-value` once; later calls reuse the id. */
  schemaIdFor(topic: string): Promise<number> {
    const subject = valueSubject(topic);
    let id = this.schemaIds.get(subject);
    if (!id) {
      id = this.registry
        .register({ type: SchemaType.AVRO, schema: WEBHOOK_EVENT_SCHEMA }, { subject })
        .then((r) => r.id)
        .catch((error: unknown) => {
          this.schemaIds.delete(subject);
          throw new RegistryUnavailableError(`schema registration for ${subject} failed: ${String(error)}`, {
            cause: error,
          });
        });
      this.schemaIds.set(subject, id);
    }
    return id;
  }

  async encode(topic: string, record: FluentWebhookRecord): Promise<Buffer> {
    const id = await this.schemaIdFor(topic);
    return this.registry.encode(id, record);
  }

  async decode(buffer: Buffer | null): Promise<FluentWebhookRecord> {
    if (!buffer || !isRegistryFramed(buffer)) {
      throw new UndecodableRecordError('value is not a schema-registry framed Avro record');
    }
    try {
      return (await this.registry.decode(buffer)) as FluentWebhookRecord;
    } catch (error) {
      if (isRegistryUnavailable(error)) {
        throw new RegistryUnavailableError(`schema registry unavailable while decoding: ${String(error)}`, {
          cause: error,
        });
      }
      throw new UndecodableRecordError(`cannot decode record: ${String(error)}`, { cause: error });
    }
  }
}
