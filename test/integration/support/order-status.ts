/** Shared wiring for the order-status integration tests: simulators, handler config, handler contexts. */
import { randomUUID } from 'node:crypto';
import type { OrderStatusConfig } from '../../../processor/handlers/order-status/config.js';
import type { FluentWebhookPayload } from '../../../schemas/index.js';
import type { CommercetoolsSim } from '../../../sim/commercetools/index.js';
import type { FluentSim } from '../../../sim/fluent/index.js';

export { contextFor, silentLogger } from '../../support/handler-context.js';

export function handlerConfig(
  fluent: FluentSim,
  ct: CommercetoolsSim,
  overrides: Partial<OrderStatusConfig> = {},
): OrderStatusConfig {
  return {
    fluent: {
      baseUrl: fluent.url,
      clientId: fluent.credentials.clientId,
      clientSecret: fluent.credentials.clientSecret,
      username: fluent.credentials.username,
      password: fluent.credentials.password,
      timeoutMs: 2_000,
      documents: {},
    },
    commercetools: {
      authUrl: ct.authUrl,
      apiUrl: ct.apiUrl,
      clientId: ct.credentials.clientId,
      clientSecret: ct.credentials.clientSecret,
      projectKey: ct.defaultProjectKey,
      scope: 'manage_orders:{projectKey}',
      timeoutMs: 2_000,
      documents: {},
    },
    connectorName: 'commercetools',
    correlation: { strategy: 'orderNumber' },
    settingsCacheTtlMs: 60_000,
    orderNotFoundMaxAttempts: 3,
    conflictRetries: 3,
    httpRetries: 2,
    httpConnections: 32,
    versionCacheSize: 1_000,
    ...overrides,
  };
}

/** A webhook payload for an order event as Fluent sends it. */
export function orderWebhook(
  order: { id: string; ref: string },
  entityStatus: string,
  extra: Partial<FluentWebhookPayload> = {},
): FluentWebhookPayload {
  return {
    id: randomUUID(),
    name: 'fc.connect.order.webhook.order-status-update',
    accountId: 'ACME',
    retailerId: '1',
    entityId: order.id,
    entityRef: order.ref,
    entityType: 'ORDER',
    entityStatus,
    rootEntityId: order.id,
    rootEntityRef: order.ref,
    rootEntityType: 'ORDER',
    type: 'NORMAL',
    attributes: {},
    ...extra,
  };
}

const ORDER_RANK = { Open: 0, Confirmed: 1, Complete: 2, Cancelled: 2 } as const;

/** True when the order state never went backwards over the history. */
export function neverRegressed(history: ReadonlyArray<{ orderState: string }>): boolean {
  let last = -1;
  for (const h of history) {
    const rank = ORDER_RANK[h.orderState as keyof typeof ORDER_RANK] ?? 0;
    if (rank < last) return false;
    last = rank;
  }
  return true;
}
