/**
 * The failover test's commit check (support/commit-watch.ts) is only worth its green if it catches a commit made
 * before the work: these cases drive its polls by hand.
 */
import { describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../../sim/common/http.js';
import { topicNames } from '../../schemas/index.js';
import { CommitWatch, type WatchedCopy } from './support/commit-watch.js';

const topics = topicNames('t', 1);

function harness() {
  let committed = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const watch = new CommitWatch(() => Promise.resolve(committed), topics, [{ all: () => requests }]);
  return {
    watch,
    commit: (partition: number, next: number) => {
      committed = new Map(committed).set(`${topics.webhooks}/${partition}`, next);
    },
    request: (eventId: string) =>
      requests.push({ method: 'POST', path: '/graphql', headers: { 'x-correlation-id': eventId } }),
  };
}

const copy = (offset: number, eventId: string, timestamp = 0, extra: Partial<WatchedCopy> = {}): WatchedCopy => ({
  topic: topics.webhooks,
  partition: 0,
  offset,
  eventId,
  attempt: 0,
  timestamp,
  ...extra,
});

describe('CommitWatch', () => {
  it('accepts a commit that follows the downstream request of its record', async () => {
    const h = harness();
    await h.watch.pollOnce();
    h.request('e1');
    h.commit(0, 1);
    await h.watch.pollOnce();
    expect(h.watch.verdict([copy(0, 'e1')])).toMatchObject({ verified: 1, premature: [] });
  });

  it('reports a commit visible before any request for its record', async () => {
    const h = harness();
    h.commit(0, 1);
    await h.watch.pollOnce();
    h.request('e1');
    await h.watch.pollOnce();
    const verdict = h.watch.verdict([copy(0, 'e1')]);
    expect(verdict.premature).toHaveLength(1);
    expect(verdict.verified).toBe(0);
  });

  it('reports a commit made before the record was forwarded to a retry tier', async () => {
    const h = harness();
    h.commit(0, 1);
    await h.watch.pollOnce();
    const forwarded = copy(0, 'e1', Date.now() + 60_000, { topic: topics.retries[0]!, attempt: 1 });
    expect(h.watch.verdict([copy(0, 'e1'), forwarded]).premature).toHaveLength(1);
  });

  it('accepts a commit after the forward to a retry tier when the first request it can see is the retry’s', async () => {
    // The first attempt's reads went out in a batch with other records (a generated correlation id): the only
    // request carrying this event id is the retry's, after the commit; the forward before the commit proves the work.
    const h = harness();
    const forwardedAt = Date.now() - 1_000;
    h.commit(0, 1);
    await h.watch.pollOnce();
    h.request('e1');
    await h.watch.pollOnce();
    const forwarded = copy(0, 'e1', forwardedAt, { topic: topics.retries[0]!, attempt: 1 });
    expect(h.watch.verdict([copy(0, 'e1', forwardedAt - 100), forwarded])).toMatchObject({
      verified: 1,
      premature: [],
    });
  });

  it('still reports a commit when both the request and the forward came after it', async () => {
    const h = harness();
    h.commit(0, 1);
    await h.watch.pollOnce();
    h.request('e1');
    await h.watch.pollOnce();
    const forwarded = copy(0, 'e1', Date.now() + 60_000, { topic: topics.retries[0]!, attempt: 1 });
    expect(h.watch.verdict([copy(0, 'e1'), forwarded]).premature).toHaveLength(1);
  });

  it('counts, without judging, records committed with no downstream evidence and records never seen committed', async () => {
    const h = harness();
    h.commit(0, 1);
    await h.watch.pollOnce();
    expect(h.watch.verdict([copy(0, 'skipped'), copy(5, 'later')])).toMatchObject({
      withoutEvidence: 1,
      notSeenCommitted: 1,
      premature: [],
    });
  });
});
