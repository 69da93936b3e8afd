/**
 * Fluent settings (docs/architecture.md, "Fluent" and "Processing semantics"). `fetchSettings` reads every wanted
 * setting, under each name it may be spelled with, in one query for both contexts, and chooses per setting: RETAILER
 * (contextId = retailerId) before ACCOUNT (contextId 0), and within a context the names in the order given. JSON
 * comes from `lobValue` or, for old settings, a JSON string in `value`. The handler keeps the derived values in a
 * TtlCache (downstream/ttl-cache.ts), so settings are fetched per retailer and TTL, not per message.
 */
import type { FluentClient, FluentSetting } from './client.js';

export type SettingContext = 'RETAILER' | 'ACCOUNT';

/** The setting in force: the name and context it was found under, and its JSON value. */
export interface SettingChoice {
  readonly name: string;
  readonly context: SettingContext;
  readonly value: unknown;
}

/** Per setting (by key), the names it may be spelled with, preferred first. */
export type WantedSettings<K extends string> = Readonly<Record<K, readonly string[]>>;

/** Per setting key, the setting in force; a key without any setting under any name is absent. */
export type SettingChoices<K extends string> = Partial<Record<K, SettingChoice>>;

export async function fetchSettings<K extends string>(
  client: FluentClient,
  wanted: WantedSettings<K>,
  retailerId: string,
  signal?: AbortSignal,
): Promise<SettingChoices<K>> {
  const retailer = /^\d+$/.test(retailerId) ? Number(retailerId) : undefined;
  const contexts = retailer === undefined ? ['ACCOUNT'] : ['RETAILER', 'ACCOUNT'];
  const contextIds = retailer === undefined ? [0] : [retailer, 0];
  const names = [...new Set(Object.values<readonly string[]>(wanted).flat())];
  const settings = await client.settings(names, contexts, contextIds, signal);
  return chooseSettings(wanted, settings, retailer);
}

/**
 * Pure: per setting, the first of RETAILER-of-this-retailer then ACCOUNT (contextId 0), trying every name within a
 * context before the next context (the names are spellings of one setting, the context is its scope).
 */
export function chooseSettings<K extends string>(
  wanted: WantedSettings<K>,
  settings: readonly FluentSetting[],
  retailerId: number | undefined,
): SettingChoices<K> {
  const scopes: Array<{ context: SettingContext; contextId: number }> =
    retailerId === undefined
      ? [{ context: 'ACCOUNT', contextId: 0 }]
      : [
          { context: 'RETAILER', contextId: retailerId },
          { context: 'ACCOUNT', contextId: 0 },
        ];
  const choices: SettingChoices<K> = {};
  for (const key of Object.keys(wanted) as K[]) {
    for (const { context, contextId } of scopes) {
      const found = wanted[key]
        .map((name) => settings.find((s) => s.name === name && inScope(s, context, contextId)))
        .find((s) => s !== undefined);
      if (found) {
        choices[key] = { name: found.name, context, value: settingJson(found) };
        break;
      }
    }
  }
  return choices;
}

function inScope(setting: FluentSetting, context: SettingContext, contextId: number): boolean {
  return setting.context?.toUpperCase() === context && Number(setting.contextId) === contextId;
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
