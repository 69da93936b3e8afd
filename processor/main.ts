/**
 * Processor entry point (`npm run processor`): validate configuration, build the router (built-in order-status
 * handler + PROCESSOR_PLUGINS), start the consumer and the health/metrics listener, stop gracefully on SIGTERM/SIGINT.
 */
import * as prom from 'prom-client';
import { createServiceLogger, errorCodeOf, errorMessageOf, EXIT_CONFIG, isConnectorError } from '../common/index.js';
import { loadProcessorConfig } from './config.js';
import { createOrderStatusHandler } from './handlers/order-status/index.js';
import { startHealthServer } from './health-server.js';
import { ExtensionPoints, loadPlugins } from './plugins.js';
import { Router } from './router.js';
import { startProcessor } from './runtime.js';

async function main(): Promise<void> {
  const config = loadProcessorConfig(process.env);
  const logger = createServiceLogger({
    service: 'fc-connector-processor',
    level: config.runtime.connection.logLevel,
    pretty: process.env.LOG_PRETTY === 'true',
  });
  const registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry, prefix: 'fc_processor_' });

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
    ready: () => processor.ready(),
  });
  logger.info({ port: health.port }, 'health and metrics listening');

  let shuttingDown = false;
  const shutdown = (signal: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    processor
      .stop()
      .then(() => health.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: errorMessageOf(error) }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  processor.events.on('crash', () => {
    if (!processor.alive()) {
      logger.fatal('consumer stopped for good; exiting so the orchestrator restarts the process');
      shutdown('crash');
    }
  });
}

/**
 * A start that fails on configuration exits with EX_CONFIG (78), so an orchestrator shows a deployment problem rather
 * than a crash loop. Decided by code: CONFIG is an invalid environment; CONFIGURATION at start comes from the router
 * or PROCESSOR_PLUGINS (a module that cannot be loaded, a duplicate route).
 */
function startupExitCode(error: unknown): number {
  const code = errorCodeOf(error);
  return code === 'CONFIG' || code === 'CONFIGURATION' ? EXIT_CONFIG : 1;
}

main().catch((error: unknown) => {
  // An invalid environment lists every problem (unbounded); anything else is one bounded line with its causes.
  console.error(
    isConnectorError(error) && error.code === 'CONFIG'
      ? error.message
      : `processor failed to start: ${errorMessageOf(error)}`,
  );
  process.exit(startupExitCode(error));
});
