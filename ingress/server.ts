/**
 * Entry point (`npm run ingress`): load config, connect the producer, listen; on SIGTERM/SIGINT shut down gracefully:
 * new webhooks get 503 SHUTTING_DOWN, in-flight produces are flushed, the producer is closed, then the process exits.
 */
import '../common/node-warnings.js';
import { WebhookSerde, createRegistry } from '../schemas/index.js';
import {
  EXIT_CONFIG,
  createServiceLogger,
  describeKafkaSecurity,
  isConnectorError,
  kafkaSecurityError,
} from '../common/index.js';
import { describeAllowlist } from './allowlist.js';
import { startTracing } from '../common/tracing.js';
import { buildApp } from './app.js';
import { loadIngressConfig } from './config.js';
import { createKafkaAdapter } from './kafka.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadIngressConfig(process.env);
  } catch (error) {
    if (isConnectorError(error) && error.code === 'CONFIG') {
      console.error(`fc-ingress: ${error.message}`);
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
  const logger = createServiceLogger({
    service: 'fc-ingress',
    level: config.connection.logLevel,
    pretty: process.env.LOG_PRETTY === 'true',
  });
  // OpenTelemetry export only when OTEL_EXPORTER_OTLP_ENDPOINT is set (common/tracing.ts).
  const tracing = await startTracing(process.env, 'fc-ingress', {
    onError: (error) => logger.warn({ err: error }, 'trace export shutdown failed'),
  });
  // A produce batch still waiting for its turn when its webhooks' deadline passes is dropped unsent (ingress/kafka.ts).
  const producer = createKafkaAdapter(config.connection.kafka, {
    logger,
    idempotent: config.batch.idempotent,
    startWithinMs: config.batch.produceTimeoutMs,
  });
  const serde = new WebhookSerde(createRegistry(config.connection.registry), {
    autoRegister: config.connection.registry.autoRegister,
  });

  // The producer connects lazily on first send if the broker is down now; readiness reports it meanwhile. Refused
  // TLS or SASL settings never heal by waiting: stop with the setting to fix (exit 78).
  await producer.connect().catch((error: unknown) => {
    const security = kafkaSecurityError(error, config.connection.kafka);
    if (security) {
      console.error(`fc-ingress: ${security.message}`);
      process.exit(EXIT_CONFIG);
    }
    logger.warn({ err: error }, 'Kafka not reachable at start; webhooks answer 503 until it is');
  });
  const app = await buildApp(config, { producer, serde, logger });
  await app.listen({ host: config.http.host, port: config.http.port });
  logger.info(
    {
      host: config.http.host,
      port: config.http.port,
      topic: config.connection.topic,
      keys: config.signature.publicKeys.length,
      flex: config.signature.acceptFlexSignature,
      accounts: describeAllowlist(config.accounts),
      kafkaSecurity: describeKafkaSecurity(config.connection.kafka),
      schemaAutoRegister: config.connection.registry.autoRegister,
    },
    'ingress listening',
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: refusing new webhooks, flushing in-flight produces');
    app.ingress.beginShutdown();
    const force = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    try {
      await app.close();
      await producer.disconnect();
      await tracing.shutdown();
      logger.info('shutdown complete');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('fc-ingress: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
