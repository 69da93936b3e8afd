/**
 * Retry-tier partitions paused until their head record is due: one timer per partition, set for the earliest due
 * time asked for, resuming the partition when it fires. `pause()` is called on every request, even when a timer is
 * already set: after a consumer restart KafkaJS starts with fresh pause state, and a partition left unpaused would be
 * fetched again in a tight loop until the old timer fired. The latest resume function is kept.
 */
import { timerDelay } from './timers.js';

interface Delay {
  dueAt: number;
  resume: () => void;
  timer: NodeJS.Timeout;
}

export class PartitionDelays {
  private readonly delays = new Map<string, Delay>();

  /** @param onCountChange told the number of delayed partitions after every change (a gauge). */
  constructor(
    private readonly onCountChange: (delayed: number) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.delays.size;
  }

  /** Pauses partition `id` (now) until `dueAt` (ms since the epoch). */
  delay(id: string, dueAt: number, pause: () => () => void): void {
    const resume = pause();
    const current = this.delays.get(id);
    if (current) {
      current.resume = resume;
      if (current.dueAt <= dueAt) return;
      clearTimeout(current.timer);
      current.dueAt = dueAt;
      current.timer = this.timerFor(id, dueAt);
      return;
    }
    this.delays.set(id, { dueAt, resume, timer: this.timerFor(id, dueAt) });
    this.onCountChange(this.delays.size);
  }

  /**
   * Resumes every delayed partition and forgets the timers: on group join and consumer crash, when KafkaJS's pause
   * state may no longer match ours. A partition still not due is paused again by its next batch.
   */
  reset(): void {
    const delays = [...this.delays.values()];
    this.delays.clear();
    for (const d of delays) {
      clearTimeout(d.timer);
      d.resume();
    }
    this.onCountChange(0);
  }

  private timerFor(id: string, dueAt: number): NodeJS.Timeout {
    return setTimeout(() => this.wake(id), timerDelay(dueAt - this.now()));
  }

  /** A timer fired: resume when due, else wait again (the timer was capped, or fired early). */
  private wake(id: string): void {
    const d = this.delays.get(id);
    if (!d) return;
    if (this.now() < d.dueAt) {
      d.timer = this.timerFor(id, d.dueAt);
      return;
    }
    this.delays.delete(id);
    this.onCountChange(this.delays.size);
    d.resume();
  }
}
