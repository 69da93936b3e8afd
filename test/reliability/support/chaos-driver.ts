/**
 * Chaos driver: a stream of signed webhooks for many orders (duplicates and Fluent-style retries of the same event
 * id included) while a schedule kills the processor (SIGKILL), restarts the private broker and the ingress, and
 * makes the simulators fail (5xx, 429, held requests, conflicts, latency spikes). It records what every webhook got
 * and what every process reported, and leaves the verdict to the test.
 */
import { buildOrderStatusEvent } from '../../../sim/fluent/index.js';
import type { Pipeline } from '../../../sim/pipeline.js';
import type { PrivateBroker } from '../../support/private-broker.js';
import { prng, type OrderScenario } from '../../../sim/scenario.js';
import { PipelineRunDriver, sleep, type OrderStatusEvent, type SendResult } from './pipeline-run.js';
import type { ChaosProfile } from './profiles.js';

/** Steady background faults on both simulators for the whole traffic phase (all transient). */
export function applyBaseFaults(pipeline: Pipeline): void {
  const base = {
    latencyMs: 2,
    jitterMs: 8,
    errorRate: 0.03,
    errorStatuses: [500, 502, 503, 504],
    rateLimitRate: 0.03,
    retryAfterSeconds: 1,
    timeoutRate: 0.01,
    timeoutMs: 4_000,
  };
  pipeline.fluent.faults.set(base);
  pipeline.ct.faults.set(base);
  pipeline.ct.faults.set({ conflictRate: 0.1 }, 'graphql');
}

export class ChaosDriver extends PipelineRunDriver {
  constructor(
    pipeline: Pipeline,
    private readonly broker: PrivateBroker,
    private readonly profile: ChaosProfile,
    private readonly seed: number,
  ) {
    super(pipeline, { startDeadlineMs: 120_000, killFailedStart: false });
  }

  protected async traffic(scenarios: readonly OrderScenario[]): Promise<void> {
    const random = prng(this.seed ^ 0x5eed);
    const { trafficMs } = this.profile;
    await Promise.all(
      scenarios.map(async (scenario) => {
        // Orders start during the first 30 % and advance through the rest, so every phase of the schedule sees load.
        const start = random() * trafficMs * 0.3;
        const gap = (trafficMs * 0.7) / scenario.statuses.length;
        const jitter = scenario.statuses.map(() => random());
        const dup = scenario.statuses.map(() => random());
        await sleep(start);
        for (const [index, status] of scenario.statuses.entries()) {
          this.pipeline.fluent.store.setOrderStatus({ ref: scenario.ref }, status);
          const event = buildOrderStatusEvent({ orderId: scenario.id, orderRef: scenario.ref, status });
          const sends: Promise<void>[] = [this.deliver(scenario.ref, index, status, event, 'first')];
          // Fluent re-sends the same event when an answer is slow: sometimes twice at once, sometimes later.
          if (dup[index]! < 0.15) sends.push(this.deliver(scenario.ref, index, status, event, 'concurrent-duplicate'));
          await Promise.all(sends);
          if (dup[index]! > 0.95) {
            await sleep(200);
            await this.deliver(scenario.ref, index, status, event, 'late-duplicate');
          }
          await sleep(gap * (0.5 + jitter[index]!));
        }
      }),
    );
  }

  protected async send(event: OrderStatusEvent): Promise<SendResult> {
    const result = await this.pipeline.sender.send(event);
    const last = result.attemptResults.at(-1);
    return {
      eventId: result.eventId,
      httpStatus: result.status,
      accepted: result.delivered && result.status === 200,
      attempts: result.attempts,
      lastError: last?.error ?? (last?.status !== 200 ? last?.body : undefined),
    };
  }

  protected async schedule(): Promise<void> {
    const p = this.profile;
    const steps: { at: number; action: string; run: () => Promise<void> | void }[] = [];
    for (const at of p.processorKillsAt) {
      steps.push({ at, action: 'processor SIGKILL + restart', run: () => this.restart('processor', 'SIGKILL') });
    }
    steps.push({ at: p.brokerStopAt, action: 'broker stop/start', run: () => this.restartBroker() });
    for (const at of p.ingressRestartsAt) {
      steps.push({ at, action: 'ingress SIGTERM + restart', run: () => this.restart('ingress', 'SIGTERM') });
    }
    for (const [at, duration, latencyMs] of p.latencySpikes) {
      steps.push({ at, action: `latency spike ${latencyMs} ms on`, run: () => this.latency(latencyMs) });
      steps.push({ at: at + duration, action: 'latency spike off', run: () => this.latency(2) });
    }
    for (const [at, duration, rate] of p.errorBursts) {
      steps.push({
        at,
        action: `commercetools 5xx burst ${rate * 100}% on`,
        run: () => void this.pipeline.ct.faults.set({ errorRate: rate }, 'graphql'),
      });
      steps.push({
        at: at + duration,
        action: 'commercetools 5xx burst off',
        run: () => void this.pipeline.ct.faults.set({ errorRate: 0.03 }, 'graphql'),
      });
    }
    steps.sort((a, b) => a.at - b.at);
    // Steps run one after another; a slow one (broker start) delays the next rather than overlapping it.
    for (const s of steps) {
      await this.waitUntilElapsed(s.at);
      await this.step(s.action, s.run);
    }
  }

  private latency(ms: number): void {
    this.pipeline.fluent.faults.set({ latencyMs: ms });
    this.pipeline.ct.faults.set({ latencyMs: ms });
  }

  private async restartBroker(): Promise<void> {
    await this.broker.stop();
    await sleep(this.profile.brokerDownMs);
    await this.broker.start();
  }
}
