/** Partner handlers through PROCESSOR_PLUGINS: loaded at start, routed by message name, run by the runtime. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadProcessorConfig } from '../../../processor/config.js';
import { ConfigurationError } from '../../../processor/errors.js';
import { ORDER_STATUS_ACTIONS } from '../../../processor/handlers/order-status/index.js';
import { ExtensionPoints, loadPlugins } from '../../../processor/plugins.js';
import { Router } from '../../../processor/router.js';
import { startProcessor, type RecordEvent, type RunningProcessor } from '../../../processor/runtime.js';
import { eventually } from '../../support/kafka.js';
import { FULFILMENT_MESSAGE, seenByPartner } from './fixtures/partner-plugin.js';
import { encodeAll, ORDER_STATUS, payloadFor, produce, testBed } from '../support/processor.js';

const logger = pino({ level: 'silent' });
let processor: RunningProcessor | undefined;
afterEach(async () => {
  await processor?.stop();
  processor = undefined;
});

it('loads a partner plugin from PROCESSOR_PLUGINS and routes its message name to it', async () => {
  const bed = await testBed({ partitions: 1 });
  const config = loadProcessorConfig(
    bed.env({ PROCESSOR_PLUGINS: 'test/integration/processor/fixtures/partner-plugin.ts' }),
  );
  const router = new Router();
  const builtIn: string[] = [];
  router.registerHandler(ORDER_STATUS, {
    name: 'order-status-stand-in',
    handle: (ctx) => (builtIn.push(ctx.record.id), Promise.resolve({ status: 'applied' })),
  });
  await loadPlugins({ paths: config.plugins, router, logger });
  expect(router.messageNames()).toEqual([FULFILMENT_MESSAGE, ORDER_STATUS].sort());

  const fulfilment = { ...payloadFor('O_PLUG', 1, FULFILMENT_MESSAGE), entityType: 'FULFILMENT', entityRef: 'F_1' };
  const order = payloadFor('O_PLUG', 2);
  await produce(bed.topics.webhooks, await encodeAll(bed.topics.webhooks, [fulfilment, order]));
  processor = await startProcessor({ config: config.runtime, router, logger });
  const events: RecordEvent[] = [];
  processor.events.on('record', (e: RecordEvent) => events.push(e));

  await eventually(() => events.length === 2, 15_000);
  expect(seenByPartner).toContainEqual({ eventId: fulfilment.id, entityRef: 'F_1', status: 'BOOKED' });
  expect(builtIn).toEqual([order.id]);
  expect(events.map((e) => e.outcome)).toEqual(['applied', 'applied']);
});

it('fails the start when a plugin registers a name that is already routed, or cannot be loaded', async () => {
  const router = new Router();
  router.registerHandler(FULFILMENT_MESSAGE, { name: 'first', handle: () => Promise.resolve({ status: 'skipped' }) });
  await expect(
    loadPlugins({ paths: ['test/integration/processor/fixtures/partner-plugin.ts'], router, logger }),
  ).rejects.toThrow(/duplicate route for "fc.connect.fulfilment.webhook.fulfilment-update"/);
  await expect(loadPlugins({ paths: ['./does/not/exist.js'], router, logger })).rejects.toBeInstanceOf(
    ConfigurationError,
  );
});

it("offers the handlers' extension points by method and by name, and seals them once plugins are loaded", async () => {
  const plugin = join(mkdtempSync(join(tmpdir(), 'fc-plugin-')), 'extends-order-status.mjs');
  writeFileSync(
    plugin,
    `export default ({ addOrderStatusActions, extend }) => {
       addOrderStatusActions(() => []);
       extend('${ORDER_STATUS_ACTIONS}', () => []);
     };`,
  );
  const extensions = new ExtensionPoints();
  const hooks: unknown[] = [];
  extensions.define({ name: ORDER_STATUS_ACTIONS, contextMethod: 'addOrderStatusActions', add: (h) => hooks.push(h) });
  await loadPlugins({ paths: [plugin], router: new Router(), logger, extensions });
  expect(hooks).toHaveLength(2);
  expect(() => extensions.extend(ORDER_STATUS_ACTIONS, () => [])).toThrow(/after start/);
  expect(() => new ExtensionPoints().extend('nothing.here', () => [])).toThrow(ConfigurationError);
});

/** A plugin module written to a temp dir (plain ESM: loaded by path like any deployment's plugin). */
function pluginFile(name: string, source: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'fc-plugin-')), name);
  writeFileSync(path, source);
  return path;
}

it('a plugin replaces the built-in handler by name: the routes of PROCESSOR_ROUTES reach the replacement', async () => {
  const bed = await testBed({ partitions: 1 });
  const custom = 'acme.order.changed';
  const plugin = pluginFile(
    'replaces-order-status.mjs',
    `export const seen = [];
     export default ({ replaceHandler }) =>
       replaceHandler('order-status', {
         name: 'acme-order-status',
         handle: (ctx) => (seen.push(ctx.record.name), Promise.resolve({ status: 'applied' })),
       });`,
  );
  const config = loadProcessorConfig(
    bed.env({ PROCESSOR_PLUGINS: plugin, PROCESSOR_ROUTES: `${ORDER_STATUS}=order-status,${custom}=order-status` }),
  );
  const router = new Router();
  const builtIn: string[] = [];
  router.addHandler({
    name: 'order-status',
    handle: (ctx) => (builtIn.push(ctx.record.id), Promise.resolve({ status: 'applied' })),
  });
  for (const route of config.routes) router.route(route.messageName, route.handlerName);
  await loadPlugins({ paths: config.plugins, router, logger });

  await produce(
    bed.topics.webhooks,
    await encodeAll(bed.topics.webhooks, [payloadFor('O_REPL', 1), payloadFor('O_REPL', 2, custom)]),
  );
  processor = await startProcessor({ config: config.runtime, router, logger });
  const events: RecordEvent[] = [];
  processor.events.on('record', (e: RecordEvent) => events.push(e));
  await eventually(() => events.length === 2, 15_000);

  const { seen } = (await import(pathToFileURL(plugin).href)) as { seen: string[] };
  expect(seen).toEqual([ORDER_STATUS, custom]);
  expect(builtIn).toEqual([]);
  expect(events.map((e) => e.outcome)).toEqual(['applied', 'applied']);
});

it('a plugin claiming a configured message name without { replace: true } fails the start, naming both', async () => {
  const plugin = pluginFile(
    'claims-order-status.mjs',
    `export default ({ registerHandler }) =>
       registerHandler('${ORDER_STATUS}', { name: 'acme', handle: () => Promise.resolve({ status: 'skipped' }) });`,
  );
  const router = new Router();
  router.addHandler({ name: 'order-status', handle: () => Promise.resolve({ status: 'skipped' }) });
  router.route(ORDER_STATUS, 'order-status');
  const error = await loadPlugins({ paths: [plugin], router, logger }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigurationError);
  expect((error as Error).message).toMatch(
    new RegExp(
      `duplicate route for "${ORDER_STATUS}": already handled by "order-status" \\(PROCESSOR_ROUTES\\), refusing "acme" \\(plugin ".*claims-order-status.mjs"\\)`,
    ),
  );
});
