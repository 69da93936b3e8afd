/**
 * An account mapping that points a retailer at a project the API client may not use is that retailer's
 * configuration error (DLQ with the reason), not an outage that pauses everyone; the default project keeps working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, isRetriable } from '../../../processor/errors.js';
import { createOrderStatusHandler } from '../../../processor/handlers/order-status/index.js';
import type { MessageHandler } from '../../../processor/handler.js';
import { startCommercetoolsSim, type CommercetoolsSim } from '../../../sim/commercetools/index.js';
import { mappingSettingNames, startFluentSim, type FluentSim } from '../../../sim/fluent/index.js';
import { contextFor, handlerConfig, orderWebhook, silentLogger } from '../support/order-status.js';

let fluent: FluentSim;
let ct: CommercetoolsSim;
let handler: MessageHandler;

beforeAll(async () => {
  fluent = await startFluentSim({ seedMappingsFor: 'commercetools' });
  // The API client may use the default project only.
  ct = await startCommercetoolsSim({
    clients: [{ clientId: 'scoped-client', clientSecret: 'scoped-secret', projectKeys: ['my-project'] }],
  });
  const names = mappingSettingNames('commercetools');
  // Retailer 2 is mapped to a project this client has no scope for; retailer 1 keeps the ACCOUNT-level mapping.
  fluent.store.setSetting({
    name: names.account,
    context: 'RETAILER',
    contextId: 2,
    value: { fluent: { accountId: 'ACME', retailerId: '2' }, externalAccount: { projectKey: 'acme-eu' } },
  });
  handler = createOrderStatusHandler({ config: handlerConfig(fluent, ct), logger: silentLogger });
});

afterAll(async () => {
  await handler?.close?.();
  await Promise.all([fluent?.close(), ct?.close()]);
});

describe('account mapping to a project outside the client scope', () => {
  it('fails that retailer with a non-retryable configuration error naming the project', async () => {
    const order = fluent.store.upsertOrder({ ref: 'EU_1', status: 'BOOKED', retailerId: '2' });
    const error = await handler
      .handle(contextFor(orderWebhook({ id: order.id, ref: order.ref }, 'BOOKED', { retailerId: '2' })))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(isRetriable(error)).toBe(false);
    expect(String((error as Error).message)).toMatch(/"acme-eu".*no scope/);
  });

  it('keeps serving retailers on the default project', async () => {
    const order = fluent.store.upsertOrder({ ref: 'DEFAULT_1', status: 'BOOKED', retailerId: '1' });
    ct.store.createOrder({ orderNumber: 'DEFAULT_1' });
    const outcome = await handler.handle(contextFor(orderWebhook({ id: order.id, ref: order.ref }, 'BOOKED')));
    expect(outcome.status).toBe('applied');
    expect(ct.store.getOrder({ orderNumber: 'DEFAULT_1' })?.orderState).toBe('Confirmed');
  });
});
