/**
 * "The processor never commits past unfinished work", checked from outside while the cluster fails over.
 *
 * A watcher polls, in this order, the consumer group's committed offsets and the simulators' request logs
 * (X-Correlation-ID = the webhook's event id on every Fluent and commercetools call). Afterwards each record copy on
 * the main and retry topics is matched with the first poll that saw its offset committed and with the evidence that
 * its work started: the first downstream request carrying its event id, or the copy the processor forwarded to the
 * next retry tier (Kafka timestamp). A commit is premature when that evidence appears only in a poll made after the
 * commit was already visible (and no other evidence came before it): requests are read after offsets in every poll,
 * so a correct processor (request, then commit) can never look like that. A batched read serving several records
 * carries a generated correlation id, so a copy may show no request of its own; its write, single reads or forward
 * still do. Copies with no downstream evidence (skipped as stale, say) are counted, not judged.
 */
import type { RecordedRequest } from '../../../sim/common/http.js';
import type { TopicNames } from '../../../schemas/index.js';
import type { CommittedOffsets } from './outcomes.js';

export interface WatchedCopy {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly eventId: string | undefined;
  /** fc-attempt header (absent on the main topic). */
  readonly attempt: number;
  /** Kafka CreateTime, ms. */
  readonly timestamp: number;
}

export interface CommitVerdict {
  /** Copies whose commit came after downstream evidence of their work. */
  readonly verified: number;
  /** Copies committed with no downstream request or forward seen for their event (nothing to compare). */
  readonly withoutEvidence: number;
  /** Copies never seen committed by a poll (the outcome check reports those). */
  readonly notSeenCommitted: number;
  readonly premature: string[];
}

interface Poll {
  /** When the offsets were read. */
  readonly at: number;
  /** When the request logs were read (after the offsets). */
  readonly requestsAt: number;
  readonly committed: ReadonlyMap<string, number>;
}

export class CommitWatch {
  private readonly polls: Poll[] = [];
  /** Event id → indexes of the polls whose request read saw a new request carrying it. */
  private readonly requestPolls = new Map<string, number[]>();
  private readonly seenRequests = new WeakSet<object>();
  private stopped = false;
  private loop: Promise<void> | undefined;

  /**
   * @param readCommitted the group's committed offsets (support/outcomes.ts, readCommittedOffsets)
   * @param logs the simulators' request logs (`sim.requests`)
   */
  constructor(
    private readonly readCommitted: () => Promise<CommittedOffsets>,
    private readonly topics: TopicNames,
    private readonly logs: readonly { all(): readonly RecordedRequest[] }[],
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  get pollCount(): number {
    return this.polls.length;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await this.pollOnce();
      await new Promise((r) => setTimeout(r, this.intervalMs));
    }
    await this.pollOnce();
  }

  /** One poll: committed offsets first, then the request logs (the order the verdict relies on). */
  async pollOnce(): Promise<void> {
    let committed: ReadonlyMap<string, number>;
    try {
      committed = await this.readCommitted();
    } catch {
      return; // coordinator moving: no sample this time (a later poll sees the same or a higher offset)
    }
    const at = Date.now();
    const index = this.polls.length;
    for (const log of this.logs) {
      for (const request of log.all()) {
        if (this.seenRequests.has(request)) continue;
        this.seenRequests.add(request);
        const id = request.headers['x-correlation-id'];
        if (typeof id !== 'string') continue;
        const polls = this.requestPolls.get(id) ?? [];
        if (polls.at(-1) !== index) polls.push(index);
        this.requestPolls.set(id, polls);
      }
    }
    this.polls.push({ at, requestsAt: Date.now(), committed });
  }

  /** First poll that saw a request for `eventId` made after `since` (ms); within one poll the order is unknown. */
  private requestPollAfter(eventId: string, since: number): number | undefined {
    return this.requestPolls.get(eventId)?.find((index) => this.polls[index]!.requestsAt > since);
  }

  /** Judges every copy (read once the pipeline drained). */
  verdict(copies: readonly WatchedCopy[]): CommitVerdict {
    const premature: string[] = [];
    let verified = 0;
    let withoutEvidence = 0;
    let notSeenCommitted = 0;
    const consumed = new Set([this.topics.webhooks, ...this.topics.retries]);
    for (const copy of copies) {
      if (!consumed.has(copy.topic) || copy.eventId === undefined) continue;
      const key = `${copy.topic}/${copy.partition}`;
      const commitPoll = this.polls.findIndex((p) => (p.committed.get(key) ?? 0) > copy.offset);
      if (commitPoll === -1) {
        notSeenCommitted++;
        continue;
      }
      const requestPoll = this.requestPollAfter(copy.eventId, copy.timestamp);
      // The copy the processor produced to the next tier when this attempt failed.
      const forward = copies.find(
        (c) => c.eventId === copy.eventId && c.attempt === copy.attempt + 1 && c.topic !== copy.topic,
      );
      if (requestPoll === undefined && forward === undefined) {
        withoutEvidence++;
        continue;
      }
      const commitSeenAt = this.polls[commitPoll]!.at;
      // Either evidence before the commit proves the work had started. A request seen only later may belong to the
      // next attempt: the first attempt's reads can have gone out in a batch with other records' (a generated
      // correlation id), so only the forward to the next tier shows that attempt.
      const requestInTime = requestPoll !== undefined && requestPoll <= commitPoll;
      const forwardInTime = forward !== undefined && forward.timestamp <= commitSeenAt;
      if (requestInTime || forwardInTime) verified++;
      else {
        premature.push(
          `${key}@${copy.offset} (event ${copy.eventId}) committed by ${new Date(commitSeenAt).toISOString()}, ` +
            (forward ? `forwarded only at ${forward.timestamp}` : `first downstream request seen only later`),
        );
      }
    }
    return { verified, withoutEvidence, notSeenCommitted, premature };
  }
}
