import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../../../processor/errors.js';
import { accountTargetFor, parseAccountMapping } from '../../../../../processor/handlers/order-status/account.js';

const NAME = 'fc.connect.commercetools.account-mapping';
const projectKeyFor = (...args: Parameters<typeof accountTargetFor>) => accountTargetFor(...args).projectKey;

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

describe('account mapping → store key', () => {
  it('externalAccount.storeKey comes with the project; the default project has none of the mapping', () => {
    const mapping = parseAccountMapping(NAME, [
      {
        fluent: { accountId: 'ACME', retailerId: '3' },
        externalAccount: { projectKey: 'acme-eu', storeKey: 'eu-store' },
      },
    ]);
    expect(accountTargetFor(NAME, mapping, 'ACME', '3', 'fallback')).toEqual({
      projectKey: 'acme-eu',
      storeKey: 'eu-store',
    });
    expect(accountTargetFor(NAME, mapping, 'ACME', '4', 'fallback')).toEqual({ projectKey: 'fallback' });
  });

  it('a store key that is not a key is the setting’s configuration error', () => {
    const bad = parseAccountMapping(NAME, {
      fluent: { accountId: 'ACME' },
      externalAccount: { projectKey: 'p', storeKey: 'eu store' },
    });
    expect(() => accountTargetFor(NAME, bad, 'ACME', '1', 'fallback')).toThrowError(
      /account-mapping: externalAccount\.storeKey must be a store key/,
    );
  });

  it('no match and no default project (CT_PROJECT_KEY unset) is that retailer’s configuration error', () => {
    const mapping = parseAccountMapping(NAME, { fluent: { accountId: 'ACME' }, externalAccount: { projectKey: 'p' } });
    expect(accountTargetFor(NAME, mapping, 'ACME', '1', undefined)).toEqual({ projectKey: 'p' });
    expect(() => accountTargetFor(NAME, mapping, 'OTHER', '1', undefined)).toThrowError(ConfigurationError);
    expect(() => accountTargetFor(NAME, mapping, 'OTHER', '1', undefined)).toThrowError(/CT_PROJECT_KEY .* is not set/);
  });
});
