/**
 * buildApp: the Fastify application of the ingress (routes, raw-body parsing, error mapping). No listening and no
 * signal handling here (see server.ts), and every I/O dependency is injected so tests can use the real broker or swap
 * pieces.
 *
 * POST /api/v1/fluent-connect/webhook: raw body → signature (401) → JSON (400) → required fields (400) → dedup →
 * Avro encode → batched produce with acks=all → 200 only after the ack; Kafka/registry trouble → 503 + Retry-After.
 */
import { randomBytes } from 'node:crypto';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import { Headers, RegistryUnavailableError, partitionKey, toWebhookRecord, type FluentWebhookPayload, type FluentWebhookRecord } from '../schemas/index.js';
import { createServiceLogger } from '../common/index.js';
import { Batcher, BatcherClosedError, BatcherOverloadedError } from './batcher.js';
import type { IngressConfig } from './config.js';
import { DedupWindow } from './dedup.js';
import { IngressError, errorBody, fromFastifyError } from './errors.js';
import type { OutgoingMessage, ProducerAdapter } from './kafka.js';
import { createIngressMetrics, type IngressMetrics } from './metrics.js';
import { validatePayload } from './payload.js';
import { createReadiness, registryCheck, type ReadinessCheck } from './readiness.js';
import { createSignatureVerifier } from './signature.js';

export const WEBHOOK_PATH = '/api/v1/fluent-connect/webhook';

/** Upper estimate of a record's size on the wire: key, value, headers and the per-record framing. */
function recordBytes(key: string, value: Buffer, headers: Record<string, string>): number {
  let bytes = Buffer.byteLength(key) + value.length + 64;
  for (const [name, text] of Object.entries(headers)) bytes += name.length + Buffer.byteLength(text) + 8;
  return bytes;
}

export interface IngressDeps {
  producer: ProducerAdapter;
  /** Avro encoder (WebhookSerde from schemas/). */
  serde: { encode(topic: string, record: FluentWebhookRecord): Promise<Buffer> };
  /** Default: pino JSON on stdout at config LOG_LEVEL with REDACT_PATHS. */
  logger?: Logger;
  /** Default: a fresh registry with process metrics. */
  metrics?: IngressMetrics;
  /** Default: { kafka: topic metadata, registry: GET /subjects }. */
  readinessChecks?: Record<string, ReadinessCheck>;
  /** Clock for receivedAt (ms since epoch). */
  now?: () => number;
}

export interface IngressControls {
  readonly metrics: IngressMetrics;
  readonly shuttingDown: boolean;
  /** From now on new webhooks get 503 SHUTTING_DOWN; in-flight ones still complete. */
  beginShutdown(): void;
  /** Waits until every accepted request's produce has settled. */
  drain(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    ingress: IngressControls;
  }
  interface FastifyRequest {
    webhook: { id: string; orderRef: string; name: string } | null;
  }
}

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

// Random ids come from a pooled buffer: one randomBytes call per 4 KiB instead of two per request (seen in profiles).
let randomPool = Buffer.alloc(0);
let randomOffset = 0;
function randomHex(bytes: number): string {
  if (randomOffset + bytes > randomPool.length) {
    randomPool = randomBytes(4096);
    randomOffset = 0;
  }
  const hex = randomPool.toString('hex', randomOffset, randomOffset + bytes);
  randomOffset += bytes;
  return hex;
}

/** Continues a valid incoming W3C trace (new span id) or starts a new trace. */
export function traceparentFor(incoming: string | undefined): string {
  const match = incoming ? TRACEPARENT.exec(incoming.trim()) : null;
  if (match && match[1] !== 'ff' && !/^0+$/.test(match[2]!) && !/^0+$/.test(match[3]!)) {
    return `00-${match[2]}-${randomHex(8)}-${match[4]}`;
  }
  return `00-${randomHex(16)}-${randomHex(8)}-01`;
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function toProduceError(error: unknown): IngressError {
  if (error instanceof IngressError) return error;
  if (error instanceof RegistryUnavailableError) {
    return new IngressError('REGISTRY_UNAVAILABLE', 'schema registry unavailable, retry later', {}, { cause: error });
  }
  if (error instanceof BatcherOverloadedError) {
    return new IngressError('OVERLOADED', 'too many webhooks waiting for Kafka, retry later', {}, { cause: error });
  }
  if (error instanceof BatcherClosedError) {
    return new IngressError('SHUTTING_DOWN', 'ingress is shutting down, retry later', {}, { cause: error });
  }
  return new IngressError(
    'KAFKA_UNAVAILABLE',
    'Kafka did not acknowledge the event, retry later',
    {},
    { cause: error },
  );
}

export async function buildApp(config: IngressConfig, deps: IngressDeps): Promise<FastifyInstance> {
  const logger = deps.logger ?? createServiceLogger({ service: 'fc-ingress', level: config.connection.logLevel });
  const metrics = deps.metrics ?? createIngressMetrics();
  const now = deps.now ?? Date.now;
  const topic = config.connection.topic;
  const verifier = createSignatureVerifier({
    keys: config.signature.publicKeys,
    acceptFlexSignature: config.signature.acceptFlexSignature,
    async: config.signature.async,
  });
  const dedup = new DedupWindow(config.dedup);
  const batcher = new Batcher<OutgoingMessage>((messages) => deps.producer.send(topic, messages), {
    maxBatchSize: config.batch.maxBatchSize,
    lingerMs: config.batch.lingerMs,
    maxInFlight: config.batch.maxInFlight,
    timeoutMs: config.batch.produceTimeoutMs,
    sizeOf: (m) => recordBytes(m.key, m.value, m.headers),
    onBatch: (size, ms, error) => {
      metrics.batchSize.observe(size);
      metrics.produceSeconds.observe({ result: error === undefined ? 'ok' : 'error' }, ms / 1000);
      if (error !== undefined) logger.warn({ err: error, records: size }, 'produce batch failed');
    },
  });
  const readiness = createReadiness(
    deps.readinessChecks ?? {
      kafka: () => deps.producer.checkTopic(topic),
      registry: registryCheck(config.connection.registry),
    },
  );
  let shuttingDown = false;

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // No access log line per request: at thousands of webhooks/s that is the main CPU cost. We log outcomes ourselves.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.http.maxBodyBytes,
    // Without these a client holding a request open (partial headers or body) keeps its socket forever: Fastify's
    // default requestTimeout is 0. Node checks the timers every connectionsCheckingInterval ms.
    requestTimeout: config.http.requestTimeoutMs,
    http: {
      requestTimeout: config.http.requestTimeoutMs,
      headersTimeout: config.http.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, config.http.requestTimeoutMs),
    },
    // Our handler answers 503 SHUTTING_DOWN with Retry-After itself; Fastify's generic 503 has no Retry-After.
    return503OnClosing: false,
    requestIdHeader: false,
  });
  app.decorate('ingress', {
    metrics,
    get shuttingDown() {
      return shuttingDown;
    },
    beginShutdown() {
      shuttingDown = true;
    },
    drain: () => batcher.flush(),
  } satisfies IngressControls);
  app.decorateRequest('webhook', null);

  // The signature covers the exact bytes, so the body is kept as a Buffer and parsed only after verification.
  app.removeAllContentTypeParsers();
  // JSON is UTF-8 (RFC 8259): another declared charset is refused (415) rather than decoded as UTF-8 into mojibake.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const charset = CHARSET.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(new IngressError('UNSUPPORTED_MEDIA_TYPE', `charset must be utf-8, got ${charset}`), undefined);
    } else done(null, body);
  });

  app.setErrorHandler((error, request, reply) => sendError(fromFastifyError(error), request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendError(new IngressError('NOT_FOUND', `no route ${request.method} ${request.url}`), request, reply),
  );

  function sendError(error: IngressError, request: FastifyRequest, reply: FastifyReply) {
    metrics.requests.inc({ outcome: error.code.toLowerCase() });
    const context = { code: error.code, status: error.status, ...(request.webhook ?? {}), ...error.details };
    if (error.status === 500) {
      logger.error({ ...context, err: error.cause ?? error }, 'webhook failed unexpectedly');
    } else if (error.status >= 500) {
      // The batch failure itself is logged once with its stack (onBatch); per request the cause's message suffices.
      const cause = error.cause instanceof Error ? error.cause.message : undefined;
      logger.warn({ ...context, cause }, 'webhook not accepted');
    } else if (request.url.startsWith(WEBHOOK_PATH)) logger.info(context, 'webhook rejected');
    if (error.status === 503) reply.header('retry-after', String(config.retryAfterSeconds));
    if (shuttingDown) reply.header('connection', 'close');
    return reply.code(error.status).send(errorBody(error));
  }

  async function accept(request: FastifyRequest): Promise<{ status: 'accepted' | 'duplicate'; id: string }> {
    if (shuttingDown) throw new IngressError('SHUTTING_DOWN', 'ingress is shutting down, retry later');
    const receivedAt = now();
    const body = request.body;
    if (!Buffer.isBuffer(body) || body.length === 0) {
      throw new IngressError('INVALID_JSON', 'request body is empty');
    }

    const started = performance.now();
    const verdict = await verifier.verify({
      body,
      sha512Header: singleHeader(request.headers['fluent-signature']),
      md5Header: singleHeader(request.headers['flex.signature']),
    });
    metrics.verifySeconds.observe((performance.now() - started) / 1000);
    if (!verdict.ok) {
      throw verdict.reason === 'missing'
        ? new IngressError('MISSING_SIGNATURE', 'fluent-signature header is required')
        : new IngressError('INVALID_SIGNATURE', 'signature does not match the body for any configured key');
    }

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
    if (!check.ok) {
      if (check.notAnObject)
        throw new IngressError('INVALID_PAYLOAD', `body must be a JSON object, got ${check.actual}`);
      const parts = [
        check.missing.length > 0 ? `missing: ${check.missing.join(', ')}` : '',
        check.mistyped.length > 0 ? `wrong type: ${check.mistyped.map((p) => p.field).join(', ')}` : '',
      ].filter(Boolean);
      throw new IngressError('MISSING_FIELDS', `required fields are invalid (${parts.join('; ')})`, {
        missing: check.missing,
        mistyped: check.mistyped,
      });
    }
    const payload: FluentWebhookPayload = check.payload;
    const key = partitionKey(payload);
    request.webhook = { id: payload.id, orderRef: key, name: payload.name };

    const outcome = await dedup
      .run(payload.id, async () => {
        const record = toWebhookRecord(payload, {
          rawBody: body,
          receivedAt,
          signature: verdict.signature,
          signatureAlgorithm: verdict.algorithm,
        });
        const value = await deps.serde.encode(topic, record);
        const headers = {
          [Headers.messageName]: payload.name,
          [Headers.eventId]: payload.id,
          [Headers.receivedAt]: String(receivedAt),
          [Headers.traceparent]: traceparentFor(singleHeader(request.headers.traceparent)),
        };
        if (recordBytes(key, value, headers) > config.batch.maxMessageBytes) {
          throw new IngressError(
            'RECORD_TOO_LARGE',
            `the Kafka record for this webhook would exceed ${config.batch.maxMessageBytes} bytes (KAFKA_MAX_MESSAGE_BYTES)`,
          );
        }
        await batcher.add({ key, value, headers });
      })
      .catch((error: unknown) => {
        throw toProduceError(error);
      });
    return { status: outcome === 'produced' ? 'accepted' : 'duplicate', id: payload.id };
  }

  app.post(WEBHOOK_PATH, async (request, reply) => {
    metrics.inFlight.inc();
    try {
      const result = await accept(request);
      metrics.requests.inc({ outcome: result.status });
      if (logger.isLevelEnabled('debug'))
        logger.debug({ ...request.webhook, outcome: result.status }, 'webhook accepted');
      return reply.code(200).send(result);
    } finally {
      metrics.inFlight.dec();
    }
  });

  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_request, reply) => {
    // Every 503 of this service carries Retry-After (DESIGN.md §8), probes included.
    if (shuttingDown) {
      return reply.code(503).header('retry-after', String(config.retryAfterSeconds)).send({ status: 'shutting-down' });
    }
    const report = await readiness.check();
    if (!report.ready) reply.header('retry-after', String(config.retryAfterSeconds));
    return reply.code(report.ready ? 200 : 503).send({ status: report.ready ? 'ready' : 'not-ready', ...report });
  });
  app.get('/metrics', async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(text);
  });

  // Fastify close: stop taking webhooks, then let every in-flight produce settle before the producer goes away.
  app.addHook('preClose', async () => {
    shuttingDown = true;
  });
  app.addHook('onClose', async () => {
    await batcher.close();
  });

  // Registers the schema now so the first request does not pay for it; a registry outage here is not fatal
  // (readiness reports it and requests answer 503 until it is back).
  await deps.serde.encode(topic, warmupRecord()).catch((error: unknown) => {
    logger.warn({ err: error }, 'schema registry not reachable at start; webhooks answer 503 until it is');
  });
  return app;
}

function warmupRecord(): FluentWebhookRecord {
  return toWebhookRecord(
    { id: 'warmup', name: 'warmup', accountId: '-', retailerId: '-', entityId: '-', entityRef: '-', entityType: '-' },
    { rawBody: Buffer.alloc(0), receivedAt: 0 },
  );
}
