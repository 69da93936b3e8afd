import { describe, expect, it } from 'vitest';
import { topicNames } from '../../../../schemas/index.js';
import type { TopicsState } from '../../../../cli/topics/admin.js';
import { desiredTopics, namedTopics, planTopicChanges, TOPIC_DEFAULTS } from '../../../../cli/topics/plan.js';
import { renderCreate, renderDescribe } from '../../../../cli/topics/render.js';
import { buildTopicsReport } from '../../../../cli/topics/report.js';

const names = topicNames('t', 1);
const desired = desiredTopics(
  names,
  { partitions: 2, retention: TOPIC_DEFAULTS.retentionMs, dlqRetention: TOPIC_DEFAULTS.dlqRetentionMs },
  1,
);

describe('topics create rendering', () => {
  it('prints the actions, the notes and a summary; the dry run says "would"', () => {
    const existing = new Map([
      ['t', { partitions: 1, replicationFactor: 1, configs: { 'retention.ms': '604800000' } }],
    ]);
    const changes = planTopicChanges(desired, existing, { increasePartitions: true });
    expect(renderCreate(changes, false).split('\n')).toEqual([
      'action   kind   topic      details',
      'grown    main   t          1 → 2 partitions',
      'created  retry  t.retry.1  2 partitions, rf 1, retention 7d',
      'created  dlq    t.dlq      2 partitions, rf 1, retention 30d',
      'Created 2, grew 1, unchanged 0 of 3 topics.',
    ]);
    const dry = renderCreate(changes, true);
    expect(dry).toContain('would grow    main');
    expect(dry).toContain('would create  retry');
    expect(dry).toMatch(/Dry run, nothing changed: would create 2, would grow 1, unchanged 0 of 3 topics\.$/);
  });

  it('says when nothing changes', () => {
    const existing = new Map(
      desired.map((d) => [d.topic, { partitions: 2, replicationFactor: 2, configs: d.configs }] as const),
    );
    const text = renderCreate(planTopicChanges(desired, existing, {}), false);
    expect(text).toContain('note: t has replication factor 2, 1 requested');
    expect(text).toMatch(/No changes: all 3 topics exist\.$/);
  });
});

describe('topics describe report and rendering', () => {
  const state: TopicsState = {
    existing: new Map([
      [
        't',
        {
          partitions: 2,
          replicationFactor: 1,
          configs: { 'retention.ms': '604800000', 'cleanup.policy': 'delete', 'segment.ms': '1' },
        },
      ],
    ]),
    group: { state: 'Empty', members: 0 },
    committed: new Map([['t', new Map([[0, 7n]])]]),
    metadata: [
      {
        name: 't',
        partitions: [
          { partitionId: 0, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 },
          { partitionId: 1, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 },
        ],
      },
    ],
    offsets: new Map([
      [
        't',
        [
          { partition: 0, low: 0n, high: 10n },
          { partition: 1, low: 2n, high: 5n },
        ],
      ],
    ]),
  };

  it('sums messages and lag (uncommitted partitions lag from their start)', () => {
    const report = buildTopicsReport(namedTopics(names), 'g', state);
    expect(report.group).toEqual({ groupId: 'g', exists: true, state: 'Empty', members: 0 });
    expect(report.topics[0]).toMatchObject({
      topic: 't',
      exists: true,
      messages: '13',
      lag: '6',
      configs: { 'retention.ms': '604800000', 'cleanup.policy': 'delete' },
    });
    expect(report.topics[0]?.partitionDetails?.map((p) => [p.committed, p.lag])).toEqual([
      ['7', '3'],
      [null, '3'],
    ]);
    expect(report.topics.slice(1).map((t) => [t.topic, t.exists])).toEqual([
      ['t.retry.1', false],
      ['t.dlq', false],
    ]);
  });

  it('treats a Dead group without commits as absent: no lag', () => {
    const report = buildTopicsReport(namedTopics(names), 'g', { ...state, group: undefined, committed: new Map() });
    expect(report.group).toMatchObject({ exists: false, state: 'Dead', members: 0 });
    expect(report.topics[0]?.lag).toBeNull();
    expect(renderDescribe(report).split('\n')[0]).toBe('consumer group g: does not exist (no lag shown)');
  });

  it('renders the group, each topic with its partition table, and missing topics', () => {
    expect(renderDescribe(buildTopicsReport(namedTopics(names), 'g', state)).split('\n')).toEqual([
      'consumer group g: state Empty, 0 member(s)',
      '',
      't (main): 2 partitions, rf 1, retention 7d, cleanup.policy delete, min.insync.replicas -; 13 messages, lag 6',
      '  partition  leader  replicas  isr  start  end  committed  lag',
      '  0          1       1         1    0      10   7          3',
      '  1          1       1         1    2      5    -          3',
      '',
      't.retry.1 (retry): MISSING — create it with `fc-connector topics create`',
      '',
      't.dlq (dlq): MISSING — create it with `fc-connector topics create`',
    ]);
  });
});
