/**
 * FLUENT_ACCOUNTS, the account allowlist (docs/architecture.md, "Ingress responses"). Fluent signs webhooks with one
 * key per region, not per account, so a valid signature only proves the webhook comes from *some* Fluent tenant of
 * the region; the allowlist says which tenants this deployment serves. Entries are `accountId` (every retailer of the
 * account) or `accountId:retailerId`; `*` alone accepts every account and must be written out: an unset variable
 * stops the start, so no deployment is open by omission. Account ids compare case-insensitively (as the account
 * mapping does, processor/handlers/order-status/account.ts), retailer ids exactly.
 */

export type AccountAllowlist =
  | { readonly all: true }
  | {
      readonly all: false;
      /** Upper-cased account id → allowed retailer ids, or '*' for every retailer of the account. */
      readonly accounts: ReadonlyMap<string, '*' | ReadonlySet<string>>;
    };

const ID = /^[A-Za-z0-9_.-]+$/;

/** Parses the comma list; throws an Error whose message names the bad entry by position (ids are not secret). */
export function parseAllowlist(entries: readonly string[]): AccountAllowlist {
  if (entries.length === 0) {
    throw new Error('at least one entry is required: accountId or accountId:retailerId, or * to accept every account');
  }
  if (entries.includes('*')) {
    if (entries.length > 1) throw new Error('* accepts every account and cannot be combined with other entries');
    return { all: true };
  }
  const accounts = new Map<string, '*' | Set<string>>();
  entries.forEach((entry, index) => {
    const [account, retailer, ...rest] = entry.split(':');
    if (!account || !ID.test(account) || rest.length > 0 || (retailer !== undefined && !ID.test(retailer))) {
      throw new Error(`entry ${index + 1} ("${entry}") must be accountId or accountId:retailerId`);
    }
    const key = account.toUpperCase();
    const known = accounts.get(key);
    if (retailer === undefined || known === '*') {
      accounts.set(key, '*');
    } else {
      accounts.set(key, (known ?? new Set<string>()).add(retailer));
    }
  });
  return { all: false, accounts };
}

/** Whether a webhook of this account and retailer is served. */
export function isAllowed(allowlist: AccountAllowlist, accountId: string, retailerId: string): boolean {
  if (allowlist.all) return true;
  const retailers = allowlist.accounts.get(accountId.trim().toUpperCase());
  return retailers === '*' || (retailers !== undefined && retailers.has(retailerId.trim()));
}

/** For the start log: how many accounts, or that all are accepted. */
export function describeAllowlist(allowlist: AccountAllowlist): string {
  return allowlist.all ? 'every account (*)' : `${allowlist.accounts.size} account(s)`;
}
