/**
 * Account mapping (pure): which commercetools project a Fluent account/retailer writes to. The setting
 * `fc.connect.<connector>.account-mapping` is `{"fluent":{"accountId":"ACME","retailerId":"1"},
 * "externalAccount":{"projectKey":"my-project"}}` (docs/architecture.md, "Fluent"); a list of such entries is accepted too. An entry
 * matches when its accountId matches (case-insensitively) and, if it names a retailerId, that matches as well. No
 * match (or no setting) → the default project (CT_PROJECT_KEY).
 */
import { ConfigurationError } from '../../errors.js';

export interface AccountMappingEntry {
  readonly accountId?: string;
  readonly retailerId?: string;
  readonly projectKey: string;
}

export type AccountMapping = { readonly entries: readonly AccountMappingEntry[] } | { readonly problem: string };

export function parseAccountMapping(settingName: string, json: unknown): AccountMapping {
  if (json === undefined || json === null) return { entries: [] };
  const list = Array.isArray(json) ? json : [json];
  const entries: AccountMappingEntry[] = [];
  for (const [i, item] of list.entries()) {
    const fluent = (item as { fluent?: unknown })?.fluent as Record<string, unknown> | undefined;
    const external = (item as { externalAccount?: unknown })?.externalAccount as Record<string, unknown> | undefined;
    const projectKey = external?.['projectKey'];
    if (typeof projectKey !== 'string' || !projectKey.trim()) {
      return {
        problem: `setting ${settingName}${list.length > 1 ? `[${i}]` : ''} must have externalAccount.projectKey (a non-empty string); expected {"fluent":{"accountId":"…","retailerId":"…"},"externalAccount":{"projectKey":"…"}}`,
      };
    }
    entries.push({
      accountId: asId(fluent?.['accountId']),
      retailerId: asId(fluent?.['retailerId']),
      projectKey: projectKey.trim(),
    });
  }
  return { entries };
}

export function projectKeyFor(
  settingName: string,
  mapping: AccountMapping,
  accountId: string,
  retailerId: string,
  defaultProjectKey: string,
): string {
  if ('problem' in mapping) throw new ConfigurationError(mapping.problem, { details: { setting: settingName } });
  const match = mapping.entries.find(
    (e) =>
      (e.accountId === undefined || e.accountId.toLowerCase() === accountId.toLowerCase()) &&
      (e.retailerId === undefined || e.retailerId === retailerId),
  );
  return match?.projectKey ?? defaultProjectKey;
}

function asId(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string' && value.trim()) return value.trim();
  return undefined;
}
