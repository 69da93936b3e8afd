import type { Admin } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { errorCodeOf } from '../../../common/index.js';
import { loadProcessorConfig } from '../../../processor/config.js';
import {
  checkProcessorTopics,
  missingTopics,
  missingTopicsError,
  retentionTooShortError,
  tiersOutlivingRetention,
} from '../../../processor/startup-checks.js';

const config = loadProcessorConfig({ TOPIC_WEBHOOKS: 'orders', RETRY_DELAYS: '5s,1m,2d' }).runtime;
const ALL = ['orders', 'orders.retry.1', 'orders.retry.2', 'orders.retry.3', 'orders.dlq'];
const DAY = 86_400_000;

describe('missing topics', () => {
  it('lists the expected topics the cluster lacks, main first, DLQ last', () => {
    expect(missingTopics(config, new Set(ALL))).toEqual([]);
    expect(missingTopics(config, new Set(['orders', 'orders.retry.1', 'other']))).toEqual([
      'orders.retry.2',
      'orders.retry.3',
      'orders.dlq',
    ]);
  });

  it('names them and the command that creates them, with the variables that decide the names', () => {
    const error = missingTopicsError(config, ['orders.retry.3', 'orders.dlq']);
    expect(errorCodeOf(error)).toBe('UNKNOWN_TOPIC');
    expect(error.message).toContain('topics do not exist: orders.retry.3, orders.dlq');
    expect(error.message).toContain('TOPIC_WEBHOOKS=orders RETRY_DELAYS=5s,1m,2d npx fc-connector topics create');
    expect(error.message).toContain('npm run topics');
  });
});

describe('retry delays against retention', () => {
  it('flags a tier whose delay is longer than its topic keeps records', () => {
    const retention = new Map([
      ['orders.retry.1', 7 * DAY],
      ['orders.retry.2', 30_000],
      ['orders.retry.3', DAY],
    ]);
    expect(tiersOutlivingRetention(config, retention)).toEqual([
      { tier: 2, topic: 'orders.retry.2', delayMs: 60_000, retentionMs: 30_000 },
      { tier: 3, topic: 'orders.retry.3', delayMs: 2 * DAY, retentionMs: DAY },
    ]);
  });

  it('passes equal, unlimited (-1) and unknown retention', () => {
    const retention = new Map([
      ['orders.retry.1', 5_000],
      ['orders.retry.2', -1],
    ]);
    expect(tiersOutlivingRetention(config, retention)).toEqual([]);
  });

  it('says which tier, its delay, the retention, and both ways to fix it', () => {
    const error = retentionTooShortError([{ tier: 3, topic: 'orders.retry.3', delayMs: 2 * DAY, retentionMs: DAY }]);
    expect(errorCodeOf(error)).toBe('RETENTION_TOO_SHORT');
    expect(error.message).toContain('RETRY_DELAYS tier 3 waits 2d, but orders.retry.3 keeps records for 1d');
    expect(error.message).toContain('Shorten the delay in RETRY_DELAYS');
    expect(error.message).toContain(`retention.ms=${9 * DAY}`);
    expect(error.message).toContain('fc-connector topics create --retry-retention 9d');
  });
});

describe('checkProcessorTopics', () => {
  function fakeAdmin(overrides: Partial<Record<keyof Admin, unknown>> = {}): Admin {
    return {
      listTopics: () => Promise.resolve(ALL),
      fetchTopicMetadata: () =>
        Promise.resolve({ topics: ALL.map((name) => ({ name, partitions: [{ partitionId: 0, leader: 1 }] })) }),
      describeConfigs: () =>
        Promise.resolve({
          resources: config.topics.retries.map((resourceName) => ({
            resourceName,
            configEntries: [{ configName: 'retention.ms', configValue: String(DAY) }],
          })),
        }),
      ...overrides,
    } as unknown as Admin;
  }

  it('refuses a start when a tier outlives its topic retention', async () => {
    await expect(checkProcessorTopics(fakeAdmin(), config, pino({ level: 'silent' }))).rejects.toMatchObject({
      code: 'RETENTION_TOO_SHORT',
    });
  });

  it('refuses a start with missing topics before reading anything else', async () => {
    const describeConfigs = vi.fn();
    const admin = fakeAdmin({ listTopics: () => Promise.resolve(['orders']), describeConfigs });
    await expect(checkProcessorTopics(admin, config, pino({ level: 'silent' }))).rejects.toMatchObject({
      code: 'UNKNOWN_TOPIC',
    });
    expect(describeConfigs).not.toHaveBeenCalled();
  });

  it('skips the retention check with a warning when the client may not read topic configs', async () => {
    const denied = Object.assign(new Error('not authorized'), { type: 'TOPIC_AUTHORIZATION_FAILED' });
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    const admin = fakeAdmin({ describeConfigs: () => Promise.reject(denied) });
    await expect(checkProcessorTopics(admin, config, logger)).resolves.toBeUndefined();
    expect(warnings.join('')).toContain('RETRY_DELAYS is not checked against their retention');
  });

  it('lets other describeConfigs failures end the start', async () => {
    const admin = fakeAdmin({ describeConfigs: () => Promise.reject(new Error('broker went away')) });
    await expect(checkProcessorTopics(admin, config, pino({ level: 'silent' }))).rejects.toThrow('broker went away');
  });
});
