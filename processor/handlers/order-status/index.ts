/**
 * The built-in order-status handler: public entry point. `processor/main.ts` registers it for
 * ORDER_STATUS_MESSAGE_NAMES; tests and benchmarks construct it with an explicit `config` instead of the environment.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { MessageHandler } from '../../handler.js';
import type { ExtensionPoints } from '../../plugins.js';
import { CommercetoolsClient } from '../../commercetools/client.js';
import { loadCommercetoolsDocuments } from '../../commercetools/documents.js';
import { CtOrderReads } from '../../commercetools/order-reads.js';
import { OrderVersionCache } from '../../commercetools/version-cache.js';
import { HttpTransport } from '../../downstream/http.js';
import { createFluentTokenCache } from '../../fluent/auth.js';
import { FluentClient } from '../../fluent/client.js';
import { loadFluentDocuments } from '../../fluent/documents.js';
import { FluentOrderReads } from '../../fluent/order-reads.js';
import {
  DEFAULT_BATCH_READS,
  describeOrderStatusConfig,
  parseOrderStatusEnv,
  type OrderStatusConfig,
} from './config.js';
import { ExtraActionHooks } from './extension.js';
import { createHandler, type ExtraActionsHook } from './handler.js';
import { createOrderStatusMetrics, type OrderStatusMetrics } from './metrics.js';
import { createOrderFilter } from './order-filter.js';
import { retailerSettingsCache } from './settings.js';

export const ORDER_STATUS_MESSAGE_NAMES = [
  'fc.connect.order.webhook.order-status-update',
  'fc.connect.order.webhook.status-update',
] as const;

export interface OrderStatusHandlerOptions {
  /** Environment to read the configuration from (ignored when `config` is given). Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Explicit configuration (dependency injection for tests and benchmarks). */
  readonly config?: OrderStatusConfig;
  readonly logger: Logger;
  readonly metrics?: Registry;
  /** Partner hook adding actions to the same updateOrder (e.g. custom fields). */
  readonly extraActions?: ExtraActionsHook;
  /** Where the handler offers its extension point to plugins (`order-status.actions`; see extension.ts). */
  readonly extensions?: ExtensionPoints;
  /** Clock for token and settings caches (tests). Default Date.now. */
  readonly now?: () => number;
}

/**
 * Creates the handler. Validates the configuration and every GraphQL document synchronously, so a bad variable or
 * a broken document override fails the start with a ConfigError naming it.
 */
export function createOrderStatusHandler(options: OrderStatusHandlerOptions): MessageHandler {
  const config = options.config ?? parseOrderStatusEnv(options.env ?? process.env);
  const logger = options.logger.child({ handler: 'order-status' });
  const metrics = createOrderStatusMetrics(options.metrics);
  const clients = downstreamClients(config, metrics, options.now);
  logger.info(
    { config: describeOrderStatusConfig(config), documents: clients.documentSources },
    'order-status handler configured',
  );
  return createHandler({
    config,
    fluent: clients.fluent,
    fluentOrders: clients.fluentOrders,
    ctOrders: clients.ctOrders,
    commercetools: clients.commercetools,
    settings: retailerSettingsCache(clients.fluent, config, logger, metrics, options.now),
    orderFilter: createOrderFilter(config.orderFilter),
    versions: config.versionCacheSize > 0 ? new OrderVersionCache(config.versionCacheSize) : undefined,
    metrics,
    extraActions: new ExtraActionHooks(options.extraActions, options.extensions),
    close: clients.close,
  });
}

/** The Fluent and commercetools clients, each on its own pooled transport, with their (validated) documents. */
function downstreamClients(config: OrderStatusConfig, metrics: OrderStatusMetrics, now: (() => number) | undefined) {
  const fluentDocuments = loadFluentDocuments(config.fluent.documents, config.fluent.schemaFile);
  const ctDocuments = loadCommercetoolsDocuments(
    config.commercetools.documents,
    config.commercetools.schemaFile ? { file: config.commercetools.schemaFile } : undefined,
  );
  const transport = (service: 'fluent' | 'commercetools', timeoutMs: number) =>
    new HttpTransport({ service, timeoutMs, connections: config.httpConnections });
  const fluentTransport = transport('fluent', config.fluent.timeoutMs);
  const ctTransport = transport('commercetools', config.commercetools.timeoutMs);
  const fluent = new FluentClient({
    baseUrl: config.fluent.baseUrl,
    transport: fluentTransport,
    tokens: createFluentTokenCache(fluentTransport, config.fluent, { now }),
    documents: fluentDocuments,
    retries: config.httpRetries,
    onCall: (operation, seconds, outcome) => metrics.call('fluent', operation, seconds, outcome),
  });
  const commercetools = new CommercetoolsClient({
    defaultProjectKey: config.commercetools.projectKey,
    transport: ctTransport,
    documents: ctDocuments,
    retries: config.httpRetries,
    onCall: (operation, seconds, outcome) => metrics.call('commercetools', operation, seconds, outcome),
  });
  const batch = config.batchReads ?? DEFAULT_BATCH_READS;
  const fluentOrders = new FluentOrderReads({
    client: fluent,
    batch: batch.enabled ? batch : undefined,
    // One Fluent account per process: its batches never mix with another's.
    tenant: `${config.fluent.baseUrl} ${config.fluent.username}`,
    onBatch: (size) => metrics.batch('fluent', 'orders(ref)', size),
  });
  const ctOrders = new CtOrderReads({
    source: commercetools,
    batch: batch.enabled ? batch : undefined,
    onBatch: (size) => metrics.batch('commercetools', 'orders query', size),
  });
  return {
    fluent,
    fluentOrders,
    commercetools,
    ctOrders,
    documentSources: [...Object.values(fluentDocuments), ...Object.values(ctDocuments)].map((d) => d.source),
    close: async () => {
      await Promise.all([fluentTransport.close(), ctTransport.close()]);
    },
  };
}

export { parseOrderStatusEnv, orderStatusEnvSchema, type OrderStatusConfig } from './config.js';
export type { ExtraActionsContext, ExtraActionsHook } from './handler.js';
export { ORDER_STATUS_ACTIONS } from './extension.js';
export type { OrderUpdateAction } from './actions.js';
