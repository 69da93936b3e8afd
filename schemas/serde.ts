/**
 * Avro serde through a Confluent-compatible schema registry. The writer schema's id is resolved once per subject and
 * cached: looked up by content under the subject, and registered when missing (auto-register, the default for local
 * runs) or reported missing when the registry denies applications writes (`autoRegister: false`; `fc-connector schemas register`
 * registers it from the deploy pipeline). Decoding resolves writer schemas by the id in each record (cached by the
 * client).
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
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
  /** PEM CA to trust and client certificate/key for mutual TLS (https URLs). */
  tls?: { ca?: string | undefined; cert?: string | undefined; key?: string | undefined } | undefined;
}

export interface SerdeOptions {
  /**
   * Register the schema when the subject lacks it (default true). False: look it up by content only, and fail with
   * SchemaNotRegisteredError when it is missing.
   */
  autoRegister?: boolean | undefined;
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

/** Thrown when auto-register is off and the subject lacks the webhook schema: a deployment step is missing. */
export class SchemaNotRegisteredError extends Error {
  readonly [ERROR_BRAND] = true as const;
  override readonly name = 'SchemaNotRegisteredError';
  readonly code = 'SCHEMA_NOT_REGISTERED';
  readonly retriable = true;
  readonly outage = true;
  readonly canRetry = true;
  constructor(readonly subject: string) {
    super(
      `the webhook schema is not registered under subject ${subject} and SCHEMA_REGISTRY_AUTO_REGISTER is false: ` +
        "register it with `fc-connector schemas register` (or let the chart's schemas job run)",
    );
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
  const tls = options.tls;
  // The client takes an agent; an https one carries the CA and client certificate to every request.
  const agent =
    tls && (tls.ca !== undefined || tls.cert !== undefined)
      ? new HttpsAgent({
          keepAlive: true,
          ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
          ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
          ...(tls.key !== undefined ? { key: tls.key } : {}),
        })
      : undefined;
  return new SchemaRegistry({
    host: options.url,
    ...(auth ? { auth } : {}),
    ...(agent ? { agent } : {}),
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

/**
 * A lookup's 404 (subject or schema not found): the client turns exactly that answer into its own
 * ConfluentSchemaRegistryError (other failures keep their HTTP status).
 */
function isNotFound(error: unknown): boolean {
  const e = error as { name?: unknown; status?: unknown } | null;
  return e?.status === 404 || e?.name === 'ConfluentSchemaRegistryError';
}

/**
 * A registry failure in words an operator acts on: refused credentials and TLS trouble name the settings to check
 * (their values never appear: the client's messages hold no credentials).
 */
function registryFailure(what: string, error: unknown): RegistryUnavailableError {
  const status = (error as { status?: unknown } | null)?.status;
  const text = String(error);
  const hint =
    status === 401 || /Unauthorized/.test(text)
      ? ' (HTTP 401: check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD)'
      : status === 403 || /Forbidden/.test(text)
        ? ' (HTTP 403: these credentials may not use this subject)'
        : /certificate|alert|EPROTO|handshake/i.test(text)
          ? ' (TLS: check SCHEMA_REGISTRY_CA, SCHEMA_REGISTRY_CERT and SCHEMA_REGISTRY_KEY)'
          : '';
  return new RegistryUnavailableError(`${what} failed: ${text}${hint}`, { cause: error });
}

export class WebhookSerde {
  private readonly schemaIds = new Map<string, Promise<number>>();
  private readonly autoRegister: boolean;

  constructor(
    readonly registry: SchemaRegistry,
    options: SerdeOptions = {},
  ) {
    this.autoRegister = options.autoRegister ?? true;
  }

  /** The schema id under `<topic>-value`, resolved once (registered or looked up, see SerdeOptions); later calls reuse it. */
  schemaIdFor(topic: string): Promise<number> {
    const subject = valueSubject(topic);
    let id = this.schemaIds.get(subject);
    if (!id) {
      id = this.resolve(subject).catch((error: unknown) => {
        this.schemaIds.delete(subject);
        throw error;
      });
      this.schemaIds.set(subject, id);
    }
    return id;
  }

  /**
   * Asks the registry now (no cache) for the schema's id under `<topic>-value`: for readiness, which must see a
   * registry that answers and a schema that resolves.
   */
  resolveSchema(topic: string): Promise<number> {
    return this.resolve(valueSubject(topic));
  }

  /** Looks the schema up by content; registers it when missing and auto-register is on. */
  private async resolve(subject: string): Promise<number> {
    try {
      return await this.registry.getRegistryIdBySchema(subject, {
        type: SchemaType.AVRO,
        schema: WEBHOOK_EVENT_SCHEMA,
      });
    } catch (error) {
      if (!isNotFound(error)) {
        throw registryFailure(`schema lookup under ${subject}`, error);
      }
      if (!this.autoRegister) throw new SchemaNotRegisteredError(subject);
    }
    try {
      return (await this.registry.register({ type: SchemaType.AVRO, schema: WEBHOOK_EVENT_SCHEMA }, { subject })).id;
    } catch (error) {
      throw registryFailure(`schema registration for ${subject}`, error);
    }
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

/** Where the webhook schema stands under a subject: its registry id and version. */
export interface RegisteredSchema {
  readonly subject: string;
  readonly id: number;
  readonly version: number;
  /** True when this call registered it; false when it was there already. */
  readonly created: boolean;
}

/** The client's own API resource (private in its types): the lookup answer carries the version, which we print. */
interface SubjectLookupApi {
  api: {
    Subject: {
      registered(args: {
        subject: string;
        body: { schema: string };
      }): Promise<{ data(): { id: number; version: number } }>;
    };
  };
}

/**
 * Registers the webhook schema under `<topic>-value` unless it is there already (idempotent), for the deploy pipeline
 * (`fc-connector schemas register`). Registry failures are RegistryUnavailableError, with the registry's reason.
 */
export async function registerWebhookSchema(registry: SchemaRegistry, topic: string): Promise<RegisteredSchema> {
  const subject = valueSubject(topic);
  const lookup = async () => {
    try {
      return (
        await (registry as unknown as SubjectLookupApi).api.Subject.registered({
          subject,
          body: { schema: WEBHOOK_EVENT_SCHEMA },
        })
      ).data();
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw registryFailure(`schema lookup under ${subject}`, error);
    }
  };
  const existing = await lookup();
  if (existing) return { subject, id: existing.id, version: existing.version, created: false };
  try {
    await registry.register({ type: SchemaType.AVRO, schema: WEBHOOK_EVENT_SCHEMA }, { subject });
  } catch (error) {
    throw registryFailure(`schema registration for ${subject}`, error);
  }
  const registered = await lookup();
  if (!registered) throw new RegistryUnavailableError(`schema registered under ${subject} but not found right after`);
  return { subject, id: registered.id, version: registered.version, created: true };
}
