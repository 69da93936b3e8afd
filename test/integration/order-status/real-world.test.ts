/**
 * Issue 15 §4–§6 through the real broker, with the processor wired as processor/main.ts wires it (configuration from
 * the documented variables, the handler's extension point offered to plugins, PROCESSOR_ROUTES, then plugins):
 * - §4 correlation as real stores name orders: Fluent refs `HD_<ct id>` / `CC_<number>` reach the right commercetools
 *   order with ORDER_CORRELATION=strip-prefix, ORDER_CORRELATION_PREFIX or ORDER_CORRELATION_PATTERN, and
 *   ORDER_CORRELATION_TARGET (docs/configuration.md);
 * - §5 a Fluent status no mapping knows is skipped without any commercetools call, unless an extension is registered;
 * - §6 an invalid mapping value (`payed`) blocks only its own dimension: the others are written, the record is
 *   dead-lettered as CONFIGURATION naming setting, key and valid values, and a replay after the fix completes it;
 *   `Cancelled` is accepted for ShipmentState `Canceled`.
 */
import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProcessorConfig } from '../../../processor/config.js';
import {
  createOrderStatusHandler,
  ORDER_STATUS_ACTIONS,
  type ExtraActionsHook,
} from '../../../processor/handlers/order-status/index.js';
import { ExtensionPoints, loadPlugins } from '../../../processor/plugins.js';
import { Router } from '../../../processor/router.js';
import type { RecordOutcome } from '../../../processor/runner.js';
import { startProcessor, type RecordEvent, type RunningProcessor } from '../../../processor/runtime.js';
import { Headers, headerString, type FluentWebhookPayload } from '../../../schemas/index.js';
import { startCommercetoolsSim, type CommercetoolsSim } from '../../../sim/commercetools/index.js';
import {
  EXAMPLE_PAYMENT_STATUS_MAPPING,
  EXAMPLE_SHIPPING_STATUS_MAPPING,
  mappingSettingNames,
  startFluentSim,
  type FluentSim,
} from '../../../sim/fluent/index.js';
import { processorEnvFor } from '../../../sim/processor-env.js';
import { eventually } from '../../support/kafka.js';
import { cli, tempDir } from '../support/cli.js';
import { orderWebhook } from '../support/order-status.js';
import { encodeAll, produce, readTopic, testBed, type TestBed } from '../support/processor.js';

interface Sims {
  readonly fluent: FluentSim;
  readonly ct: CommercetoolsSim;
}

/** One running connector (processor + order-status handler) on its own topics, with what it reported. */
interface Connector {
  readonly bed: TestBed;
  /** Kafka variables of this connector's topics, for the CLI. */
  readonly kafkaEnv: Record<string, string>;
  send(payloads: FluentWebhookPayload[]): Promise<void>;
  /** Outcomes of the records carrying this webhook event id, in order. */
  outcomes(eventId: string): RecordOutcome[];
  /** Log lines (debug and up) about this webhook event id. */
  logsAbout(eventId: string): Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/**
 * Starts a connector the way processor/main.ts does, on fresh topics: every setting comes from `env` (the documented
 * variables); `extraActions` is added to the handler's extension point as a plugin's `extend` call would.
 */
async function startConnector(
  sims: Sims,
  env: Record<string, string> = {},
  options: { extraActions?: ExtraActionsHook } = {},
): Promise<Connector> {
  const bed = await testBed({ partitions: 1, retryDelays: '200ms' });
  const processEnv = { ...bed.env(env), ...processorEnvFor(sims.fluent, sims.ct) };
  const config = loadProcessorConfig(processEnv);
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const extensions = new ExtensionPoints();
  const router = new Router();
  router.addHandler(createOrderStatusHandler({ env: processEnv, logger, extensions }));
  for (const route of config.routes) router.route(route.messageName, route.handlerName);
  if (options.extraActions) extensions.extend(ORDER_STATUS_ACTIONS, options.extraActions, 'test plugin');
  await loadPlugins({ paths: config.plugins, router, logger, env: processEnv, extensions });
  const processor: RunningProcessor = await startProcessor({ config: config.runtime, router, logger });
  const events: RecordEvent[] = [];
  processor.events.on('record', (e: RecordEvent) => events.push(e));
  return {
    bed,
    kafkaEnv: bed.env(),
    send: async (payloads) => produce(bed.topics.webhooks, await encodeAll(bed.topics.webhooks, payloads)),
    outcomes: (eventId) => events.filter((e) => e.eventId === eventId).map((e) => e.outcome),
    logsAbout: (eventId) => logs.filter((l) => l['eventId'] === eventId),
    stop: () => processor.stop(),
  };
}

async function startSims(): Promise<Sims> {
  const [fluent, ct] = await Promise.all([
    startFluentSim({ seedMappingsFor: 'commercetools' }),
    startCommercetoolsSim(),
  ]);
  return { fluent, ct };
}

const closeSims = async (sims: Sims | undefined) => Promise.all([sims?.fluent.close(), sims?.ct.close()]);

/** commercetools requests made on behalf of one webhook (the X-Correlation-ID is its event id). */
const ctCallsFor = (ct: CommercetoolsSim, eventId: string) =>
  ct.requests.all().filter((r) => r.headers['x-correlation-id'] === eventId);

/** A fresh commercetools order as created: untouched by the connector. */
const UNTOUCHED = { version: 1, orderState: 'Open', paymentState: null, shipmentState: null };
/** What the documented example mappings give for BOOKED. */
const BOOKED_STATES = { orderState: 'Confirmed', paymentState: 'Paid', shipmentState: 'Pending' };

describe('§4 correlation: Fluent refs HD_<ct id> and CC_<number>', () => {
  let sims: Sims;
  const connectors: Connector[] = [];

  beforeAll(async () => {
    sims = await startSims();
  });

  afterAll(async () => {
    await Promise.all(connectors.map((c) => c.stop()));
    await closeSims(sims);
  });

  // Each Fluent ref is `<prefix><value>`. The right commercetools order has the value in the target field; a decoy has
  // the value in the other field and the whole ref in the target field's place, so a lookup that did not strip the
  // prefix, or used the wrong field, updates the decoy instead.
  const cases: Array<{ variables: Record<string, string>; target: 'orderNumber' | 'id' }> = [
    {
      variables: { ORDER_CORRELATION_PREFIX: 'HD_,CC_', ORDER_CORRELATION_TARGET: 'orderNumber' },
      target: 'orderNumber',
    },
    { variables: { ORDER_CORRELATION_PREFIX: 'HD_,CC_', ORDER_CORRELATION_TARGET: 'id' }, target: 'id' },
    { variables: { ORDER_CORRELATION_PATTERN: '^(?:HD|CC)_(.+)$', ORDER_CORRELATION_TARGET: 'id' }, target: 'id' },
    // ORDER_CORRELATION_TARGET unset: orderNumber, the documented default.
    { variables: { ORDER_CORRELATION_PATTERN: '^(?:HD|CC)_(.+)$' }, target: 'orderNumber' },
  ];
  const describeVariables = (variables: Record<string, string>) =>
    Object.entries(variables)
      .map(([name, value]) => `${name}=${value}`)
      .join(' ');
  for (const { variables, target } of cases) {
    it(`strip-prefix, ${describeVariables(variables)}: the commercetools order whose ${target} is the stripped ref`, async () => {
      const connector = await startConnector(sims, { ORDER_CORRELATION: 'strip-prefix', ...variables });
      connectors.push(connector);
      const { fluent, ct } = sims;
      const orders = ['HD_', 'CC_'].map((prefix) => {
        const value = target === 'id' ? randomUUID() : String(Math.floor(Math.random() * 1e12));
        const ref = `${prefix}${value}`;
        const fluentOrder = fluent.store.upsertOrder({ ref, type: prefix.slice(0, 2), status: 'BOOKED' });
        const real =
          target === 'id'
            ? ct.store.createOrder({ id: value, orderNumber: `ct-${value}` })
            : ct.store.createOrder({ orderNumber: value });
        const decoy =
          target === 'id'
            ? ct.store.createOrder({ id: ref, orderNumber: value })
            : ct.store.createOrder({ id: value, orderNumber: ref });
        return { webhook: orderWebhook({ id: fluentOrder.id, ref }, 'BOOKED'), real, decoy };
      });

      await connector.send(orders.map((o) => o.webhook));

      await eventually(() => orders.every((o) => connector.outcomes(o.webhook.id).length > 0), 20_000);
      for (const { webhook, real, decoy } of orders) {
        expect(connector.outcomes(webhook.id)).toEqual(['applied']);
        expect(ct.store.getOrder({ id: real.id })).toMatchObject(BOOKED_STATES);
        expect(ct.store.getOrder({ id: decoy.id })).toMatchObject(UNTOUCHED);
      }
    });
  }
});

describe('§5 unmapped statuses cost nothing', () => {
  let sims: Sims;
  let plain: Connector;
  let extended: Connector;
  const extensionSaw: string[] = [];

  beforeAll(async () => {
    sims = await startSims();
    [plain, extended] = await Promise.all([
      startConnector(sims),
      // A plugin that asks to see every order (e.g. to copy Fluent details into custom fields).
      startConnector(sims, {}, { extraActions: ({ fluentOrder }) => (extensionSaw.push(fluentOrder.ref), []) }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([plain?.stop(), extended?.stop()]);
    await closeSims(sims);
  });

  /** A Fluent order and a commercetools order in a status that none of the example mappings has. */
  function unmappedOrder(label: string) {
    const ref = `UNMAPPED_${label}_${randomUUID().slice(0, 8)}`;
    const fluentOrder = sims.fluent.store.upsertOrder({ ref, status: 'ON_HOLD' });
    sims.ct.store.createOrder({ orderNumber: ref });
    return orderWebhook({ id: fluentOrder.id, ref }, 'ON_HOLD');
  }

  it('a webhook whose Fluent status is not mapped is skipped without any commercetools request', async () => {
    const webhook = unmappedOrder('plain');
    const before = { reads: sims.ct.stats.reads, graphql: sims.ct.stats.graphqlRequests };

    await plain.send([webhook]);

    await eventually(() => plain.outcomes(webhook.id).length > 0, 20_000);
    expect(plain.outcomes(webhook.id)).toEqual(['skipped']);
    expect(plain.logsAbout(webhook.id).find((l) => l['msg'] === 'record skipped')).toMatchObject({
      detail: 'Fluent status ON_HOLD is not mapped',
    });
    expect(ctCallsFor(sims.ct, webhook.id)).toEqual([]);
    expect(sims.ct.stats.reads - before.reads).toBe(0);
    expect(sims.ct.stats.graphqlRequests - before.graphql).toBe(0);
    expect(sims.ct.store.getOrder({ orderNumber: webhook.entityRef })).toMatchObject(UNTOUCHED);
  });

  it('with a registered extension the order is read so the extension sees it (the reason the read exists)', async () => {
    const webhook = unmappedOrder('extended');

    const before = { keys: sims.ct.stats.listKeys, single: sims.ct.stats.readsByField['order'] ?? 0 };
    await extended.send([webhook]);

    await eventually(() => extended.outcomes(webhook.id).length > 0, 20_000);
    expect(extended.outcomes(webhook.id)).toEqual(['skipped']); // the extension added nothing: no write
    expect(extensionSaw).toContain(webhook.entityRef);
    // Read alone or in a batch (a batched read carries its own correlation id, not the event id).
    const asked = sims.ct.stats.listKeys - before.keys + (sims.ct.stats.readsByField['order'] ?? 0) - before.single;
    expect(asked).toBeGreaterThanOrEqual(1);
    expect(sims.ct.store.getOrder({ orderNumber: webhook.entityRef })).toMatchObject(UNTOUCHED);
  });
});

describe('§6 a bad mapping value blocks only its own dimension', () => {
  let sims: Sims;
  let connector: Connector;
  const settings = mappingSettingNames('commercetools');
  const setPaymentMapping = (booked: string) =>
    sims.fluent.store.setSetting({
      name: settings.paymentStatus,
      value: { fluent: { ...EXAMPLE_PAYMENT_STATUS_MAPPING, BOOKED: booked } },
    });

  beforeAll(async () => {
    sims = await startSims();
    // The typo an integrator makes in the payment mapping; the shipment mapping spells Canceled as OrderState does.
    setPaymentMapping('payed');
    sims.fluent.store.setSetting({
      name: settings.shippingStatus,
      value: { fluent: { ...EXAMPLE_SHIPPING_STATUS_MAPPING, CANCELLED: 'Cancelled' } },
    });
    // A short cache so that the fixed setting is picked up by the replay.
    connector = await startConnector(sims, { SETTINGS_CACHE_TTL: '200ms' });
  });

  afterAll(async () => {
    await connector?.stop();
    await closeSims(sims);
  });

  it('applies order and shipment state, dead-letters CONFIGURATION naming setting, key and valid values; a replay after the fix completes payment', async () => {
    const { fluent, ct } = sims;
    const ref = `PAYED_${randomUUID().slice(0, 8)}`;
    const fluentOrder = fluent.store.upsertOrder({ ref, status: 'BOOKED' });
    ct.store.createOrder({ orderNumber: ref });
    const webhook = orderWebhook({ id: fluentOrder.id, ref }, 'BOOKED');

    await connector.send([webhook]);

    await eventually(() => connector.outcomes(webhook.id).length > 0, 20_000);
    expect(connector.outcomes(webhook.id)).toEqual(['dead-lettered']); // not retriable: no retry tier
    expect(ct.store.getOrder({ orderNumber: ref })).toMatchObject({
      orderState: 'Confirmed',
      shipmentState: 'Pending',
      paymentState: null,
    });
    const [deadLetter] = await readTopic(connector.bed.topics.dlq, 1);
    expect(deadLetter?.key?.toString()).toBe(ref);
    const header = (name: string) => headerString((deadLetter as KafkaMessage).headers, name);
    expect(header(Headers.eventId)).toBe(webhook.id);
    expect(header(Headers.errorClass)).toBe('CONFIGURATION');
    expect(header(Headers.errorRetryable)).toBe('false');
    const message = header(Headers.errorMessage);
    expect(message).toContain(settings.paymentStatus);
    expect(message).toContain('"BOOKED"');
    expect(message).toContain('"payed"');
    expect(message).toContain('valid values: BalanceDue, Failed, Pending, CreditOwed, Paid');
    expect(message).not.toContain(settings.orderStatus);
    expect(message).not.toContain(settings.shippingStatus);

    // The fix, then the replay of the dead letter.
    setPaymentMapping('paid');
    await new Promise((resolve) => setTimeout(resolve, 300)); // past SETTINGS_CACHE_TTL
    const replayed = await cli(['replay', '--error-class', 'CONFIGURATION'], {
      env: connector.kafkaEnv,
      cwd: tempDir(),
    });
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stdout).toContain('Replayed 1 of 1 scanned');

    await eventually(() => connector.outcomes(webhook.id).length > 1, 20_000);
    expect(connector.outcomes(webhook.id)).toEqual(['dead-lettered', 'applied']);
    expect(ct.store.getOrder({ orderNumber: ref })).toMatchObject(BOOKED_STATES);
  });

  it('accepts Cancelled as the ShipmentState Canceled', async () => {
    const { fluent, ct } = sims;
    const ref = `CANCEL_${randomUUID().slice(0, 8)}`;
    const fluentOrder = fluent.store.upsertOrder({ ref, status: 'CANCELLED' });
    ct.store.createOrder({ orderNumber: ref, shipmentState: 'Pending' });
    const webhook = orderWebhook({ id: fluentOrder.id, ref }, 'CANCELLED');

    await connector.send([webhook]);

    await eventually(() => connector.outcomes(webhook.id).length > 0, 20_000);
    expect(connector.outcomes(webhook.id)).toEqual(['applied']);
    expect(ct.store.getOrder({ orderNumber: ref })).toMatchObject({
      orderState: 'Cancelled',
      shipmentState: 'Canceled',
    });
  });
});
