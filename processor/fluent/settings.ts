/**
 * Fluent settings (DESIGN.md §3, §6). `fetchSettingValues` reads every wanted setting in one query for both
 * contexts and resolves each name RETAILER (contextId = retailerId) first, then ACCOUNT (contextId 0); JSON comes
 * from `lobValue` or, for old settings, a JSON string in `value`.
 *
 * `TtlCache` keeps the derived values per key for a TTL: one fetch per key and TTL (single flight), never per
 * message; while the source fails, the last good value is served stale (re-tried at most every `retryAfterErrorMs`),
 * so a Fluent outage does not stop processing of orders whose settings are known.
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

export interface TtlCacheOptions {
  /** How long a loaded value is fresh. */
  readonly ttlMs: number;
  /** After a failed load, serve the stale value this long before trying again. Default min(ttlMs, 5 s). */
  readonly retryAfterErrorMs?: number;
  /** Clock (tests). Default Date.now. */
  readonly now?: () => number;
  /** Called when a stale value is served because loading failed. */
  readonly onStale?: (key: string, error: unknown) => void;
  /** Most keys kept (oldest dropped). Default 10,000. */
  readonly maxEntries?: number;
}

interface Entry<T> {
  value?: T;
  hasValue: boolean;
  freshUntil: number;
  inflight?: Promise<T>;
}

export class TtlCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly now: () => number;

  constructor(
    private readonly load: (key: string) => Promise<T>,
    private readonly options: TtlCacheOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get(key: string): Promise<T> {
    let entry = this.entries.get(key);
    if (entry?.hasValue && this.now() < entry.freshUntil) return Promise.resolve(entry.value as T);
    if (!entry) {
      entry = { hasValue: false, freshUntil: 0 };
      this.entries.set(key, entry);
      this.evict();
    }
    entry.inflight ??= this.refresh(key, entry);
    return entry.inflight;
  }

  /** Drops every cached value (e.g. after a settings change). */
  clear(): void {
    this.entries.clear();
  }

  private async refresh(key: string, entry: Entry<T>): Promise<T> {
    try {
      const value = await this.load(key);
      entry.value = value;
      entry.hasValue = true;
      entry.freshUntil = this.now() + this.options.ttlMs;
      return value;
    } catch (error) {
      if (!entry.hasValue) {
        this.entries.delete(key);
        throw error;
      }
      entry.freshUntil = this.now() + (this.options.retryAfterErrorMs ?? Math.min(this.options.ttlMs, 5_000));
      this.options.onStale?.(key, error);
      return entry.value as T;
    } finally {
      entry.inflight = undefined;
    }
  }

  private evict(): void {
    const max = this.options.maxEntries ?? 10_000;
    while (this.entries.size > max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
