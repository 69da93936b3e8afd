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
import type { ChaosProfile } from './profiles.js';
import { InstanceScrapes, scrape } from './prometheus.js';

export interface DeliveryRecord {
  readonly ref: string;
  /** Index of the status in the order's scenario. */
  readonly index: number;
  readonly status: string;
  readonly eventId: string;
  /** 'first' | 'concurrent-duplicate' | 'late-duplicate' */
  readonly kind: 'first' | 'concurrent-duplicate' | 'late-duplicate';
  readonly httpStatus: number | undefined;
  readonly accepted: boolean;
  readonly attempts: number;
  readonly lastError: string | undefined;
}

export interface ChaosLogEntry {
  readonly atMs: number;
  readonly action: string;
  readonly tookMs: number;
}

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

export class ChaosDriver {
  readonly deliveries: DeliveryRecord[] = [];
  readonly log: ChaosLogEntry[] = [];
  readonly ingressScrapes = new InstanceScrapes();
  readonly processorScrapes = new InstanceScrapes();
  /** Restarts done by the watchdog (a process that exited without being told to). */
  unexpectedExits: string[] = [];
  private controlled = { ingress: false, processor: false };
  private stopped = false;
  private started = 0;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly broker: PrivateBroker,
    private readonly profile: ChaosProfile,
    private readonly seed: number,
  ) {}

  private get elapsed(): number {
    return Math.round(performance.now() - this.started);
  }

  /** Runs traffic, schedule, scraper and watchdog until every webhook has its final answer. */
  async run(scenarios: readonly OrderScenario[]): Promise<void> {
    this.started = performance.now();
    const background = [this.scrapeLoop(), this.watchdog()];
    const schedule = this.schedule();
    await this.traffic(scenarios);
    await schedule;
    this.stopped = true;
    await Promise.all(background);
  }

  /** Final scrape of the live processes (after convergence). */
  async scrapeNow(): Promise<void> {
    await Promise.all([
      scrape(`${this.pipeline.ingressUrl}/metrics`, `ingress-${this.pipeline.ingress.child.pid}`, this.ingressScrapes),
      scrape(
        `${this.pipeline.processorUrl}/metrics`,
        `processor-${this.pipeline.processor.child.pid}`,
        this.processorScrapes,
      ),
    ]);
  }

  private async traffic(scenarios: readonly OrderScenario[]): Promise<void> {
    const random = prng(this.seed ^ 0x5eed);
    const { trafficMs } = this.profile;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
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

  private async deliver(
    ref: string,
    index: number,
    status: string,
    event: ReturnType<typeof buildOrderStatusEvent>,
    kind: DeliveryRecord['kind'],
  ): Promise<void> {
    const result = await this.pipeline.sender.send(event);
    const last = result.attemptResults.at(-1);
    this.deliveries.push({
      ref,
      index,
      status,
      eventId: result.eventId,
      kind,
      httpStatus: result.status,
      accepted: result.delivered && result.status === 200,
      attempts: result.attempts,
      lastError: last?.error ?? (last?.status !== 200 ? last?.body : undefined),
    });
  }

  private async step(action: string, fn: () => Promise<void> | void): Promise<void> {
    const at = this.elapsed;
    const started = performance.now();
    await fn();
    this.log.push({ atMs: at, action, tookMs: Math.round(performance.now() - started) });
  }

  private async schedule(): Promise<void> {
    const p = this.profile;
    const steps: { at: number; action: string; run: () => Promise<void> | void }[] = [];
    for (const at of p.processorKillsAt) {
      steps.push({ at, action: 'processor SIGKILL + restart', run: () => this.killProcessor() });
    }
    steps.push({ at: p.brokerStopAt, action: 'broker stop/start', run: () => this.restartBroker() });
    for (const at of p.ingressRestartsAt) {
      steps.push({ at, action: 'ingress SIGTERM + restart', run: () => this.restartIngress() });
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
      const wait = s.at - this.elapsed;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await this.step(s.action, s.run);
    }
  }

  /**
   * Starts a service the way an orchestrator would: when it exits during start-up (e.g. the broker is still coming
   * back), it is started again, up to a deadline.
   */
  private async start(name: 'ingress' | 'processor'): Promise<void> {
    const deadline = performance.now() + 120_000;
    for (;;) {
      try {
        await (name === 'ingress' ? this.pipeline.startIngress() : this.pipeline.startProcessor());
        return;
      } catch (error) {
        this.unexpectedExits.push(`${name} failed to start at ${this.elapsed} ms: ${String(error)}`);
        if (performance.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  private latency(ms: number): void {
    this.pipeline.fluent.faults.set({ latencyMs: ms });
    this.pipeline.ct.faults.set({ latencyMs: ms });
  }

  private async killProcessor(): Promise<void> {
    this.controlled.processor = true;
    try {
      await this.scrapeProcessor();
      await this.pipeline.stopProcessor('SIGKILL');
      await this.start('processor');
    } finally {
      this.controlled.processor = false;
    }
  }

  private async restartIngress(): Promise<void> {
    this.controlled.ingress = true;
    try {
      await this.scrapeIngress();
      await this.pipeline.stopIngress('SIGTERM');
      await this.start('ingress');
    } finally {
      this.controlled.ingress = false;
    }
  }

  private async restartBroker(): Promise<void> {
    await this.broker.stop();
    await new Promise((r) => setTimeout(r, this.profile.brokerDownMs));
    await this.broker.start();
  }

  private scrapeIngress() {
    return scrape(
      `${this.pipeline.ingressUrl}/metrics`,
      `ingress-${this.pipeline.ingress.child.pid}`,
      this.ingressScrapes,
    );
  }

  private scrapeProcessor() {
    return scrape(
      `${this.pipeline.processorUrl}/metrics`,
      `processor-${this.pipeline.processor.child.pid}`,
      this.processorScrapes,
    );
  }

  private async scrapeLoop(): Promise<void> {
    while (!this.stopped) {
      await Promise.all([this.scrapeIngress(), this.scrapeProcessor()]);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }

  /** Acts as the orchestrator: a service that exits on its own (e.g. gives up during the broker outage) is restarted. */
  private async watchdog(): Promise<void> {
    const exited = (s: Pipeline['ingress']) => s.child.exitCode !== null || s.child.signalCode !== null;
    while (!this.stopped) {
      for (const name of ['ingress', 'processor'] as const) {
        if (this.controlled[name] || !exited(this.pipeline[name])) continue;
        this.controlled[name] = true;
        const code = this.pipeline[name].child.exitCode;
        this.unexpectedExits.push(`${name} exited (code ${code}) at ${this.elapsed} ms`);
        try {
          await this.start(name);
        } finally {
          this.controlled[name] = false;
        }
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Keeps restarting crashed services after the traffic phase too (until `stopWatchdog`). */
  async superviseUntil(done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
    this.stopped = false;
    const watchdog = this.watchdog();
    const deadline = Date.now() + timeoutMs;
    let ok = false;
    while (Date.now() < deadline) {
      if (
        await Promise.resolve()
          .then(done)
          .catch(() => false)
      ) {
        ok = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    this.stopped = true;
    await watchdog;
    return ok;
  }
}
