/**
 * Processor entry point (`npm run processor`): validate configuration, build the router (built-in order-status
 * handler + PROCESSOR_PLUGINS), start the consumer and the health/metrics listener, stop gracefully on SIGTERM/SIGINT.
 */
import '../common/node-warnings.js';
import { createServiceLogger, errorCodeOf, errorMessageOf, EXIT_CONFIG, isConnectorError } from '../common/index.js';
import { loadProcessorConfig } from './config.js';
import { createOrderStatusHandler } from './handlers/order-status/index.js';
import { startHealthServer } from './health-server.js';
import { createProcessorRegistry } from './metrics.js';
import { ExtensionPoints, loadPlugins } from './plugins.js';
import { Router } from './router.js';
import { startProcessor } from './runtime.js';
import { downstreamServices, traceOutgoingCalls } from './tracing.js';
import { startTracing } from '../common/tracing.js';

async function main(): Promise<void> {
  const config = loadProcessorConfig(process.env);
  const logger = createServiceLogger({
    service: 'fc-connector-processor',
    level: config.runtime.connection.logLevel,
    pretty: process.env.LOG_PRETTY === 'true',
  });
  const registry = createProcessorRegistry();
  // Traces (common/tracing.ts): exported only when OTEL_EXPORTER_OTLP_ENDPOINT is set; traceparent on every call.
  const tracing = await startTracing(process.env, 'fc-connector-processor', {
    onError: (error) => logger.warn({ err: errorMessageOf(error) }, 'trace export shutdown failed'),
  });
  traceOutgoingCalls(downstreamServices(process.env));

  const router = new Router();
  // Built-in handlers offer their extension points to plugins; loadPlugins seals them once every plugin is loaded.
  const extensions = new ExtensionPoints();
  const orderStatus = createOrderStatusHandler({ env: process.env, logger, metrics: registry, extensions });
  router.addHandler(orderStatus);
  // PROCESSOR_ROUTES names handlers; plugins may replace one or take a name over, and freeze() checks the result.
  for (const route of config.routes) router.route(route.messageName, route.handlerName);
  await loadPlugins({ paths: config.plugins, router, logger, env: process.env, extensions });

  const processor = await startProcessor({ config: config.runtime, router, logger, metrics: registry });
  const health = await startHealthServer({
    port: config.port,
    host: config.host,
    registry,
    live: () => processor.alive(),
    notReady: () => processor.notReadyReason(),
  });
  logger.info({ port: health.port }, 'health and metrics listening');

  let shuttingDown = false;
  // A signal ends with 0; a crash or a fatal state with 1, so an orchestrator restarts the process and counts it.
  const shutdown = (signal: string, exitCode: number): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    processor
      .stop()
      .then(() => health.close())
      .then(() => tracing.shutdown())
      .then(
        () => process.exit(exitCode),
        (error: unknown) => {
          logger.error({ err: errorMessageOf(error) }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  process.on('SIGINT', () => shutdown('SIGINT', 0));
  processor.events.on('crash', () => {
    if (!processor.alive()) {
      logger.fatal('consumer stopped for good; exiting so the orchestrator restarts the process');
      shutdown('crash', 1);
    }
  });
  const exitOnFatal = (reason: string): void => {
    logger.fatal({ reason }, 'processor cannot go on; exiting so the orchestrator restarts the process');
    shutdown('fatal', 1);
  };
  processor.events.on('fatal', exitOnFatal);
  const early = processor.fatal(); // reported before this listener was attached
  if (early !== undefined) exitOnFatal(early);
}

/**
 * Start-up errors that a change of deployment fixes, not a restart: they exit with EX_CONFIG (78), so an orchestrator
 * shows a deployment problem rather than a crash loop. CONFIG is an invalid environment; CONFIGURATION comes from the
 * router or PROCESSOR_PLUGINS (a module that cannot be loaded, a duplicate route); UNKNOWN_TOPIC and
 * RETENTION_TOO_SHORT from the topic checks (startup-checks.ts); KAFKA_SECURITY when the brokers refuse the TLS or SASL
 * settings (common/kafka-security.ts).
 */
const DEPLOYMENT_ERRORS: ReadonlySet<string> = new Set([
  'CONFIG',
  'CONFIGURATION',
  'UNKNOWN_TOPIC',
  'RETENTION_TOO_SHORT',
  'KAFKA_SECURITY',
]);

main().catch((error: unknown) => {
  console.error(startupFailureMessage(error));
  process.exit(DEPLOYMENT_ERRORS.has(errorCodeOf(error)) ? EXIT_CONFIG : 1);
});

/**
 * Deployment errors say what to fix and are printed whole (an invalid environment lists every problem); anything else
 * is one bounded line with its causes.
 */
function startupFailureMessage(error: unknown): string {
  if (!isConnectorError(error) || !DEPLOYMENT_ERRORS.has(error.code)) {
    return `processor failed to start: ${errorMessageOf(error)}`;
  }
  return error.code === 'CONFIG' ? error.message : `processor failed to start: ${error.message}`;
}
