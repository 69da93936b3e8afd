/**
 * FLUENT_ACCOUNTS on the real broker: a validly signed webhook of an account (or retailer) outside the allowlist is
 * answered 403 ACCOUNT_NOT_ALLOWED and nothing reaches the topic; listed ones are produced.
 */
import { describe, expect, it } from 'vitest';
import { payload, readRecords, recordCount, signedRequest, startIngress } from '../support/ingress.js';

describe('ingress: account allowlist (FLUENT_ACCOUNTS)', () => {
  it('produces listed accounts and account:retailer pairs, answers 403 for others and produces nothing for them', async () => {
    const h = await startIngress({ FLUENT_ACCOUNTS: 'ACME,BETA:7' });
    try {
      const allowed = [
        payload({ accountId: 'ACME', retailerId: '3' }),
        payload({ accountId: 'beta', retailerId: '7' }),
      ];
      const refused = [payload({ accountId: 'OTHERCO' }), payload({ accountId: 'BETA', retailerId: '8' })];
      for (const body of allowed) {
        const response = await h.app.inject(signedRequest(JSON.stringify(body)));
        expect(response.statusCode, response.body).toBe(200);
      }
      for (const body of refused) {
        const response = await h.app.inject(signedRequest(JSON.stringify(body)));
        expect(response.statusCode).toBe(403);
        expect(response.json()).toEqual({
          error: {
            code: 'ACCOUNT_NOT_ALLOWED',
            message: `account ${body.accountId} (retailer ${body.retailerId}) is not served by this connector (FLUENT_ACCOUNTS)`,
          },
        });
      }
      const records = await readRecords(h.topic, 2);
      expect(records.map((r) => r.value.id).sort()).toEqual(allowed.map((p) => p.id).sort());
      expect(await recordCount(h.topic)).toBe(2);
    } finally {
      await h.close();
    }
  });
});
