import { describe, expect, it } from 'vitest';
import { createTestTopics, testKafka, uniqueName } from '../../support/kafka.js';
import { cli } from '../support/cli.js';

describe('fc-connector offsets reset', () => {
  it('refuses while the group has a live member, then resets main + retry topics once it is empty', async () => {
    const topics = await createTestTopics({ prefix: 'cli.offsets', partitions: 1, retryTiers: 1 });
    const group = uniqueName('cli-offsets-group');
    const env = { TOPIC_WEBHOOKS: topics.webhooks, RETRY_DELAYS: '1s', CONSUMER_GROUP_ID: group };
    const kafka = testKafka();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: topics.webhooks, messages: [1, 2, 3].map((i) => ({ key: `O_${i}`, value: 'x' })) });
    await new Promise((r) => setTimeout(r, 50));
    const middle = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    await producer.send({ topic: topics.webhooks, messages: [4, 5].map((i) => ({ key: `O_${i}`, value: 'x' })) });
    await producer.send({ topic: topics.retries[0] as string, messages: [{ key: 'O_9', value: 'r' }] });
    await producer.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    const committed = async (topic: string): Promise<string | undefined> =>
      (await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]?.partitions[0]?.offset;
    try {
      await admin.setOffsets({ groupId: group, topic: topics.webhooks, partitions: [{ partition: 0, offset: '5' }] });

      // A live processor instance.
      const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 100 });
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      await consumer.connect();
      await consumer.subscribe({ topic: topics.webhooks });
      await consumer.run({ autoCommit: false, eachMessage: () => Promise.resolve() });
      await joined;
      const refused = await cli(['offsets', 'reset', '--to-earliest'], { env });
      await consumer.disconnect();
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`consumer group ${group} has 1 live member`);
      expect(refused.stderr).toContain('Stop every processor instance');
      expect(await committed(topics.webhooks)).toBe('5');

      // Without --execute: a plan (partition, current, new, change, lag before → after) and nothing written.
      const at = new Date(middle).toISOString();
      const dry = await cli(['offsets', 'reset', '--to-datetime', at], { env });
      expect(dry.code).toBe(0);
      const row = (topic: string, cells: string) => new RegExp(`${topic.replace(/\./g, '\\.')}\\s+${cells}`);
      expect(dry.stdout).toMatch(row(topics.webhooks, '0\\s+5\\s+3\\s+-2\\s+0 → 2'));
      expect(dry.stdout).toMatch(row(topics.retries[0] as string, '0\\s+-\\s+0\\s+set\\s+1 → 1'));
      expect(dry.stdout).toContain('total lag: 1 → 3 (+2)');
      expect(dry.stdout).toContain('Dry run: no offsets changed. Run the same command with --execute');
      expect(await committed(topics.webhooks)).toBe('5');
      expect(await committed(topics.retries[0] as string)).toBe('-1');
      const legacy = await cli(['offsets', 'reset', '--to-datetime', at, '--dry-run'], { env });
      expect(legacy.stdout).toContain('Dry run: no offsets changed.');
      expect(await committed(topics.webhooks)).toBe('5');

      const reset = await cli(['offsets', 'reset', '--to-datetime', at, '--execute'], { env });
      expect(reset.code).toBe(0);
      expect(reset.stdout).toContain(`Offsets of ${group} reset on 2 topic(s), 2 partition(s).`);
      expect(await committed(topics.webhooks)).toBe('3');
      expect(await committed(topics.retries[0] as string)).toBe('0');

      const earliest = await cli(['offsets', 'reset', '--to-earliest', '--reset-topic', topics.webhooks, '--execute'], {
        env,
      });
      expect(earliest.code).toBe(0);
      expect(await committed(topics.webhooks)).toBe('0');
      expect(await committed(topics.retries[0] as string)).toBe('0');

      const planned = await cli(['offsets', 'reset', '--to-latest', '--json'], { env });
      expect(JSON.parse(planned.stdout)).toMatchObject({ groupId: group, target: 'latest', dryRun: true });
      expect(await committed(topics.webhooks)).toBe('0');
      const latest = await cli(['offsets', 'reset', '--to-latest', '--json', '--execute'], { env });
      expect(JSON.parse(latest.stdout)).toMatchObject({ groupId: group, target: 'latest', dryRun: false });
      expect(await committed(topics.webhooks)).toBe('5');
    } finally {
      await admin.disconnect();
    }
  });

  it('requires exactly one target', async () => {
    const none = await cli(['offsets', 'reset']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('choose a target');
    const two = await cli(['offsets', 'reset', '--to-earliest', '--to-latest']);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('cannot be used with');
    const both = await cli(['offsets', 'reset', '--to-latest', '--dry-run', '--execute']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('cannot be used with');
  });
});
