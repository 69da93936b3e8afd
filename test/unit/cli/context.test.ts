import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONSUMER_GROUP_ID,
  DEFAULT_STATE_DIR,
  describeStateDir,
  resolveSettings,
} from '../../../cli/context.js';
import type { CliIo } from '../../../cli/io.js';

const io = (env: NodeJS.ProcessEnv): CliIo => ({
  stdout: { write: () => true },
  stderr: { write: () => true },
  env,
  cwd: '/tmp',
});

describe('CLI settings', () => {
  it('takes defaults for unset and empty variables', () => {
    const settings = resolveSettings(io({ CONSUMER_GROUP_ID: ' ', RETRY_DELAYS: '', FC_CONNECTOR_STATE_DIR: '' }), {});
    expect(settings.groupId).toBe(DEFAULT_CONSUMER_GROUP_ID);
    expect(settings.stateDir).toBe(DEFAULT_STATE_DIR);
    expect(settings.topics.retries).toHaveLength(3);
    expect(settings.connectTimeoutMs).toBe(3_000);
  });

  it('lets flags win over variables', () => {
    const settings = resolveSettings(
      io({ TOPIC_WEBHOOKS: 'env.topic', CONSUMER_GROUP_ID: 'env-group', RETRY_DELAYS: '1s,2s' }),
      { topic: 'flag.topic', group: 'flag-group', retryTiers: 1, brokers: 'k1:9092,k2:9092' },
    );
    expect(settings.topics).toMatchObject({ webhooks: 'flag.topic', dlq: 'flag.topic.dlq' });
    expect(settings.topics.retries).toEqual(['flag.topic.retry.1']);
    expect(settings.groupId).toBe('flag-group');
    expect(settings.connection.kafka.brokers).toEqual(['k1:9092', 'k2:9092']);
  });

  it('counts retry tiers and reads their delays from RETRY_DELAYS', () => {
    const settings = resolveSettings(io({ RETRY_DELAYS: '1s,2s' }), {});
    expect(settings.topics.retries).toHaveLength(2);
    expect(settings.retryDelaysMs).toEqual([1_000, 2_000]);
    expect(resolveSettings(io({}), {}).retryDelaysMs).toEqual([5_000, 60_000, 600_000]);
  });

  it('reports bad configuration as a usage error naming the flag as well as the variable', () => {
    expect(() => resolveSettings(io({}), { brokers: 'localhost' })).toThrow(
      expect.objectContaining({
        code: 'USAGE',
        exitCode: 2,
        message: expect.stringContaining('KAFKA_BROKERS / --brokers:'),
      }),
    );
    expect(() => resolveSettings(io({ RETRY_DELAYS: '5 parsecs' }), {})).toThrow(
      expect.objectContaining({ code: 'USAGE', message: expect.stringContaining('RETRY_DELAYS') }),
    );
  });

  it('says in help where replay checkpoints live: the variable resolved against the working directory', () => {
    expect(describeStateDir({ env: { FC_CONNECTOR_STATE_DIR: '/var/lib/fc-connector' }, cwd: '/app' })).toContain(
      'Checkpoints: /var/lib/fc-connector/replay-<id>.json (from FC_CONNECTOR_STATE_DIR;',
    );
    expect(describeStateDir({ env: { FC_CONNECTOR_STATE_DIR: ' ' }, cwd: '/app' })).toContain(
      'Checkpoints: /app/.fc-connector/replay-<id>.json (default .fc-connector under the working directory;',
    );
  });
});
