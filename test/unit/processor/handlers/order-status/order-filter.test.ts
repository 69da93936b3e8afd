import { describe, expect, it } from 'vitest';
import {
  createOrderFilter,
  filteredOutcome,
  outcomeLabel,
  webhookOrderFacts,
} from '../../../../../processor/handlers/order-status/order-filter.js';
import type { FluentWebhookPayload } from '../../../../../schemas/index.js';

const payload = (extra: Partial<FluentWebhookPayload>): FluentWebhookPayload => ({
  id: 'e1',
  name: 'fc.connect.order.webhook.order-status-update',
  accountId: 'ACME',
  retailerId: '1',
  entityId: '10',
  entityRef: 'HD_10',
  entityType: 'ORDER',
  ...extra,
});

describe('createOrderFilter', () => {
  it('passes every order when nothing is configured', () => {
    for (const config of [undefined, {}, { types: [] }]) {
      expect(createOrderFilter(config).exclusion({ ref: 'POS_1', type: 'POS' })).toBeUndefined();
    }
  });

  it.each([
    [{ ref: 'HD_1', type: 'HD' }, undefined],
    [{ ref: 'CC_1', type: 'cc' }, undefined],
    [{ ref: 'POS_1', type: 'POS' }, 'order type POS is not in ORDER_TYPES (HD, CC)'],
    [{ ref: 'POS_1' }, undefined], // the type is not known yet: decided later, on the Fluent order
  ])('by type: %j → %s', (facts, reason) => {
    expect(createOrderFilter({ types: ['HD', 'cc'] }).exclusion(facts)).toBe(reason);
  });

  it.each([
    [{ ref: 'HD_1' }, undefined],
    [{ ref: 'MKT_1' }, 'order ref MKT_1 does not match ORDER_REF_PATTERN'],
    [{ type: 'HD' }, undefined],
  ])('by ref pattern: %j → %s', (facts, reason) => {
    expect(createOrderFilter({ refPattern: /^(HD|CC)_/ }).exclusion(facts)).toBe(reason);
  });

  it('a pattern with the g flag gives the same answer every time', () => {
    const filter = createOrderFilter({ refPattern: /^HD_/g });
    expect([1, 2, 3].map(() => filter.exclusion({ ref: 'HD_1' }))).toEqual([undefined, undefined, undefined]);
  });
});

describe('webhookOrderFacts', () => {
  it('an order entity: its ref and, from entitySubtype, its type', () => {
    expect(webhookOrderFacts(payload({ entitySubtype: 'CC', type: 'NORMAL' }))).toEqual({ ref: 'HD_10', type: 'CC' });
  });

  it('another entity under an order root: the root ref, and no type (the subtype is the entity’s own)', () => {
    expect(
      webhookOrderFacts(
        payload({
          entityType: 'FULFILMENT',
          entitySubtype: 'HD',
          entityRef: 'F1',
          rootEntityType: 'ORDER',
          rootEntityRef: 'HD_10',
        }),
      ),
    ).toEqual({ ref: 'HD_10', type: undefined });
  });
});

describe('outcome labels', () => {
  it('a filtered order is skipped for the runtime and filtered for the handler metric', () => {
    const outcome = filteredOutcome('order type POS is not in ORDER_TYPES (HD)');
    expect(outcome).toMatchObject({ status: 'skipped', detail: 'filtered: order type POS is not in ORDER_TYPES (HD)' });
    expect(outcomeLabel(outcome)).toBe('filtered');
    expect(outcomeLabel({ status: 'skipped', detail: 'unmapped' })).toBe('skipped');
    expect(outcomeLabel({ status: 'applied' })).toBe('applied');
  });
});
