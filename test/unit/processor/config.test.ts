import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../common/index.js';
import { loadProcessorConfig } from '../../../processor/config.js';

describe('loadProcessorConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadProcessorConfig({});
    expect(c.runtime.groupId).toBe('fc-connector-processor');
    expect(c.runtime.retryDelaysMs).toEqual([5_000, 60_000, 600_000]);
    expect(c.runtime.topics).toEqual({
      webhooks: 'fluent.webhooks',
      retries: ['fluent.webhooks.retry.1', 'fluent.webhooks.retry.2', 'fluent.webhooks.retry.3'],
      dlq: 'fluent.webhooks.dlq',
    });
    expect(c.port).toBe(9090);
    expect(c.plugins).toEqual([]);
    expect(c.runtime.unknownMessagePolicy).toBe('dlq');
    expect(c.runtime.concurrency).toBe(256);
  });

  it('parses the variables', () => {
    const c = loadProcessorConfig({
      TOPIC_WEBHOOKS: 'x.events',
      RETRY_DELAYS: '200ms,1s',
      PROCESSOR_PLUGINS: ' ./a.js , @acme/b ',
      PROCESSOR_CONCURRENCY: '8',
      UNKNOWN_MESSAGE_POLICY: 'skip',
      PORT: '0',
    });
    expect(c.runtime.topics.retries).toEqual(['x.events.retry.1', 'x.events.retry.2']);
    expect(c.runtime.retryDelaysMs).toEqual([200, 1_000]);
    expect(c.plugins).toEqual(['./a.js', '@acme/b']);
    expect(c.runtime.concurrency).toBe(8);
    expect(c.runtime.unknownMessagePolicy).toBe('skip');
    expect(c.port).toBe(0);
  });

  it('treats a blank variable as unset: it takes its default', () => {
    const blank = [
      'CONSUMER_GROUP_ID',
      'PROCESSOR_CONCURRENCY',
      'RETRY_DELAYS',
      'PROCESSOR_PLUGINS',
      'PORT',
      'HOST',
      'UNKNOWN_MESSAGE_POLICY',
      'SHUTDOWN_TIMEOUT_MS',
    ];
    const c = loadProcessorConfig(Object.fromEntries(blank.map((name, i) => [name, i % 2 ? '' : '  '])));
    expect(c).toEqual(loadProcessorConfig({}));
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadProcessorConfig({
        RETRY_DELAYS: '5 parsecs',
        PROCESSOR_CONCURRENCY: '0',
        UNKNOWN_MESSAGE_POLICY: 'drop',
        KAFKA_BROKERS: 'nohost',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).problems.join('\n');
    expect(text).toMatch(/RETRY_DELAYS/);
    expect(text).toMatch(/PROCESSOR_CONCURRENCY/);
    expect(text).toMatch(/UNKNOWN_MESSAGE_POLICY/);
    expect(text).toMatch(/KAFKA_BROKERS/);
  });

  it('refuses a retry delay above the supported maximum, naming the tier', () => {
    expect(() => loadProcessorConfig({ RETRY_DELAYS: '5s,1m,7d' })).not.toThrow();
    const problems = problemsOf({ RETRY_DELAYS: '5s,1m,720h' });
    expect(problems).toEqual([expect.stringMatching(/^RETRY_DELAYS: tier 3 waits 30d; at most 7d is supported/)]);
  });

  it('refuses a heartbeat interval above a third of the session timeout, naming both', () => {
    expect(() => loadProcessorConfig({ SESSION_TIMEOUT_MS: '9000', HEARTBEAT_INTERVAL_MS: '3000' })).not.toThrow();
    const problems = problemsOf({ SESSION_TIMEOUT_MS: '9000', HEARTBEAT_INTERVAL_MS: '3001' });
    expect(problems).toEqual([expect.stringMatching(/^HEARTBEAT_INTERVAL_MS: .*a third of SESSION_TIMEOUT_MS/)]);
    // Reported beside the other problems, not instead of them.
    const together = problemsOf({ HEARTBEAT_INTERVAL_MS: '60000', PROCESSOR_CONCURRENCY: '0' });
    expect(together).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^HEARTBEAT_INTERVAL_MS/),
        expect.stringMatching(/^PROCESSOR_CONCURRENCY/),
      ]),
    );
  });
});

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadProcessorConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
