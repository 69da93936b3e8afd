import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../../../processor/errors.js';
import { parseAccountMapping, projectKeyFor } from '../../../../../processor/handlers/order-status/account.js';

const NAME = 'fc.connect.commercetools.account-mapping';

describe('account mapping → project key', () => {
  const single = parseAccountMapping(NAME, {
    fluent: { accountId: 'ACME', retailerId: '1' },
    externalAccount: { projectKey: 'my-project' },
  });
  const list = parseAccountMapping(NAME, [
    { fluent: { accountId: 'ACME', retailerId: 2 }, externalAccount: { projectKey: 'acme-eu' } },
    { fluent: { accountId: 'ACME' }, externalAccount: { projectKey: 'acme-default' } },
  ]);

  it.each([
    ['documented example, matching', single, 'ACME', '1', 'my-project'],
    ['account id is case-insensitive', single, 'acme', '1', 'my-project'],
    ['other retailer → default', single, 'ACME', '9', 'fallback'],
    ['other account → default', single, 'OTHER', '1', 'fallback'],
    ['list: retailer-specific first', list, 'ACME', '2', 'acme-eu'],
    ['list: account-wide entry', list, 'ACME', '5', 'acme-default'],
    ['no setting → default', parseAccountMapping(NAME, undefined), 'ACME', '1', 'fallback'],
  ])('%s', (_label, mapping, accountId, retailerId, expected) => {
    expect(projectKeyFor(NAME, mapping, accountId, retailerId, 'fallback')).toBe(expected);
  });

  it('a mapping without externalAccount.projectKey is a ConfigurationError naming the setting', () => {
    const bad = parseAccountMapping(NAME, { fluent: { accountId: 'ACME' }, externalAccount: {} });
    expect(() => projectKeyFor(NAME, bad, 'ACME', '1', 'fallback')).toThrowError(ConfigurationError);
    expect(() => projectKeyFor(NAME, bad, 'ACME', '1', 'fallback')).toThrowError(
      /account-mapping must have externalAccount\.projectKey/,
    );
  });
});
