import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAILURE_HEADERS, Headers } from '../../../schemas/index.js';
import { createTestTopics, testKafka } from '../../support/kafka.js';
import { cli, header, payload, produceDeadLetters, readTopic, recordCount, tempDir } from '../support/cli.js';

describe('fc-connector replay', () => {
  it('dry run shows what would move and moves nothing', async () => {
    const topics = await createTestTopics({ prefix: 'cli.replay.dry', partitions: 2, retryTiers: 1 });
    const env = { TOPIC_WEBHOOKS: topics.webhooks, RETRY_DELAYS: '1s' };
    await produceDeadLetters(topics, [
      { payload: payload('O_1'), errorClass: 'CONFIGURATION' },
      { payload: payload('O_2'), errorClass: 'RETRIES_EXHAUSTED' },
      { payload: payload('O_3'), errorClass: 'CONFIGURATION' },
    ]);
    const cwd = tempDir();
    const result = await cli(['replay', '--dry-run', '--error-class', 'CONFIGURATION'], { env, cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('dry run: nothing is produced');
    expect(result.stdout).toMatch(/Would replay 2 of 3 scanned record\(s\)/);
    expect(result.stdout).toMatch(/\d:\d+\s+O_1\s/);
    expect(result.stdout).not.toMatch(/\d:\d+\s+O_2\s/);
    expect(await recordCount(topics.webhooks)).toBe(0);
    expect(existsSync(join(cwd, '.fc-connector'))).toBe(false);
  });

  it('replays the selected records with original key, bytes and headers plus replay headers; once', async () => {
    const topics = await createTestTopics({ prefix: 'cli.replay.sel', partitions: 2, retryTiers: 1 });
    const env = { TOPIC_WEBHOOKS: topics.webhooks, RETRY_DELAYS: '1s' };
    await produceDeadLetters(topics, [
      { payload: payload('O_1'), errorClass: 'CONFIGURATION', attempt: 1 },
      { payload: payload('O_2'), errorClass: 'RETRIES_EXHAUSTED', attempt: 4 },
      { payload: payload('O_3'), errorClass: 'CONFIGURATION', attempt: 2 },
      { payload: payload('O_4'), errorClass: 'NO_ROUTE' },
    ]);
    const dlq = await readTopic(topics.dlq, 4);
    const cwd = tempDir();
    const before = Date.now();

    const result = await cli(['replay', '--error-class', 'CONFIGURATION'], { env, cwd });
    expect(result.stderr).toMatch(/replay: scanned 4\/4 \(100%\), replayed 2/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Replayed 2 of 4 scanned record\(s\)/);
    expect(await recordCount(topics.webhooks)).toBe(2);

    const replayed = await readTopic(topics.webhooks, 2);
    for (const message of replayed) {
      const original = dlq.find((m) => m.key?.equals(message.key as Buffer));
      expect(original, `source of ${String(message.key)}`).toBeDefined();
      if (!original) continue;
      expect(header(original, Headers.errorClass)).toBe('CONFIGURATION');
      expect(message.value?.equals(original.value as Buffer)).toBe(true);
      for (const kept of [Headers.messageName, Headers.eventId, Headers.receivedAt, Headers.traceparent]) {
        expect(header(message, kept)).toBe(header(original, kept));
      }
      for (const dropped of FAILURE_HEADERS) expect(header(message, dropped), dropped).toBeUndefined();
      expect(header(message, Headers.replayedFrom)).toBe(`${topics.dlq}:${original.partition}:${original.offset}`);
      expect(Date.parse(header(message, Headers.replayedAt) ?? '')).toBeGreaterThanOrEqual(before - 1000);
    }

    const files = readdirSync(join(cwd, '.fc-connector'));
    expect(files).toHaveLength(1);
    const checkpoint = JSON.parse(readFileSync(join(cwd, '.fc-connector', files[0] as string), 'utf8')) as {
      status: string;
      replayed: number;
    };
    expect(checkpoint).toMatchObject({ status: 'complete', replayed: 2 });

    const again = await cli(['replay', '--error-class', 'CONFIGURATION'], { env, cwd });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already completed');
    expect(again.stdout).toContain('--force');
    expect(await recordCount(topics.webhooks)).toBe(2);

    const forced = await cli(['replay', '--error-class', 'CONFIGURATION', '--force'], { env, cwd });
    expect(forced.code).toBe(0);
    expect(await recordCount(topics.webhooks)).toBe(4);

    // The same --id with another selection is refused rather than silently mixed.
    const id = /Replay (\S+) is complete/.exec(forced.stdout)?.[1] as string;
    const clash = await cli(['replay', '--id', id, '--error-class', 'NO_ROUTE'], { env, cwd });
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain('was started with a different selection');
  });

  it('stops cleanly after the in-flight batch when interrupted and resumes without duplicates', async () => {
    const topics = await createTestTopics({ prefix: 'cli.replay.resume', partitions: 2, retryTiers: 1 });
    const env = { TOPIC_WEBHOOKS: topics.webhooks, RETRY_DELAYS: '1s' };
    const refs = ['O_11', 'O_12', 'O_13', 'O_14', 'O_15', 'O_16', 'O_17', 'O_18'];
    await produceDeadLetters(
      topics,
      refs.map((ref) => ({ payload: payload(ref), errorClass: 'RETRIES_EXHAUSTED' })),
    );
    const cwd = tempDir();
    const controller = new AbortController();
    // Progress is written after every acknowledged and checkpointed batch (the first one at once): Ctrl-C there.
    let progressLines = 0;
    const first = await cli(['replay', '--batch-size', '2'], {
      env,
      cwd,
      signal: controller.signal,
      onStderr: (text) => {
        if (!text.startsWith('replay: scanned')) return;
        progressLines += 1;
        controller.abort();
      },
    });
    expect(first.code).toBe(130);
    // The line after the first batch, and the final one when the bar stops: no second batch ran.
    expect(progressLines).toBe(2);
    expect(first.stderr).toMatch(/replay: scanned 2\/8 \(25%\), replayed 2/);
    expect(first.stdout).toContain('Interrupted: 2 record(s) replayed in this run');
    const id = /Resume with: fc-connector replay --id (\S+)/.exec(first.stdout)?.[1];
    expect(id).toBeDefined();
    expect(await recordCount(topics.webhooks)).toBe(2);

    const resumed = await cli(['replay', '--id', id as string, '--batch-size', '2'], { env, cwd });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`Resuming replay ${id as string}`);
    expect(resumed.stdout).toMatch(/Replayed 6 of 6 scanned/);
    expect(await recordCount(topics.webhooks)).toBe(refs.length);
    const keys = (await readTopic(topics.webhooks, refs.length)).map((m) => String(m.key)).sort();
    expect(keys).toEqual(refs);

    // Re-running the original command finds the same (finished) replay.
    const rerun = await cli(['replay', '--batch-size', '2'], { env, cwd });
    expect(rerun.stdout).toContain('already completed');
    expect(await recordCount(topics.webhooks)).toBe(refs.length);
  });

  it('replays any topic by offset range (reprocessing the main topic), to the main topic', async () => {
    const topics = await createTestTopics({ prefix: 'cli.replay.range', partitions: 1, retryTiers: 1 });
    const env = { TOPIC_WEBHOOKS: topics.webhooks, RETRY_DELAYS: '1s' };
    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({
      topic: topics.webhooks,
      messages: [0, 1, 2, 3, 4].map((i) => ({
        key: `O_${i}`,
        value: Buffer.from([0, 1, 2, i]),
        headers: { [Headers.attempt]: '1' },
      })),
    });
    await producer.disconnect();
    const cwd = tempDir();
    const result = await cli(
      ['replay', '--from-topic', topics.webhooks, '--from-offset', '0:1', '--to-offset', '0:3'],
      { env, cwd },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Replayed 3 of 3 scanned/);
    const all = await readTopic(topics.webhooks, 8);
    const copies = all.filter((m) => header(m, Headers.replayedFrom) !== undefined);
    expect(copies.map((m) => header(m, Headers.replayedFrom))).toEqual(
      [1, 2, 3].map((o) => `${topics.webhooks}:0:${o}`),
    );
    expect(copies.map((m) => String(m.key))).toEqual(['O_1', 'O_2', 'O_3']);
    expect(copies.every((m) => header(m, Headers.attempt) === undefined)).toBe(true);
    expect(copies[0]?.value?.equals(Buffer.from([0, 1, 2, 1]))).toBe(true);

    const missing = await cli(['replay', '--from-topic', topics.webhooks, '--from-offset', '5:0'], { env, cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('partition 5 does not exist');
  });

  it("--force replays the saved selection again (offset or time bounds), never a main-to-main replay's copies", async () => {
    const topics = await createTestTopics({ prefix: 'cli.replay.force', partitions: 1, retryTiers: 1 });
    const env = { TOPIC_WEBHOOKS: topics.webhooks, RETRY_DELAYS: '1s' };
    const since = new Date(Date.now() - 1_000).toISOString();
    await produceToMain(topics.webhooks, 5);
    const cwd = tempDir();
    const byOffset = ['replay', '--from-topic', topics.webhooks, '--from-offset', '0:1', '--to-offset', '0:3'];
    expect((await cli([...byOffset, '--id', 'by-offset'], { env, cwd })).stdout).toMatch(/Replayed 3 of 3 scanned/);
    expect(await recordCount(topics.webhooks)).toBe(8);

    const forced = await cli(['replay', '--id', 'by-offset', '--force'], { env, cwd });
    expect(forced.code).toBe(0);
    expect(await recordCount(topics.webhooks)).toBe(11);
    expect(forced.stdout).toContain('Replaying again by-offset');
    expect(forced.stdout).toMatch(/Replayed 3 of 3 scanned/);

    // A time-bounded replay of the main topic: its copies are newer than --since, yet never read again.
    const byTime = ['replay', '--from-topic', topics.webhooks, '--since', since];
    expect((await cli(byTime, { env, cwd })).stdout).toMatch(/Replayed 11 of 11 scanned/);
    expect(await recordCount(topics.webhooks)).toBe(22);
    const again = await cli([...byTime, '--force'], { env, cwd });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Replayed 11 of 11 scanned/);
    expect(await recordCount(topics.webhooks)).toBe(33);
    const copies = (await readTopic(topics.webhooks, 33)).filter((m) => header(m, Headers.replayedFrom));
    const from = (o: number): number =>
      copies.filter((m) => header(m, Headers.replayedFrom) === `${topics.webhooks}:0:${o}`).length;
    expect([0, 1, 2, 3, 4, 5, 10, 11].map(from)).toEqual([2, 4, 4, 4, 2, 2, 2, 0]);
  });

  it('resumes after retention deleted the rest of a partition: skips it, says so, and completes', async () => {
    const topics = await createTestTopics({ prefix: 'cli.replay.deleted', partitions: 1, retryTiers: 1 });
    const env = { TOPIC_WEBHOOKS: topics.webhooks, RETRY_DELAYS: '1s' };
    const refs = ['O_21', 'O_22', 'O_23', 'O_24', 'O_25', 'O_26'];
    await produceDeadLetters(
      topics,
      refs.map((ref) => ({ payload: payload(ref), errorClass: 'RETRIES_EXHAUSTED' })),
    );
    const cwd = tempDir();
    const controller = new AbortController();
    const first = await cli(['replay', '--batch-size', '2'], {
      env,
      cwd,
      signal: controller.signal,
      onStderr: (text) => {
        if (text.startsWith('replay: scanned')) controller.abort();
      },
    });
    expect(first.code).toBe(130);
    const id = /Resume with: fc-connector replay --id (\S+)/.exec(first.stdout)?.[1] as string;
    expect(await recordCount(topics.webhooks)).toBe(2);

    // Retention (here: deleteRecords) removes everything not yet replayed.
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const [end] = await admin.fetchTopicOffsets(topics.dlq); // also loads the metadata deleteTopicRecords needs
      expect(end?.high).toBe('6');
      await admin.deleteTopicRecords({ topic: topics.dlq, partitions: [{ partition: 0, offset: '6' }] });
    } finally {
      await admin.disconnect();
    }

    // Before the fix the resumed read waited forever for offsets that no longer exist.
    const resumed = await cli(['replay', '--id', id], { env, cwd, signal: AbortSignal.timeout(20_000) });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`Partition 0: offsets 2–5 (4) are no longer in ${topics.dlq}`);
    expect(resumed.stdout).toContain(`Nothing left to replay: replay ${id} is complete.`);
    const checkpoint = JSON.parse(readFileSync(join(cwd, '.fc-connector', `replay-${id}.json`), 'utf8')) as object;
    expect(checkpoint).toMatchObject({ status: 'complete', replayed: 2, skipped: 4 });
    expect((await cli(['replay', '--id', id], { env, cwd })).stdout).toContain('already completed');
  });
});

async function produceToMain(topic: string, count: number): Promise<void> {
  const producer = testKafka().producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: count }, (_, i) => ({ key: `O_${i}`, value: Buffer.from([0, 1, 2, i]) })),
    });
  } finally {
    await producer.disconnect();
  }
}
