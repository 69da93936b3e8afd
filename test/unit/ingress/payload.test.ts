import { describe, expect, it } from 'vitest';
import { validatePayload } from '../../../ingress/payload.js';

const valid = {
  id: 'e1',
  name: 'fc.connect.order.webhook.order-status-update',
  accountId: 'ACME',
  retailerId: '1',
  entityId: '123',
  entityRef: 'O_123',
  entityType: 'ORDER',
};

describe('validatePayload', () => {
  it('accepts the required fields and keeps unknown ones untouched', () => {
    const input = { ...valid, entityStatus: null, futureField: [1, { a: 2 }], attributes: { x: 1 } };
    const result = validatePayload(input);
    expect(result).toEqual({ ok: true, payload: input });
  });

  it('lists every missing and mistyped field, in field order', () => {
    const result = validatePayload({ id: 5, name: '', retailerId: '1', entityId: '1', entityType: [], type: 7 });
    expect(result).toEqual({
      ok: false,
      notAnObject: false,
      missing: ['accountId', 'entityRef'],
      mistyped: [
        { field: 'id', expected: 'string', actual: 'number' },
        { field: 'name', expected: 'non-empty string', actual: 'empty string' },
        { field: 'entityType', expected: 'string', actual: 'array' },
        { field: 'type', expected: 'string or null', actual: 'number' },
      ],
    });
  });

  it('treats null required fields as missing', () => {
    const result = validatePayload({ ...valid, entityRef: null });
    expect(result).toMatchObject({ ok: false, missing: ['entityRef'], mistyped: [] });
  });

  it.each([[null], [[]], ['text'], [42]])('refuses a non-object body %j', (value) => {
    expect(validatePayload(value)).toMatchObject({ ok: false, notAnObject: true });
  });
});
