/**
 * The handler writes only orders of the webhook's retailer: the retailer decides the settings and the commercetools
 * project, so a Fluent order of another retailer (or an answer without one) is dead-lettered and nothing is written.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CommercetoolsClient } from '../../../../../processor/commercetools/client.js';
import type { TtlCache } from '../../../../../processor/downstream/ttl-cache.js';
import { errorCodeOf, isRetriable } from '../../../../../processor/errors.js';
import type { FluentClient, FluentOrder } from '../../../../../processor/fluent/client.js';
import type { HandlerContext } from '../../../../../processor/handler.js';
import { createHandler, type RetailerSettings } from '../../../../../processor/handlers/order-status/handler.js';
import { NO_METRICS } from '../../../../../processor/handlers/order-status/metrics.js';
import type { FluentWebhookPayload } from '../../../../../schemas/index.js';
import { documented } from './support/documented-mappings.js';
import { HANDLER_CONFIG } from './support/handler-config.js';
import { contextFor } from '../../../../support/handler-context.js';

const REF = 'HD_7';
function handlerFor(retailer: FluentOrder['retailer']) {
  const ctCalls: string[] = [];
  const fluent = {
    orderById: (id: string) => Promise.resolve({ id, ref: REF, status: 'COMPLETE', retailer }),
  } as unknown as FluentClient;
  const commercetools = {
    findOrder: () => {
      ctCalls.push('read');
      return Promise.resolve({ id: 'ct-1', version: 1, orderNumber: REF, orderState: 'Open' });
    },
    updateOrder: () => {
      ctCalls.push('write');
      return Promise.resolve({ kind: 'updated', order: { id: 'ct-1', version: 2, orderNumber: REF } });
    },
  } as unknown as CommercetoolsClient;
  const settings: RetailerSettings = {
    mappings: documented,
    accountMappingName: 'account',
    accountMapping: { entries: [] },
  };
  const handler = createHandler({
    config: HANDLER_CONFIG,
    fluent,
    commercetools,
    settings: { get: () => Promise.resolve(settings) } as unknown as TtlCache<RetailerSettings>,
    metrics: NO_METRICS,
  });
  return { handler, ctCalls };
}

function webhook(retailerId: string): HandlerContext {
  const payload: FluentWebhookPayload = {
    id: randomUUID(),
    name: 'fc.connect.order.webhook.order-status-update',
    accountId: 'ACME',
    retailerId,
    entityId: 'f-7',
    entityRef: REF,
    entityType: 'ORDER',
    entityStatus: 'COMPLETE',
    rootEntityId: 'f-7',
    rootEntityRef: REF,
    rootEntityType: 'ORDER',
    type: 'HD',
    attributes: {},
  };
  return contextFor(payload);
}

async function failure(work: Promise<unknown>) {
  try {
    await work;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the handler to fail');
}

describe('order-status: the fetched order must belong to the webhook retailer', () => {
  it('dead-letters an order of another retailer without any commercetools call', async () => {
    const { handler, ctCalls } = handlerFor({ id: '2' });
    const error = await failure(handler.handle(webhook('1')));
    expect(errorCodeOf(error)).toBe('RETAILER_MISMATCH');
    expect(isRetriable(error)).toBe(false);
    expect(error.message).toMatch(/belongs to retailer 2, the webhook to retailer 1/);
    expect(ctCalls).toEqual([]);
  });

  it('refuses an answer without a retailer (an order document override that does not select it)', async () => {
    const { handler, ctCalls } = handlerFor(null);
    const error = await failure(handler.handle(webhook('1')));
    expect(errorCodeOf(error)).toBe('RETAILER_MISMATCH');
    expect(error.message).toMatch(/must select retailer \{ id \}/);
    expect(ctCalls).toEqual([]);
  });

  it('writes an order of the same retailer', async () => {
    const { handler, ctCalls } = handlerFor({ id: '1' });
    const outcome = await handler.handle(webhook('1'));
    expect(outcome.status).toBe('applied');
    expect(ctCalls).toEqual(['read', 'write']);
  });
});
