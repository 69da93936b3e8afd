import { beforeAll, describe, expect, it } from 'vitest';
import type { TopicNames } from '../../../schemas/index.js';
import { createTestTopics } from '../../support/kafka.js';
import { cli, payload, produceDeadLetters, ORDER_STATUS } from '../support/cli.js';

interface Row {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  messageName: string;
  eventId: string;
  errorClass: string;
  errorMessage: string;
  attempts: number;
  failedAt: string;
}

function rows(stdout: string): Row[] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);
}

describe('fc-connector dlq', () => {
  let topics: TopicNames;
  let env: NodeJS.ProcessEnv;
  let startedAt: number;

  beforeAll(async () => {
    topics = await createTestTopics({ prefix: 'cli.dlq', partitions: 2, retryTiers: 1 });
    env = { TOPIC_WEBHOOKS: topics.webhooks, RETRY_DELAYS: '1s' };
    startedAt = Date.now();
    await produceDeadLetters(topics, [
      {
        payload: payload('O_1'),
        errorClass: 'CONFIGURATION',
        errorMessage: 'order-status-mapping: "Shipd" is not an OrderState',
      },
      { payload: payload('O_2'), errorClass: 'RETRIES_EXHAUSTED', attempt: 4 },
      { payload: payload('O_3', { name: 'fc.connect.order.webhook.status-update' }), errorClass: 'CONFIGURATION' },
      { payload: payload('O_4', { name: 'acme.custom.message' }), errorClass: 'NO_ROUTE' },
      { payload: payload('O_5'), errorClass: 'UndecodableRecordError', rawValue: Buffer.from('not avro at all') },
    ]);
  });

  it('lists every dead letter with its error details, as JSON lines and as a table', async () => {
    const json = await cli(['dlq', 'list', '--json'], { env });
    expect(json.code).toBe(0);
    const all = rows(json.stdout);
    expect(all.map((r) => r.key).sort()).toEqual(['O_1', 'O_2', 'O_3', 'O_4', 'O_5']);
    const o1 = all.find((r) => r.key === 'O_1');
    expect(o1).toMatchObject({
      topic: topics.dlq,
      messageName: ORDER_STATUS,
      errorClass: 'CONFIGURATION',
      errorMessage: 'order-status-mapping: "Shipd" is not an OrderState',
      attempts: 1,
    });
    expect(o1?.eventId).toMatch(/^evt\./);
    expect(Date.parse(o1?.failedAt ?? '')).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(all.find((r) => r.key === 'O_2')?.attempts).toBe(4);
    expect(json.stderr).toContain(`5 record(s) matched, 5 scanned in ${topics.dlq}`);

    const table = await cli(['dlq', 'list'], { env });
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^position\s+key\s+name\s+event id\s+error class\s+error message\s+attempts\s+failed at$/);
    expect(lines).toHaveLength(1 + 5 + 1);
    expect(table.stdout).toMatch(
      /\d:\d+\s+O_2\s+fc\.connect\.order\.webhook\.order-status-update\s+evt\.\S+\s+RETRIES_EXHAUSTED/,
    );
  });

  it('filters by error class, name, key, time range and limit', async () => {
    const byClass = rows((await cli(['dlq', 'list', '--json', '--error-class', 'CONFIGURATION'], { env })).stdout);
    expect(byClass.map((r) => r.key).sort()).toEqual(['O_1', 'O_3']);

    const byName = rows((await cli(['dlq', 'list', '--json', '--name', 'acme.custom.message'], { env })).stdout);
    expect(byName.map((r) => r.key)).toEqual(['O_4']);

    const byKeys = rows(
      (await cli(['dlq', 'list', '--json', '--key', 'O_2,O_5', '--error-class', 'RETRIES_EXHAUSTED'], { env })).stdout,
    );
    expect(byKeys.map((r) => r.key)).toEqual(['O_2']);

    const future = await cli(['dlq', 'list', '--json', '--since', new Date(Date.now() + 60_000).toISOString()], {
      env,
    });
    expect(future.code).toBe(0);
    expect(rows(future.stdout)).toEqual([]);
    const past = await cli(['dlq', 'list', '--json', '--until', new Date(startedAt - 60_000).toISOString()], { env });
    expect(rows(past.stdout)).toEqual([]);
    const window = await cli(
      ['dlq', 'list', '--json', '--since', 'now-5m', '--until', new Date(Date.now() + 60_000).toISOString()],
      {
        env,
      },
    );
    expect(rows(window.stdout)).toHaveLength(5);

    const limited = await cli(['dlq', 'list', '--json', '--limit', '2'], { env });
    expect(rows(limited.stdout)).toHaveLength(2);
    expect(limited.stderr).toContain('stopped at --limit 2');
  });

  it('shows one record with headers and the decoded value, and undecodable ones as base64/hex', async () => {
    const all = rows((await cli(['dlq', 'list', '--json'], { env })).stdout);
    const o1 = all.find((r) => r.key === 'O_1') as Row;
    const shown = await cli(['dlq', 'show', `${o1.partition}:${o1.offset}`, '--json'], { env });
    expect(shown.code).toBe(0);
    const doc = JSON.parse(shown.stdout) as {
      headers: Record<string, string>;
      value: { id: string; entityRef: string; rawBody: { id: string }; signature: unknown };
    };
    expect(doc.headers['fc-error-class']).toBe('CONFIGURATION');
    expect(doc.value.id).toBe(o1.eventId);
    expect(doc.value.entityRef).toBe('O_1');
    expect(doc.value.rawBody.id).toBe(o1.eventId);

    const text = await cli(['dlq', 'show', `${o1.partition}:${o1.offset}`], { env });
    expect(text.stdout).toContain('fc-error-message: order-status-mapping: "Shipd" is not an OrderState');
    expect(text.stdout).toMatch(/value \(Avro, \d+ bytes\):/);

    const o5 = all.find((r) => r.key === 'O_5') as Row;
    const raw = await cli(['dlq', 'show', `${o5.partition}:${o5.offset}`], { env });
    expect(raw.code).toBe(0);
    expect(raw.stdout).toContain('could not be decoded');
    expect(raw.stdout).toContain(`base64: ${Buffer.from('not avro at all').toString('base64')}`);
    expect(raw.stdout).toContain(`hex:    ${Buffer.from('not avro at all').toString('hex')}`);

    const outOfRange = await cli(['dlq', 'show', '0:999999'], { env });
    expect(outOfRange.code).toBe(1);
    expect(outOfRange.stderr).toContain(`offset 999999 is not in ${topics.dlq} partition 0`);
  });

  it('never commits offsets for the processor group and leaves no reader group behind', async () => {
    await cli(['dlq', 'list', '--json'], { env });
    const { testKafka } = await import('../../support/kafka.js');
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchOffsets({ groupId: 'fc-connector-processor', topics: [topics.dlq] });
      expect(offsets[0]?.partitions.every((p) => p.offset === '-1')).toBe(true);
      const { groups } = await admin.listGroups();
      expect(groups.filter((g) => g.groupId.startsWith('fc-connector-cli.dlq-list'))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });
});
