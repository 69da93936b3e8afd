import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { FluentClient, FluentSetting } from '../../../../../processor/fluent/client.js';
import { createOrderStatusMetrics } from '../../../../../processor/handlers/order-status/metrics.js';
import {
  connectorNames,
  retailerSettingsCache,
  SettingsReport,
  wantedSettings,
} from '../../../../../processor/handlers/order-status/settings.js';
import type { OrderStatusConfig } from '../../../../../processor/handlers/order-status/config.js';

const CT = 'fc.connect.commercetools';
const CT_DASH = 'fc.connect.commerce-tools';

/** The seed documentation's spelling: the order mapping one way, payment and shipping the other. */
const DOCUMENTED: FluentSetting[] = [
  {
    name: `${CT}.order.order-status-mapping`,
    context: 'ACCOUNT',
    contextId: 0,
    lobValue: { fluent: { BOOKED: 'Confirmed' } },
  },
  {
    name: `${CT_DASH}.order.payment-status-mapping`,
    context: 'ACCOUNT',
    contextId: 0,
    lobValue: { fluent: { BOOKED: 'paid' } },
  },
  {
    name: `${CT_DASH}.order.shipping-status-mapping`,
    context: 'ACCOUNT',
    contextId: 0,
    lobValue: { fluent: { BOOKED: 'Pending' } },
  },
];

function capture() {
  const lines: Array<{ level: number; msg: string; [k: string]: unknown }> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

function fakeFluent(settings: () => FluentSetting[]) {
  const queried: string[][] = [];
  const client = {
    settings: (names: readonly string[]) => {
      queried.push([...names]);
      return Promise.resolve(settings());
    },
  } as unknown as FluentClient;
  return { client, queried };
}

const config = (connectorName: string) => ({ connectorName, settingsCacheTtlMs: 1_000 }) as OrderStatusConfig;

describe('connector names', () => {
  it.each([
    ['commercetools', ['commercetools', 'commerce-tools']],
    ['commerce-tools', ['commerce-tools', 'commercetools']],
    ['my-connector', ['my-connector']],
  ])('%s → %j', (configured, expected) => {
    expect(connectorNames(configured)).toEqual(expected);
  });

  it('every setting is wanted under both spellings, the configured one first', () => {
    expect(wantedSettings('commerce-tools').paymentState).toEqual([
      `${CT_DASH}.order.payment-status-mapping`,
      `${CT}.order.payment-status-mapping`,
    ]);
    expect(wantedSettings('commercetools').accountMapping).toEqual([
      `${CT}.account-mapping`,
      `${CT_DASH}.account-mapping`,
    ]);
  });
});

describe('retailer settings with the documented (mixed) spelling', () => {
  it.each(['commercetools', 'commerce-tools'])(
    'CONNECTOR_NAME=%s reads all three mappings in one query',
    async (name) => {
      const { client, queried } = fakeFluent(() => DOCUMENTED);
      const cache = retailerSettingsCache(
        client,
        config(name),
        capture().logger,
        createOrderStatusMetrics(undefined),
        undefined,
      );
      const settings = await cache.get('1');
      expect(queried).toHaveLength(1);
      expect(queried[0]).toHaveLength(8);
      expect(settings.mappings.orderState.present).toBe(true);
      expect(settings.mappings.paymentState.present).toBe(true);
      expect(settings.mappings.shipmentState.present).toBe(true);
      // Problems name the setting as it was found.
      expect(settings.mappings.paymentState.settingName).toBe(`${CT_DASH}.order.payment-status-mapping`);
      expect(settings.accountMappingName).toBe(`fc.connect.${name}.account-mapping`);
    },
  );
});

describe('SettingsReport', () => {
  it('logs the setting in force once per retailer and setting, and the gauge says the same', async () => {
    const { logger, lines } = capture();
    const registry = new Registry();
    const { client } = fakeFluent(() => DOCUMENTED);
    const cache = retailerSettingsCache(
      client,
      config('commercetools'),
      logger,
      createOrderStatusMetrics(registry),
      () => now,
    );
    let now = 0;
    await cache.get('1');
    now += 5_000; // past the TTL: read again, nothing changed
    await cache.get('1');
    const inForce = lines.filter((l) => l.msg === 'Fluent setting in force');
    expect(inForce.map((l) => [l['setting'], l['name'], l['context']])).toEqual([
      ['order.order-status-mapping', `${CT}.order.order-status-mapping`, 'ACCOUNT'],
      ['order.payment-status-mapping', `${CT_DASH}.order.payment-status-mapping`, 'ACCOUNT'],
      ['order.shipping-status-mapping', `${CT_DASH}.order.shipping-status-mapping`, 'ACCOUNT'],
    ]);
    expect(lines.filter((l) => l.msg.startsWith('no Fluent account mapping'))).toHaveLength(1);
    const text = await registry.metrics();
    expect(text).toContain(
      `fc_order_status_setting_in_force{retailer="1",setting="order.payment-status-mapping",name="${CT_DASH}.order.payment-status-mapping",context="ACCOUNT"} 1`,
    );
    expect(text).toContain(
      `fc_order_status_setting_in_force{retailer="1",setting="account-mapping",name="",context="none"} 1`,
    );
  });

  it('a dimension with no setting under any name warns once, not per read; a change is logged and replaces the gauge', async () => {
    const { logger, lines } = capture();
    const registry = new Registry();
    const report = new SettingsReport(wantedSettings('commercetools'), logger, createOrderStatusMetrics(registry));
    const warnings = () => lines.filter((l) => l.msg.startsWith('Fluent setting not found'));
    for (let i = 0; i < 3; i++) report.record('7', {});
    expect(warnings()).toHaveLength(3); // order, payment, shipping: once each
    expect(warnings().map((w) => w['tried'])).toContainEqual([
      `${CT}.order.payment-status-mapping`,
      `${CT_DASH}.order.payment-status-mapping`,
    ]);
    report.record('7', {
      paymentState: { name: `${CT_DASH}.order.payment-status-mapping`, context: 'RETAILER', value: {} },
    });
    report.record('7', {
      paymentState: { name: `${CT_DASH}.order.payment-status-mapping`, context: 'RETAILER', value: {} },
    });
    expect(lines.filter((l) => l.msg === 'Fluent setting in force')).toHaveLength(1);
    const text = await registry.metrics();
    expect(text).toContain(
      `setting="order.payment-status-mapping",name="${CT_DASH}.order.payment-status-mapping",context="RETAILER"} 1`,
    );
    expect(text).not.toContain(`setting="order.payment-status-mapping",name="",context="none"`);
  });
});
