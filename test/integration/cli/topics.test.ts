import { describe, expect, it } from 'vitest';
import { testKafka, uniqueName } from '../../support/kafka.js';
import { cli, produceDeadLetters, payload } from '../support/cli.js';
import { topicNames } from '../../../schemas/index.js';

describe('fc-connector topics', () => {
  it('creates main, retry tiers (from RETRY_DELAYS) and DLQ idempotently, then describes them', async () => {
    const main = uniqueName('cli.topics');
    const env = { TOPIC_WEBHOOKS: main, RETRY_DELAYS: '200ms,1s' };
    const first = await cli(['topics', 'create', '--partitions', '2', '--dlq-retention', '45d'], { env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    for (const t of [main, `${main}.retry.1`, `${main}.retry.2`, `${main}.dlq`]) {
      expect(first.stdout).toMatch(new RegExp(`created\\s+\\w+\\s+${t.replace(/\./g, '\\.')}\\s`));
    }
    expect(first.stdout).not.toContain(`${main}.retry.3`);
    expect(first.stdout).toContain('Created 4, grew 0, unchanged 0 of 4 topics.');

    const admin = testKafka().admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [main, `${main}.dlq`] });
      expect(meta.topics.map((t) => t.partitions.length)).toEqual([2, 2]);
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2, name: `${main}.dlq` }],
      });
      const entries = configs.resources[0]?.configEntries ?? [];
      expect(entries.find((e) => e.configName === 'retention.ms')?.configValue).toBe(String(45 * 86_400_000));
    } finally {
      await admin.disconnect();
    }

    const second = await cli(['topics', 'create', '--partitions', '2', '--dlq-retention', '45d'], { env });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('No changes: all 4 topics exist.');
    expect(second.stdout).not.toMatch(/^created/m);

    // Asking for more partitions is reported, not applied, unless --increase-partitions.
    const more = await cli(['topics', 'create', '--partitions', '3', '--dlq-retention', '45d'], { env });
    expect(more.stdout).toContain(`${main} has 2 partitions, 3 requested: run with --increase-partitions`);
    expect(more.stdout).toContain('No changes');
    const grown = await cli(
      ['topics', 'create', '--partitions', '3', '--dlq-retention', '45d', '--increase-partitions'],
      {
        env,
      },
    );
    expect(grown.code).toBe(0);
    expect(grown.stdout).toMatch(/grown\s+main\s+\S+\s+2 → 3 partitions/);
    expect(grown.stdout).toContain('Created 0, grew 4');

    await produceDeadLetters(topicNames(main, 2), [{ payload: payload('O_1'), errorClass: 'CONFIGURATION' }]);
    const described = await cli(['topics', 'describe', '--json'], { env });
    expect(described.code).toBe(0);
    const doc = JSON.parse(described.stdout) as {
      group: { exists: boolean };
      topics: { topic: string; kind: string; partitions: number; messages: string; configs: Record<string, string> }[];
    };
    expect(doc.group.exists).toBe(false);
    expect(doc.topics.map((t) => [t.kind, t.topic, t.partitions])).toEqual([
      ['main', main, 3],
      ['retry', `${main}.retry.1`, 3],
      ['retry', `${main}.retry.2`, 3],
      ['dlq', `${main}.dlq`, 3],
    ]);
    expect(doc.topics[3]?.messages).toBe('1');
    expect(doc.topics[3]?.configs['retention.ms']).toBe(String(45 * 86_400_000));

    const text = await cli(['topics', 'describe'], { env });
    expect(text.stdout).toMatch(
      new RegExp(`${main.replace(/\./g, '\\.')}\\.dlq \\(dlq\\): 3 partitions, rf 1, retention 45d`),
    );
  });

  it('describe shows the consumer group lag and reports missing topics', async () => {
    const main = uniqueName('cli.topics.lag');
    const group = uniqueName('cli-group');
    const env = { TOPIC_WEBHOOKS: main, CONSUMER_GROUP_ID: group };
    expect((await cli(['topics', 'create', '--partitions', '1', '--retry-tiers', '1'], { env })).code).toBe(0);
    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({ topic: main, messages: [1, 2, 3, 4, 5].map((i) => ({ key: `O_${i}`, value: `v${i}` })) });
    await producer.disconnect();
    const admin = testKafka().admin();
    await admin.connect();
    await admin.setOffsets({ groupId: group, topic: main, partitions: [{ partition: 0, offset: '2' }] });
    await admin.disconnect();

    const out = await cli(['topics', 'describe', '--retry-tiers', '1', '--json'], { env });
    const doc = JSON.parse(out.stdout) as {
      group: { exists: boolean; state: string };
      topics: {
        topic: string;
        lag: string | null;
        partitionDetails: { committed: string | null; lag: string | null }[];
      }[];
    };
    expect(doc.group).toMatchObject({ exists: true, state: 'Empty' });
    expect(doc.topics[0]).toMatchObject({ topic: main, lag: '3' });
    expect(doc.topics[0]?.partitionDetails[0]).toMatchObject({ committed: '2', lag: '3' });

    const missing = await cli(['topics', 'describe', '--topic', uniqueName('cli.none')]);
    expect(missing.code).toBe(0);
    expect(missing.stdout).toContain('MISSING — create it with `fc-connector topics create`');
  });

  it("refuses retry delays longer than the retry topics' retention (to create, or existing), creating nothing", async () => {
    const main = uniqueName('cli.topics.retention');
    const tooLong = await cli(['topics', 'create', '--partitions', '1', '--retention', '1h'], {
      env: { TOPIC_WEBHOOKS: main, RETRY_DELAYS: '1s,2h' },
    });
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toMatch(/retry tier 2 \(\S+\.retry\.2\): delay 2h is longer than the retention 1h/);
    expect(tooLong.stderr).toContain('--retry-retention');
    expect(tooLong.stdout).toBe('');
    const admin = testKafka().admin();
    await admin.connect();
    try {
      expect((await admin.listTopics()).filter((t) => t.startsWith(main))).toEqual([]);
    } finally {
      await admin.disconnect();
    }

    // Created with a 1h retry retention, the topics keep it: a later, longer delay is refused too.
    const env = { TOPIC_WEBHOOKS: main, RETRY_DELAYS: '1s,30m' };
    expect((await cli(['topics', 'create', '--partitions', '1', '--retention', '1h'], { env })).code).toBe(0);
    const later = await cli(['topics', 'create', '--partitions', '1', '--retention', '1d'], {
      env: { ...env, RETRY_DELAYS: '1s,3h' },
    });
    expect(later.code).toBe(2);
    expect(later.stderr).toMatch(
      /retry tier 2 \(\S+\.retry\.2\): delay 3h is longer than the retention 1h the topic has/,
    );
  });
});
