/** createOrderStatusHandler: configuration from the environment and start-up validation of documents. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  createOrderStatusHandler,
  ORDER_STATUS_MESSAGE_NAMES,
} from '../../../../../processor/handlers/order-status/index.js';
import { ConfigError } from '../../../../../common/index.js';
import { DEFAULT_CT_SCHEMA_PATH } from '../../../../../sim/commercetools/schema.js';

const ENV = {
  FLUENT_BASE_URL: 'http://127.0.0.1:1',
  FLUENT_CLIENT_ID: 'ACME',
  FLUENT_CLIENT_SECRET: 'super-secret-fluent',
  FLUENT_USERNAME: 'user',
  FLUENT_PASSWORD: 'super-secret-password',
  CT_AUTH_URL: 'http://127.0.0.1:1',
  CT_API_URL: 'http://127.0.0.1:1',
  CT_CLIENT_ID: 'ct',
  CT_CLIENT_SECRET: 'super-secret-ct',
  CT_PROJECT_KEY: 'my-project',
};

function capture() {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

describe('createOrderStatusHandler', () => {
  it('serves both order-status message names', () => {
    expect(ORDER_STATUS_MESSAGE_NAMES).toEqual([
      'fc.connect.order.webhook.order-status-update',
      'fc.connect.order.webhook.status-update',
    ]);
  });

  it('builds from the environment and logs its configuration without secrets', async () => {
    const { logger, lines } = capture();
    const handler = createOrderStatusHandler({ env: ENV, logger });
    expect(handler.name).toBe('order-status');
    const text = lines.join('');
    expect(text).toContain('order-status handler configured');
    expect(text).not.toMatch(/super-secret/);
    await handler.close?.();
  });

  it('rejects bad configuration with a ConfigError naming the variables', () => {
    const { logger } = capture();
    expect(() =>
      createOrderStatusHandler({ env: { ...ENV, CT_API_URL: '', FLUENT_PASSWORD: undefined }, logger }),
    ).toThrowError(ConfigError);
    try {
      createOrderStatusHandler({ env: { ...ENV, CT_API_URL: '', FLUENT_PASSWORD: undefined }, logger });
    } catch (error) {
      expect((error as ConfigError).problems.join('\n')).toMatch(
        /CT_API_URL[\s\S]*FLUENT_PASSWORD|FLUENT_PASSWORD[\s\S]*CT_API_URL/,
      );
    }
  });

  it('rejects an update-order override that does not validate against CT_GRAPHQL_SCHEMA_FILE at start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'os-factory-'));
    const doc = join(dir, 'update.graphql');
    writeFileSync(
      doc,
      'mutation Search($id: String!, $version: Long!, $actions: [OrderUpdateAction!]!) { search: updateOrder(id: $id, version: $version, actions: $actions) { id nonsense } }',
    );
    const sdl = DEFAULT_CT_SCHEMA_PATH;
    const { logger } = capture();
    expect(() =>
      createOrderStatusHandler({
        env: { ...ENV, CT_GRAPHQL_UPDATE_ORDER_DOCUMENT: doc, CT_GRAPHQL_SCHEMA_FILE: sdl },
        logger,
      }),
    ).toThrowError(/CT_GRAPHQL_UPDATE_ORDER_DOCUMENT: .*Cannot query field "nonsense" on type "Order"/);
  });
});
