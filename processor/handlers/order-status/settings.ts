/**
 * Each retailer's mapping settings, as real installations spell them (docs/architecture.md, "Fluent"). Fluent's own
 * documentation names the order mapping `fc.connect.commercetools.…` and the payment and shipping mappings
 * `fc.connect.commerce-tools.…`, so every setting is looked up under the configured CONNECTOR_NAME first and then
 * under the other spelling. Which name and context are in force is logged once per retailer and setting (again
 * only when it changes) and exported as the `fc_order_status_setting_in_force` gauge.
 */
import type { Logger } from 'pino';
import type { FluentClient } from '../../fluent/client.js';
import { fetchSettings, type SettingChoice, type SettingChoices, type WantedSettings } from '../../fluent/settings.js';
import { TtlCache } from '../../downstream/ttl-cache.js';
import { parseAccountMapping } from './account.js';
import type { OrderStatusConfig } from './config.js';
import type { RetailerSettings } from './handler.js';
import { parseStatusMapping, settingNames } from './mapping.js';
import type { OrderStatusMetrics, SettingInForce } from './metrics.js';

export type SettingKey = 'orderState' | 'paymentState' | 'shipmentState' | 'accountMapping';
const SETTING_KEYS: readonly SettingKey[] = ['orderState', 'paymentState', 'shipmentState', 'accountMapping'];

/** The two spellings of this connector's name in Fluent's documentation; a custom name has no alternative. */
const SPELLINGS = ['commercetools', 'commerce-tools'] as const;

/** The connector names settings are looked up under, preferred first. */
export function connectorNames(configured: string): string[] {
  const known = (SPELLINGS as readonly string[]).includes(configured);
  return known ? [configured, ...SPELLINGS.filter((s) => s !== configured)] : [configured];
}

/** Every setting under each connector name, the configured one first. */
export function wantedSettings(connectorName: string): WantedSettings<SettingKey> {
  const spellings = connectorNames(connectorName).map(settingNames);
  return Object.fromEntries(SETTING_KEYS.map((key) => [key, spellings.map((names) => names[key])])) as Record<
    SettingKey,
    string[]
  >;
}

/** Each retailer's mappings and account mapping from Fluent settings, fetched per TTL and served stale on failure. */
export function retailerSettingsCache(
  fluent: FluentClient,
  config: OrderStatusConfig,
  logger: Logger,
  metrics: OrderStatusMetrics,
  now: (() => number) | undefined,
): TtlCache<RetailerSettings> {
  const wanted = wantedSettings(config.connectorName);
  const report = new SettingsReport(wanted, logger, metrics);
  const load = async (retailerId: string): Promise<RetailerSettings> => {
    const choices = await fetchSettings(fluent, wanted, retailerId);
    report.record(retailerId, choices);
    return retailerSettings(wanted, choices);
  };
  return new TtlCache(load, {
    ttlMs: config.settingsCacheTtlMs,
    now,
    onStale: (retailerId, error) => {
      metrics.staleSettings();
      logger.warn({ retailerId, err: error }, 'Fluent settings could not be refreshed; serving the cached values');
    },
  });
}

/** Pure: the parsed settings; each named as it was found (a missing one by its preferred name). */
export function retailerSettings(
  wanted: WantedSettings<SettingKey>,
  choices: SettingChoices<SettingKey>,
): RetailerSettings {
  const nameOf = (key: SettingKey) => choices[key]?.name ?? wanted[key][0] ?? key;
  const mapping = (key: Exclude<SettingKey, 'accountMapping'>) =>
    parseStatusMapping(nameOf(key), key, choices[key]?.value);
  return {
    mappings: {
      orderState: mapping('orderState'),
      paymentState: mapping('paymentState'),
      shipmentState: mapping('shipmentState'),
    },
    accountMappingName: nameOf('accountMapping'),
    accountMapping: parseAccountMapping(nameOf('accountMapping'), choices.accountMapping?.value),
  };
}

/**
 * Tells operators which setting is in force per retailer: one log line per retailer and setting when first read and
 * whenever the name or context changes (never per message or per refresh), and the gauge with the same facts.
 */
export class SettingsReport {
  private readonly inForce = new Map<string, SettingInForce>();

  constructor(
    private readonly wanted: WantedSettings<SettingKey>,
    private readonly logger: Logger,
    private readonly metrics: OrderStatusMetrics,
  ) {}

  record(retailerId: string, choices: SettingChoices<SettingKey>): void {
    for (const key of SETTING_KEYS) {
      const current = this.labels(retailerId, key, choices[key]);
      const id = `${retailerId}\u0000${key}`;
      const previous = this.inForce.get(id);
      if (previous?.name === current.name && previous.context === current.context) continue;
      this.inForce.set(id, current);
      this.metrics.settingInForce(current, previous);
      this.log(key, current);
    }
  }

  private labels(retailer: string, key: SettingKey, choice: SettingChoice | undefined): SettingInForce {
    const setting = settingSuffix(this.wanted[key][0] ?? key);
    return { retailer, setting, name: choice?.name ?? '', context: choice?.context ?? 'none' };
  }

  private log(key: SettingKey, labels: SettingInForce): void {
    const facts = { retailerId: labels.retailer, setting: labels.setting };
    if (labels.context !== 'none') {
      this.logger.info({ ...facts, name: labels.name, context: labels.context }, 'Fluent setting in force');
    } else if (key === 'accountMapping') {
      this.logger.info({ ...facts, tried: this.wanted[key] }, 'no Fluent account mapping; CT_PROJECT_KEY is used');
    } else {
      this.logger.warn(
        { ...facts, tried: this.wanted[key] },
        'Fluent setting not found under any name; that dimension stays untouched',
      );
    }
  }
}

/** `fc.connect.commerce-tools.order.payment-status-mapping` → `order.payment-status-mapping`. */
function settingSuffix(name: string): string {
  return name.split('.').slice(3).join('.') || name;
}
