/**
 * Intake: one webhook from its raw bytes to a Kafka record acknowledged by all in-sync replicas, without HTTP.
 * verify signature (401) → decode and validate (400) → account allowlist (403) → dedup → Avro encode → batch → ack;
 * produce trouble is a 503
 * (docs/architecture.md, "Ingress responses"). Every refusal is an IngressError carrying its HTTP status; the webhook
 * route (routes/webhook.ts) only turns results and errors into responses.
 */
import type { Logger } from 'pino';
import {
  Headers,
  partitionKey,
  toWebhookRecord,
  type FluentWebhookPayload,
  type FluentWebhookRecord,
} from '../schemas/index.js';
import { isAllowed, type AccountAllowlist } from './allowlist.js';
import { Batcher } from './batcher.js';
import type { IngressConfig } from './config.js';
import { DedupWindow, type MarkInDoubt } from './dedup.js';
import { IngressError, fromProduceError } from './errors.js';
import type { OutgoingMessage, ProducerAdapter } from './kafka.js';
import type { IngressMetrics } from './metrics.js';
import { validatePayload } from './payload.js';
import { createSignatureVerifier, type SignatureVerifier } from './signature.js';
import { startProduceSpan } from './tracing.js';

export interface IntakeConfig {
  /** The webhook topic. */
  readonly topic: string;
  readonly signature: IngressConfig['signature'];
  readonly dedup: IngressConfig['dedup'];
  readonly batch: IngressConfig['batch'];
  /** FLUENT_ACCOUNTS: webhooks of other accounts are refused with 403 ACCOUNT_NOT_ALLOWED, nothing produced. */
  readonly accounts: AccountAllowlist;
}

/** The Avro encoder (WebhookSerde from schemas/). */
export interface WebhookEncoder {
  encode(topic: string, record: FluentWebhookRecord): Promise<Buffer>;
  /** Resolves the schema id now, uncached (readiness); encoders without it get the registry liveness check. */
  resolveSchema?(topic: string): Promise<number>;
}

export interface IntakeDeps {
  producer: Pick<ProducerAdapter, 'send'>;
  serde: WebhookEncoder;
  logger: Logger;
  metrics: Pick<IngressMetrics, 'verifySeconds' | 'batchSize' | 'produceSeconds'>;
  /** Clock for receivedAt (ms since epoch); default Date.now. */
  now?: (() => number) | undefined;
}

/** What intake reads of an HTTP request. */
export interface WebhookRequest {
  /** The raw body; anything but a non-empty Buffer is refused as an empty body. */
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** Who a webhook is, for logs: known once its payload is valid. */
export interface WebhookIdentity {
  id: string;
  orderRef: string;
  name: string;
}

export interface IntakeResult {
  status: 'accepted' | 'duplicate';
  id: string;
}

export interface Intake {
  /**
   * Accepts one webhook: resolves once its record is acknowledged (or it is a duplicate of one that was), rejects with
   * an IngressError. `identified` is told who the webhook is as soon as its payload is valid, so a later failure can
   * be logged with it.
   */
  accept(request: WebhookRequest, identified?: (webhook: WebhookIdentity) => void): Promise<IntakeResult>;
  readonly shuttingDown: boolean;
  /** From now on new webhooks are refused with SHUTTING_DOWN; accepted ones still complete. */
  beginShutdown(): void;
  /** Waits until every webhook accepted so far has its answer (its produce settled, or refused). */
  drain(): Promise<void>;
  /** Refuses new webhooks and drains; webhooks already past the door are still produced. */
  close(): Promise<void>;
  /**
   * Registers the schema now so the first webhook does not pay for it. A registry outage is not fatal (readiness
   * reports it and webhooks answer 503 until it is back), so this only logs.
   */
  warmUp(): Promise<void>;
}

/** Upper estimate of a record's size on the wire: key, value, headers and the per-record framing. */
export function recordBytes(key: string, value: Buffer, headers: Record<string, string>): number {
  let bytes = Buffer.byteLength(key) + value.length + 64;
  for (const [name, text] of Object.entries(headers)) bytes += name.length + Buffer.byteLength(text) + 8;
  return bytes;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes → a payload with every required field, or the IngressError saying why not. */
export function parsePayload(body: Buffer): FluentWebhookPayload {
  // Strict decoding: invalid bytes would otherwise become U+FFFD in the parsed fields while rawBody keeps them.
  let text: string;
  let parsed: unknown;
  try {
    text = UTF8.decode(body);
  } catch {
    throw new IngressError('INVALID_JSON', 'request body is not valid UTF-8');
  }
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new IngressError('INVALID_JSON', 'request body is not valid JSON');
  }
  const check = validatePayload(parsed);
  if (check.ok) return check.payload;
  if (check.notAnObject) throw new IngressError('INVALID_PAYLOAD', `body must be a JSON object, got ${check.actual}`);
  const parts = [
    check.missing.length > 0 ? `missing: ${check.missing.join(', ')}` : '',
    check.mistyped.length > 0 ? `wrong type: ${check.mistyped.map((p) => p.field).join(', ')}` : '',
  ].filter(Boolean);
  throw new IngressError('MISSING_FIELDS', `required fields are invalid (${parts.join('; ')})`, {
    missing: check.missing,
    mistyped: check.mistyped,
  });
}

/** The Kafka headers of a webhook's record (docs/architecture.md, "Kafka contract"). */
function recordHeaders(payload: FluentWebhookPayload, receivedAt: number, traceparent: string): Record<string, string> {
  return {
    [Headers.messageName]: payload.name,
    [Headers.eventId]: payload.id,
    [Headers.receivedAt]: String(receivedAt),
    [Headers.traceparent]: traceparent,
  };
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** The signature over the exact bytes; resolves with what the record keeps of it, else throws why not. */
function createSignatureCheck(config: IntakeConfig, metrics: IntakeDeps['metrics']) {
  const verifier: SignatureVerifier = createSignatureVerifier({
    keys: config.signature.publicKeys,
    acceptFlexSignature: config.signature.acceptFlexSignature,
    async: config.signature.async,
  });
  return async (body: Buffer, headers: WebhookRequest['headers']) => {
    const started = performance.now();
    const verdict = await verifier.verify({
      body,
      sha512Header: singleHeader(headers['fluent-signature']),
      md5Header: singleHeader(headers['flex.signature']),
    });
    metrics.verifySeconds.observe((performance.now() - started) / 1000);
    if (verdict.ok) return { signature: verdict.signature, signatureAlgorithm: verdict.algorithm };
    throw verdict.reason === 'missing'
      ? new IngressError('MISSING_SIGNATURE', 'fluent-signature header is required')
      : new IngressError('INVALID_SIGNATURE', 'signature does not match the body for any configured key');
  };
}

/** Any Fluent tenant of the region signs with the same key: the signature alone does not make a webhook ours. */
function assertAccountAllowed(accounts: IntakeConfig['accounts'], payload: FluentWebhookPayload): void {
  if (isAllowed(accounts, payload.accountId, payload.retailerId)) return;
  throw new IngressError(
    'ACCOUNT_NOT_ALLOWED',
    `account ${payload.accountId} (retailer ${payload.retailerId}) is not served by this connector (FLUENT_ACCOUNTS)`,
  );
}

/** The batcher between webhooks and the producer: one produce call per batch, each record bounded in time. */
function createProduceBatcher(config: IntakeConfig, deps: IntakeDeps): Batcher<OutgoingMessage> {
  const { logger, metrics } = deps;
  return new Batcher<OutgoingMessage>((messages) => deps.producer.send(config.topic, messages), {
    maxBatchSize: config.batch.maxBatchSize,
    lingerMs: config.batch.lingerMs,
    maxInFlight: config.batch.maxInFlight,
    timeoutMs: config.batch.produceTimeoutMs,
    // The same bound from the moment a record joins the queue: a hung broker cannot hold a request for the produce
    // calls queued ahead of it (docs/configuration.md).
    deadlineMs: config.batch.produceTimeoutMs,
    maxQueuedBytes: config.batch.maxQueuedBytes,
    sizeOf: (m) => recordBytes(m.key, m.value, m.headers),
    onBatch: (size, ms, error) => {
      metrics.batchSize.observe(size);
      metrics.produceSeconds.observe({ result: error === undefined ? 'ok' : 'error' }, ms / 1000);
      if (error !== undefined) logger.warn({ err: error, records: size }, 'produce batch failed');
    },
  });
}

export function createIntake(config: IntakeConfig, deps: IntakeDeps): Intake {
  const { topic } = config;
  const { logger, metrics } = deps;
  const now = deps.now ?? Date.now;
  const verify = createSignatureCheck(config, metrics);
  // A retry of an attempt still in doubt waits as long as a produce may (docs/architecture.md, "Ingress responses").
  const dedup = new DedupWindow({ ...config.dedup, inDoubtWaitMs: config.batch.produceTimeoutMs });
  const batcher = createProduceBatcher(config, deps);
  let shuttingDown = false;

  /** Encodes the record and resolves once Kafka acknowledged it; refuses a record the broker would refuse. */
  async function produce(
    record: FluentWebhookRecord,
    key: string,
    headers: Record<string, string>,
    markInDoubt: MarkInDoubt,
  ): Promise<void> {
    const value = await deps.serde.encode(topic, record);
    if (recordBytes(key, value, headers) > config.batch.maxMessageBytes) {
      throw new IngressError(
        'RECORD_TOO_LARGE',
        `the Kafka record for this webhook would exceed ${config.batch.maxMessageBytes} bytes (KAFKA_MAX_MESSAGE_BYTES)`,
      );
    }
    await batcher.add({ key, value, headers }, markInDoubt);
  }

  /** The whole path of one webhook; see Intake.accept. */
  async function acceptOne(
    request: WebhookRequest,
    identified?: (webhook: WebhookIdentity) => void,
  ): Promise<IntakeResult> {
    if (shuttingDown) throw new IngressError('SHUTTING_DOWN', 'ingress is shutting down, retry later');
    const receivedAt = now();
    const body = request.body;
    if (!Buffer.isBuffer(body) || body.length === 0) throw new IngressError('INVALID_JSON', 'request body is empty');

    const signed = await verify(body, request.headers);
    const payload = parsePayload(body);
    const key = partitionKey(payload);
    identified?.({ id: payload.id, orderRef: key, name: payload.name });
    assertAccountAllowed(config.accounts, payload);

    try {
      const outcome = await dedup.run(payload.id, async (markInDoubt) => {
        const record = toWebhookRecord(payload, { rawBody: body, receivedAt, ...signed });
        // The record's span (child of the request's) names the processor's parent in the record's traceparent.
        const span = startProduceSpan(topic, singleHeader(request.headers.traceparent));
        span.setAttribute('fc.event_id', payload.id);
        await produce(record, key, recordHeaders(payload, receivedAt, span.traceparent()), markInDoubt).then(
          () => span.end(),
          (error: unknown) => {
            span.end(error);
            throw error;
          },
        );
      });
      return { status: outcome === 'produced' ? 'accepted' : 'duplicate', id: payload.id };
    } catch (error) {
      throw fromProduceError(error);
    }
  }

  // Webhooks past the door: closing waits for them, so one still verifying or encoding is produced, not refused.
  const accepting = new Set<Promise<unknown>>();
  function tracked<T>(work: Promise<T>): Promise<T> {
    accepting.add(work);
    const forget = () => accepting.delete(work);
    work.then(forget, forget);
    return work;
  }
  async function settled(): Promise<void> {
    await Promise.allSettled([...accepting]);
  }

  return {
    accept: (request, identified) => tracked(acceptOne(request, identified)),
    get shuttingDown() {
      return shuttingDown;
    },
    beginShutdown() {
      shuttingDown = true;
    },
    async drain() {
      await settled();
      await batcher.flush();
    },
    async close() {
      shuttingDown = true;
      await settled();
      await batcher.close();
    },
    async warmUp() {
      await deps.serde.encode(topic, warmupRecord()).catch((error: unknown) => {
        logger.warn({ err: error }, 'webhook schema not resolvable at start; webhooks answer 503 until it is');
      });
    },
  };
}

function warmupRecord(): FluentWebhookRecord {
  return toWebhookRecord(
    { id: 'warmup', name: 'warmup', accountId: '-', retailerId: '-', entityId: '-', entityRef: '-', entityType: '-' },
    { rawBody: Buffer.alloc(0), receivedAt: 0 },
  );
}
