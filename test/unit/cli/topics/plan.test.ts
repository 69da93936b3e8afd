import { describe, expect, it } from 'vitest';
import { topicNames } from '../../../../schemas/index.js';
import {
  checkRetryRetention,
  desiredTopics,
  planTopicChanges,
  TOPIC_DEFAULTS,
  type CreateOptions,
  type ExistingTopic,
} from '../../../../cli/topics/plan.js';

const names = topicNames('fluent.webhooks', 2);
const options: CreateOptions = {
  partitions: 12,
  retention: TOPIC_DEFAULTS.retentionMs,
  dlqRetention: TOPIC_DEFAULTS.dlqRetentionMs,
};

describe('topics create plan', () => {
  it('wants main, retry tiers and DLQ with min(3, brokers) replicas and their retention', () => {
    const desired = desiredTopics(names, { ...options, dlqPartitions: 3 }, 5);
    expect(desired.map((d) => [d.topic, d.kind, d.partitions, d.replicationFactor, d.configs['retention.ms']])).toEqual(
      [
        ['fluent.webhooks', 'main', 12, 3, '604800000'],
        ['fluent.webhooks.retry.1', 'retry', 12, 3, '604800000'],
        ['fluent.webhooks.retry.2', 'retry', 12, 3, '604800000'],
        ['fluent.webhooks.dlq', 'dlq', 3, 3, '2592000000'],
      ],
    );
    expect(desired[0]?.configs).toEqual({
      'cleanup.policy': 'delete',
      'retention.ms': '604800000',
      'min.insync.replicas': '2',
    });
    expect(desiredTopics(names, options, 1)[0]?.configs['min.insync.replicas']).toBe('1');
  });

  it('refuses a replication factor above the broker count as a usage error', () => {
    expect(() => desiredTopics(names, { ...options, replicationFactor: 3 }, 1)).toThrow(
      expect.objectContaining({ code: 'REPLICATION_FACTOR', exitCode: 2 }),
    );
  });

  it('creates what is missing, grows only when asked, and notes every difference it leaves', () => {
    const desired = desiredTopics(names, options, 1);
    const existing = new Map<string, ExistingTopic>([
      ['fluent.webhooks', { partitions: 6, replicationFactor: 1, configs: { 'retention.ms': '86400000' } }],
      ['fluent.webhooks.retry.1', { partitions: 24, replicationFactor: 2, configs: {} }],
    ]);
    const kept = planTopicChanges(desired, existing, {});
    expect(kept.actions.map((a) => a.action)).toEqual(['exists', 'exists', 'create', 'create']);
    expect(kept.notes).toEqual([
      expect.stringMatching(/^fluent\.webhooks has 6 partitions, 12 requested: run with --increase-partitions/),
      'fluent.webhooks retention.ms is 1d, 7d requested (left unchanged).',
      'fluent.webhooks.retry.1 has 24 partitions (more than the 12 requested; Kafka cannot shrink).',
      expect.stringMatching(/^fluent\.webhooks\.retry\.1 has replication factor 2, 1 requested/),
    ]);
    const grown = planTopicChanges(desired, existing, { increasePartitions: true });
    expect(grown.actions.map((a) => a.action)).toEqual(['grow', 'exists', 'create', 'create']);
    expect(grown.notes).toHaveLength(3);
  });

  describe("retry delays against the retry topics' retention", () => {
    const DAY = 86_400_000;
    const desired = desiredTopics(names, { ...options, retention: 7 * DAY }, 1);

    it('accepts delays within the retention the topics would be created with or have', () => {
      expect(() => checkRetryRetention(desired, new Map(), [5_000, 7 * DAY])).not.toThrow();
      const infinite = new Map<string, ExistingTopic>([
        ['fluent.webhooks.retry.2', { partitions: 12, replicationFactor: 1, configs: { 'retention.ms': '-1' } }],
      ]);
      expect(() => checkRetryRetention(desired, infinite, [5_000, 720 * 3_600_000])).not.toThrow();
    });

    it('refuses a delay longer than the retention of a retry topic it would create, suggesting --retention', () => {
      expect(() => checkRetryRetention(desired, new Map(), [5_000, 720 * 3_600_000])).toThrow(
        expect.objectContaining({
          code: 'USAGE',
          exitCode: 2,
          message: expect.stringMatching(
            /retry tier 2 \(fluent\.webhooks\.retry\.2\): delay 30d is longer than .*retention 7d[\s\S]*--retry-retention 37d[\s\S]*--retention/,
          ),
        }),
      );
    });

    it('refuses a delay longer than the retention an existing retry topic has', () => {
      const existing = new Map<string, ExistingTopic>([
        ['fluent.webhooks.retry.1', { partitions: 12, replicationFactor: 1, configs: { 'retention.ms': '3600000' } }],
      ]);
      expect(() => checkRetryRetention(desired, existing, [2 * 3_600_000, 60_000])).toThrow(
        expect.objectContaining({
          code: 'USAGE',
          message: expect.stringMatching(
            /retry tier 1 \(fluent\.webhooks\.retry\.1\): delay 2h is longer than .*retention 1h/,
          ),
        }),
      );
    });
  });
});
