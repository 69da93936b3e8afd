/**
 * Fluent settings (docs/architecture.md, "Fluent" and "Processing semantics"). `fetchSettingValues` reads every
 * wanted setting in one query for both contexts and resolves each name RETAILER (contextId = retailerId) first, then
 * ACCOUNT (contextId 0); JSON comes from `lobValue` or, for old settings, a JSON string in `value`. The handler keeps
 * the derived values in a TtlCache (downstream/ttl-cache.ts), so settings are fetched per retailer and TTL, not per
 * message.
 */
import type { FluentClient, FluentSetting } from './client.js';

export type SettingValues = ReadonlyMap<string, unknown>;

export async function fetchSettingValues(
  client: FluentClient,
  names: readonly string[],
  retailerId: string,
  signal?: AbortSignal,
): Promise<SettingValues> {
  const retailer = /^\d+$/.test(retailerId) ? Number(retailerId) : undefined;
  const contexts = retailer === undefined ? ['ACCOUNT'] : ['RETAILER', 'ACCOUNT'];
  const contextIds = retailer === undefined ? [0] : [retailer, 0];
  const settings = await client.settings(names, contexts, contextIds, signal);
  return pickSettings(names, settings, retailer);
}

/** Pure: for each name, the RETAILER setting of this retailer, else the ACCOUNT setting (contextId 0). */
export function pickSettings(
  names: readonly string[],
  settings: readonly FluentSetting[],
  retailerId: number | undefined,
): SettingValues {
  const values = new Map<string, unknown>();
  for (const name of names) {
    const own = settings.filter((s) => s.name === name);
    const chosen =
      (retailerId !== undefined
        ? own.find((s) => s.context?.toUpperCase() === 'RETAILER' && Number(s.contextId) === retailerId)
        : undefined) ?? own.find((s) => s.context?.toUpperCase() === 'ACCOUNT' && Number(s.contextId) === 0);
    if (chosen) values.set(name, settingJson(chosen));
  }
  return values;
}

/** The setting's JSON value: `lobValue` (object or JSON text), else `value` (JSON text or object). */
export function settingJson(setting: Pick<FluentSetting, 'name' | 'value' | 'lobValue'>): unknown {
  for (const candidate of [setting.lobValue, setting.value]) {
    if (candidate === null || candidate === undefined || candidate === '') continue;
    if (typeof candidate !== 'string') return candidate;
    try {
      return JSON.parse(candidate) as unknown;
    } catch {
      // Returned as text: the mapping parser reports it as malformed, naming the setting.
      return candidate;
    }
  }
  return undefined;
}
