/**
 * The reason the replay command exists: an invalid status mapping in Fluent sends orders to the DLQ; once the
 * setting is fixed, `fc-connector replay` brings them back and the orders end correct. Runs the real ingress and
 * processor (child processes) against the Fluent and commercetools simulators.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOrderStatusEvent, EXAMPLE_ORDER_STATUS_MAPPING, mappingSettingNames } from '../../../sim/fluent/index.js';
import { eventually, infra, uniqueName } from '../../support/kafka.js';
import { startPipeline, type Pipeline } from '../../../sim/pipeline.js';
import { cli, recordCount, tempDir } from '../support/cli.js';

const REFS = ['FIX_1', 'FIX_2', 'FIX_3'];

describe('replay after a mapping fix', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    const topic = uniqueName('cli.fix.webhooks');
    pipeline = await startPipeline({
      ...infra(),
      topic,
      groupId: uniqueName('cli.fix.group'),
      partitions: 2,
      retryDelays: '300ms',
      logDir: join(tmpdir(), topic),
      // Pick up the fixed setting promptly.
      env: { SETTINGS_CACHE_TTL: '200ms' },
    });
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('dead-letters orders under a broken mapping, then replays them to the right states once it is fixed', async () => {
    const { fluent, ct } = pipeline;
    const settingName = mappingSettingNames('commercetools').orderStatus;
    // The typo an integrator makes: "Confirmd" is no commercetools OrderState.
    fluent.store.setSetting({
      name: settingName,
      context: 'ACCOUNT',
      contextId: 0,
      value: { fluent: { ...EXAMPLE_ORDER_STATUS_MAPPING, BOOKED: 'Confirmd' } },
    });
    REFS.forEach((ref, i) => {
      fluent.store.upsertOrder({ id: String(9000 + i), ref, status: 'BOOKED', retailerId: '1' });
      ct.store.createOrder({ orderNumber: ref });
    });
    for (const [i, ref] of REFS.entries()) {
      const response = await pipeline.sender.send(
        buildOrderStatusEvent({ orderId: String(9000 + i), orderRef: ref, status: 'BOOKED' }),
      );
      expect(response.status).toBe(200);
    }

    const env = { ...pipeline.env };
    await eventually(async () => (await recordCount(pipeline.topics.dlq)) === REFS.length, 30_000, 200);
    const listed = await cli(['dlq', 'list', '--json', '--error-class', 'CONFIGURATION'], { env });
    const rows = listed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; errorMessage: string });
    expect(rows.map((r) => r.key).sort()).toEqual(REFS);
    expect(rows[0]?.errorMessage).toContain('Confirmd');
    for (const ref of REFS) expect(ct.store.getOrder({ orderNumber: ref })?.orderState).toBe('Open');

    // The fix, then the replay.
    fluent.store.setSetting({
      name: settingName,
      context: 'ACCOUNT',
      contextId: 0,
      value: { fluent: { ...EXAMPLE_ORDER_STATUS_MAPPING } },
    });
    await new Promise((r) => setTimeout(r, 300)); // past SETTINGS_CACHE_TTL
    const cwd = tempDir();
    const dry = await cli(['replay', '--error-class', 'CONFIGURATION', '--dry-run'], { env, cwd });
    expect(dry.stdout).toContain(`Would replay ${REFS.length} of ${REFS.length} scanned`);
    const replayed = await cli(['replay', '--error-class', 'CONFIGURATION'], { env, cwd });
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toContain(`Replayed ${REFS.length} of ${REFS.length} scanned`);

    await eventually(
      () => REFS.every((ref) => ct.store.getOrder({ orderNumber: ref })?.orderState === 'Confirmed'),
      30_000,
      200,
    );
    for (const ref of REFS) {
      expect(ct.store.getOrder({ orderNumber: ref })).toMatchObject({
        orderState: 'Confirmed',
        paymentState: 'Paid',
        shipmentState: 'Pending',
      });
    }
    // Nothing failed again, and a second replay is a no-op.
    expect(await recordCount(pipeline.topics.dlq)).toBe(REFS.length);
    const again = await cli(['replay', '--error-class', 'CONFIGURATION'], { env, cwd });
    expect(again.stdout).toContain('already completed');
  });
});
