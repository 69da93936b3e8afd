/**
 * buildApp: the Fastify application of the ingress, wired from its parts: intake (intake.ts: verify → validate →
 * dedup → encode → batch → ack), the routes (routes/: webhook, health, metrics) and the shared HTTP handling (http.ts:
 * raw bodies, error replies). No listening and no signal handling here (see server.ts), and every I/O dependency is
 * injected so tests can use the real broker or swap pieces.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createServiceLogger } from '../common/index.js';
import type { IngressConfig } from './config.js';
import { useErrorReplies, useRawJsonBodies } from './http.js';
import { createIntake, type WebhookEncoder } from './intake.js';
import type { ProducerAdapter } from './kafka.js';
import { createIngressMetrics, observeRequestDurations, type IngressMetrics } from './metrics.js';
import { createReadiness, registryCheck, schemaCheck, schemaGate, type ReadinessCheck } from './readiness.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoute } from './routes/metrics.js';
import { webhookRoute } from './routes/webhook.js';
import { useRequestTracing } from './tracing.js';

export { WEBHOOK_PATH } from './routes/webhook.js';
export { traceparentFor } from './tracing.js';

export interface IngressDeps {
  producer: ProducerAdapter;
  /** Avro encoder (WebhookSerde from schemas/). */
  serde: WebhookEncoder;
  /** Default: pino JSON on stdout at config LOG_LEVEL with REDACT_PATHS. */
  logger?: Logger;
  /** Default: a fresh registry with process metrics. */
  metrics?: IngressMetrics;
  /** Default: { kafka: topic metadata, registry: the webhook schema resolves (GET /subjects without resolveSchema) }. */
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
}

export async function buildApp(config: IngressConfig, deps: IngressDeps): Promise<FastifyInstance> {
  const logger = deps.logger ?? createServiceLogger({ service: 'fc-ingress', level: config.connection.logLevel });
  const metrics = deps.metrics ?? createIngressMetrics();
  const topic = config.connection.topic;
  const intake = createIntake(
    { topic, signature: config.signature, dedup: config.dedup, batch: config.batch, accounts: config.accounts },
    { producer: deps.producer, serde: deps.serde, logger, metrics, now: deps.now },
  );
  const resolveSchema = deps.serde.resolveSchema?.bind(deps.serde);
  const readiness = createReadiness(
    deps.readinessChecks ?? {
      kafka: () => deps.producer.checkTopic(topic),
      registry: resolveSchema ? schemaCheck({ resolveSchema }, topic) : registryCheck(config.connection.registry),
    },
  );
  const shuttingDown = () => intake.shuttingDown;

  // Typed as Fastify's logger so the instance is the plain FastifyInstance the plugins are written for.
  const fastifyLogger: FastifyBaseLogger = logger;
  const app = Fastify({
    loggerInstance: fastifyLogger,
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
      return intake.shuttingDown;
    },
    beginShutdown: () => intake.beginShutdown(),
    drain: () => intake.drain(),
  } satisfies IngressControls);
  app.decorateRequest('webhook', null);

  useRawJsonBodies(app);
  useRequestTracing(app);
  observeRequestDurations(app, metrics);
  useErrorReplies(app, { metrics, logger, retryAfterSeconds: config.retryAfterSeconds, shuttingDown });
  // Fastify close: stop taking webhooks, then let every in-flight produce settle before the producer goes away.
  app.addHook('preClose', (done) => {
    intake.beginShutdown();
    done();
  });
  app.addHook('onClose', async () => {
    await intake.close();
  });

  await app.register(webhookRoute, { intake, metrics, logger });
  await app.register(healthRoutes, {
    readiness,
    shuttingDown,
    retryAfterSeconds: config.retryAfterSeconds,
    registry: metrics.registry,
    ...(resolveSchema ? { notReady: schemaGate({ resolveSchema }, topic) } : {}),
  });
  await app.register(metricsRoute, { registry: metrics.registry });

  await intake.warmUp();
  return app;
}
