/**
 * What the health endpoints say about this consumer-group member, and why it is not ready: the one place that
 * decides liveness and readiness from the consumer's events, the runner's health and the stop sequence.
 * `followConsumer` feeds it the consumer's group events and tells the runner what a join or a crash changes.
 *
 * Readiness names its reason (`GET /health/ready` shows it) so an operator sees "cannot write to the DLQ" rather than
 * a bare 503. A fatal state also ends liveness: the process stops and exits non-zero (docs/architecture.md,
 * "Processing semantics"). So does a wedged consumer: a member holding partitions that neither polled nor sent a
 * heartbeat for CONSUMER_STALL_TIMEOUT_MS fails liveness, and Kubernetes restarts the pod.
 */
import type { EventEmitter } from 'node:events';
import type { Consumer } from 'kafkajs';
import type { Logger } from 'pino';
import { errorMessageOf } from '../common/errors.js';
import type { BatchRunner } from './runner.js';

export interface MemberStateOptions {
  /** Liveness fails when a member holding partitions shows no poll or heartbeat for this long (0 = never). */
  stallTimeoutMs?: number;
  now?: () => number;
  /** Told once per stall, when liveness first sees it (for the log line that explains the restart). */
  onStall?: (silentMs: number) => void;
}

export class MemberState {
  private joined = false;
  private crashedForGood = false;
  private stopping = false;
  private fatalReason: string | undefined;
  private holdsPartitions = false;
  private lastActivityAt: number;
  private stallReported = false;
  private readonly stallTimeoutMs: number;
  private readonly now: () => number;
  private readonly onStall: ((silentMs: number) => void) | undefined;

  constructor(options: MemberStateOptions = {}) {
    this.stallTimeoutMs = options.stallTimeoutMs ?? 0;
    this.now = options.now ?? Date.now;
    this.onStall = options.onStall;
    this.lastActivityAt = this.now();
  }

  /** The consumer joined (or re-joined) its group; `partitions` is how many it was assigned. */
  joinedGroup(partitions = 1): void {
    this.joined = true;
    this.holdsPartitions = partitions > 0;
    this.activity();
  }

  /** The consumer polled (fetch) or sent a heartbeat: it is not wedged. */
  activity(): void {
    this.lastActivityAt = this.now();
    this.stallReported = false;
  }

  /** How long a member holding partitions has been silent past the stall timeout, or undefined when it is not. */
  stalledFor(): number | undefined {
    if (this.stallTimeoutMs <= 0 || !this.joined || !this.holdsPartitions) return undefined;
    const silentMs = this.now() - this.lastActivityAt;
    return silentMs > this.stallTimeoutMs ? silentMs : undefined;
  }

  /** A rebalance or a crash: the member holds no assignment until it joins again. */
  leftGroup(): void {
    this.joined = false;
  }

  /** KafkaJS gave up restarting the consumer. */
  crashed(): void {
    this.joined = false;
    this.crashedForGood = true;
  }

  /** The member cannot go on (e.g. a retry/DLQ topic refuses writes); the first reason wins. */
  failed(reason: string): void {
    this.fatalReason ??= reason;
  }

  stopped(): void {
    this.stopping = true;
    this.joined = false;
  }

  get fatal(): string | undefined {
    return this.fatalReason;
  }

  /** Alive until the consumer crashed for good, a fatal state was reported, the member stopped or it stalled. */
  alive(): boolean {
    return !this.crashedForGood && this.fatalReason === undefined && !this.stopping && !this.stalled();
  }

  private stalled(): boolean {
    const silentMs = this.stalledFor();
    if (silentMs === undefined) return false;
    if (!this.stallReported) this.onStall?.(silentMs);
    this.stallReported = true;
    return true;
  }

  /** Why the member is not ready, or undefined when it is. `runnerHealth` is the runner's own reason, if any. */
  notReadyReason(runnerHealth?: string): string | undefined {
    if (this.fatalReason !== undefined) return this.fatalReason;
    if (runnerHealth !== undefined) return runnerHealth;
    if (this.stopping) return 'stopping';
    if (this.crashedForGood) return 'consumer crashed';
    if (!this.joined) return 'not a consumer-group member (joining or rebalancing)';
    return undefined;
  }
}

/** What the runner needs to hear of the group (runner.ts). */
export type RunnerHooks = Pick<BatchRunner, 'resetDelays' | 'forgetPartitions'>;

/**
 * Keeps the member state and the runner in step with the consumer's group events, and re-emits them on `events`
 * ('ready' on joining, 'crash' with the error).
 */
export function followConsumer(
  consumer: Consumer,
  deps: { state: MemberState; runner: RunnerHooks; logger: Logger; events: EventEmitter },
): void {
  const { state, runner, logger, events } = deps;
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    state.joinedGroup(assignedPartitions(e.payload.memberAssignment));
    // A new assignment: delay timers and lag series of partitions held before no longer apply.
    runner.resetDelays();
    runner.forgetPartitions(e.payload.memberAssignment);
    logger.info(
      { groupId: e.payload.groupId, assignment: e.payload.memberAssignment, memberId: e.payload.memberId },
      'joined consumer group',
    );
    events.emit('ready');
  });
  consumer.on(consumer.events.REBALANCING, () => state.leftGroup());
  // Signs of a working poll loop: a wedged consumer emits none of them (liveness, CONSUMER_STALL_TIMEOUT_MS).
  for (const event of [consumer.events.HEARTBEAT, consumer.events.FETCH_START, consumer.events.END_BATCH_PROCESS]) {
    consumer.on(event, () => state.activity());
  }
  consumer.on(consumer.events.CRASH, (e) => {
    // A restarted consumer starts with fresh pause state: the partitions paused until due must be paused again.
    runner.resetDelays();
    const restart = e.payload.restart;
    if (restart) state.leftGroup();
    else state.crashed();
    logger.error({ err: errorMessageOf(e.payload.error), restart }, 'consumer crashed');
    events.emit('crash', e.payload.error);
  });
}

function assignedPartitions(assignment: Record<string, readonly number[]> | undefined): number {
  return Object.values(assignment ?? {}).reduce((sum, partitions) => sum + partitions.length, 0);
}
