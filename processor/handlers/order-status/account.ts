/**
 * Account mapping (pure): which commercetools project (and store) a Fluent account/retailer writes to. The setting
 * `fc.connect.<connector>.account-mapping` is `{"fluent":{"accountId":"ACME","retailerId":"1"},
 * "externalAccount":{"projectKey":"my-project","storeKey":"eu-store"}}` (docs/architecture.md, "Fluent"; `storeKey`
 * optional: that retailer's orders are reached through `inStore`); a list of such entries is accepted too. An entry
 * matches when its accountId matches (case-insensitively) and, if it names a retailerId, that matches as well. No
 * match (or no setting) → the default project (CT_PROJECT_KEY) without a store of the mapping's.
 */
import { KEY_PATTERN } from '../../commercetools/credentials.js';
import { ConfigurationError } from '../../errors.js';

export interface AccountMappingEntry {
  readonly accountId?: string;
  readonly retailerId?: string;
  readonly projectKey: string;
  readonly storeKey?: string;
}

/** The project (and store, when the mapping names one) a retailer's orders are in. */
export interface AccountTarget {
  readonly projectKey: string;
  readonly storeKey?: string;
}

export type AccountMapping = { readonly entries: readonly AccountMappingEntry[] } | { readonly problem: string };

export function parseAccountMapping(settingName: string, json: unknown): AccountMapping {
  if (json === undefined || json === null) return { entries: [] };
  const list = Array.isArray(json) ? json : [json];
  const entries: AccountMappingEntry[] = [];
  for (const [i, item] of list.entries()) {
    const fluent = (item as { fluent?: unknown })?.fluent as Record<string, unknown> | undefined;
    const external = (item as { externalAccount?: unknown })?.externalAccount as Record<string, unknown> | undefined;
    const where = `setting ${settingName}${list.length > 1 ? `[${i}]` : ''}`;
    const projectKey = external?.['projectKey'];
    if (typeof projectKey !== 'string' || !projectKey.trim()) {
      return {
        problem: `${where} must have externalAccount.projectKey (a non-empty string); expected {"fluent":{"accountId":"…","retailerId":"…"},"externalAccount":{"projectKey":"…"}}`,
      };
    }
    const storeKey = external?.['storeKey'];
    if (storeKey !== undefined && storeKey !== null && (typeof storeKey !== 'string' || !KEY_PATTERN.test(storeKey))) {
      return { problem: `${where}: externalAccount.storeKey must be a store key (letters, digits, "_" and "-")` };
    }
    entries.push({
      accountId: asId(fluent?.['accountId']),
      retailerId: asId(fluent?.['retailerId']),
      projectKey: projectKey.trim(),
      ...(typeof storeKey === 'string' ? { storeKey } : {}),
    });
  }
  return { entries };
}

/**
 * The project and store of the first matching entry, else the default project (CT_PROJECT_KEY). Without a match and
 * without a default, that retailer's configuration error.
 */
export function accountTargetFor(
  settingName: string,
  mapping: AccountMapping,
  accountId: string,
  retailerId: string,
  defaultProjectKey: string | undefined,
): AccountTarget {
  if ('problem' in mapping) throw new ConfigurationError(mapping.problem, { details: { setting: settingName } });
  const match = mapping.entries.find(
    (e) =>
      (e.accountId === undefined || e.accountId.toLowerCase() === accountId.toLowerCase()) &&
      (e.retailerId === undefined || e.retailerId === retailerId),
  );
  if (match)
    return match.storeKey
      ? { projectKey: match.projectKey, storeKey: match.storeKey }
      : { projectKey: match.projectKey };
  if (defaultProjectKey === undefined) {
    throw new ConfigurationError(
      `no entry of setting ${settingName} matches account ${accountId}, retailer ${retailerId}, and CT_PROJECT_KEY (the default project) is not set`,
      { details: { setting: settingName, accountId, retailerId } },
    );
  }
  return { projectKey: defaultProjectKey };
}

function asId(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string' && value.trim()) return value.trim();
  return undefined;
}
