/**
 * What the chaos and failover drivers share: running webhook traffic and a fault schedule against a live pipeline
 * while a scraper records every process's metrics and a watchdog restarts what exits on its own, then supervising the
 * pipeline until it has settled. Each driver supplies its traffic, its schedule and how a webhook is sent.
 */
import type { buildOrderStatusEvent } from '../../../sim/fluent/index.js';
import type { Pipeline } from '../../../sim/pipeline.js';
import type { OrderScenario, States } from '../../../sim/scenario.js';
import { checkOrders } from './oracle.js';
import { InstanceScrapes, parsePrometheus, scrape, sumOf } from './prometheus.js';

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

export type OrderStatusEvent = ReturnType<typeof buildOrderStatusEvent>;

/** The final answer one webhook got, however the driver sent it. */
export type SendResult = Pick<DeliveryRecord, 'eventId' | 'httpStatus' | 'accepted' | 'attempts' | 'lastError'>;

/** How the drivers' orchestrator starts a service again. */
export interface RestartPolicy {
  /** After this long of failed starts, the last failure is thrown. */
  readonly startDeadlineMs: number;
  /** Whether a start that failed is SIGKILLed before the next try (a start can hang half-ready). */
  readonly killFailedStart: boolean;
}

export interface Settled {
  readonly converged: boolean;
  /** Seconds from the end of the traffic until every order converged (or the limit). */
  readonly convergeSeconds: number;
  readonly drained: boolean;
}

type Service = 'ingress' | 'processor';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export abstract class PipelineRunDriver {
  readonly deliveries: DeliveryRecord[] = [];
  readonly log: ChaosLogEntry[] = [];
  readonly ingressScrapes = new InstanceScrapes();
  readonly processorScrapes = new InstanceScrapes();
  /** Restarts done by the watchdog (a process that exited without being told to), and starts that failed. */
  readonly unexpectedExits: string[] = [];
  /** A service the schedule is stopping or starting, which the watchdog must leave alone. */
  private controlled = { ingress: false, processor: false };
  private stopped = false;
  private started = 0;

  protected constructor(
    protected readonly pipeline: Pipeline,
    private readonly restartPolicy: RestartPolicy,
  ) {}

  protected abstract traffic(scenarios: readonly OrderScenario[]): Promise<void>;
  protected abstract schedule(): Promise<void>;
  protected abstract send(event: OrderStatusEvent): Promise<SendResult>;

  protected get elapsed(): number {
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

  /**
   * Runs the traffic, lifts the simulators' faults, then supervises until every order converged (within
   * `convergeMs`) and the processor drained, and scrapes the live processes a last time.
   */
  async runUntilSettled(
    scenarios: readonly OrderScenario[],
    statesOf: (ref: string) => States | undefined,
    convergeMs: number,
  ): Promise<Settled> {
    await this.run(scenarios);
    const trafficDoneAt = performance.now();
    // Faults stop with the traffic (counters are kept); what is left in retry tiers must now drain.
    this.pipeline.fluent.faults.reset();
    this.pipeline.ct.faults.reset();

    const converged = await this.superviseUntil(
      () => checkOrders(scenarios, this.deliveries, statesOf).problems.length === 0,
      convergeMs,
    );
    const convergeSeconds = (performance.now() - trafficDoneAt) / 1000;
    // Everything consumed and committed (main and retry topics) before the topics are read.
    const drained = await this.superviseUntil(async () => {
      const samples = parsePrometheus(await (await fetch(`${this.pipeline.processorUrl}/metrics`)).text());
      return (
        samples.some((s) => s.name === 'fc_processor_consumer_lag_records') &&
        sumOf(samples, 'fc_processor_consumer_lag_records') === 0 &&
        sumOf(samples, 'fc_processor_in_flight') === 0
      );
    }, 60_000);
    await this.scrapeNow();
    return { converged, convergeSeconds, drained };
  }

  /** Final scrape of the live processes (after convergence). */
  async scrapeNow(): Promise<void> {
    await Promise.all([this.scrapeOf('ingress'), this.scrapeOf('processor')]);
  }

  /** Keeps restarting crashed services after the traffic phase too, until `done` or the timeout. */
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
      await sleep(500);
    }
    this.stopped = true;
    await watchdog;
    return ok;
  }

  protected async deliver(
    ref: string,
    index: number,
    status: string,
    event: OrderStatusEvent,
    kind: DeliveryRecord['kind'],
  ): Promise<void> {
    const answer = await this.send(event);
    this.deliveries.push({ ref, index, status, kind, ...answer });
  }

  /** Runs one action of the schedule and logs when it started and how long it took. */
  protected async step(action: string, fn: () => unknown): Promise<void> {
    const at = this.elapsed;
    const started = performance.now();
    await fn();
    this.log.push({ atMs: at, action, tookMs: Math.round(performance.now() - started) });
  }

  /** Waits until `ms` after the start of the run (returns at once when that has passed). */
  protected async waitUntilElapsed(ms: number): Promise<void> {
    const wait = ms - this.elapsed;
    if (wait > 0) await sleep(wait);
  }

  /** Scrapes the service one last time (its counters die with it), stops it with `signal` and starts it again. */
  protected async restart(name: Service, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    this.controlled[name] = true;
    try {
      await this.scrapeOf(name);
      await (name === 'ingress' ? this.pipeline.stopIngress(signal) : this.pipeline.stopProcessor(signal));
      await this.start(name);
    } finally {
      this.controlled[name] = false;
    }
  }

  /**
   * Starts a service the way an orchestrator would: when it exits during start-up (e.g. the broker is still coming
   * back) or never gets ready, it is started again, up to a deadline.
   */
  private async start(name: Service): Promise<void> {
    const deadline = performance.now() + this.restartPolicy.startDeadlineMs;
    for (;;) {
      try {
        await (name === 'ingress' ? this.pipeline.startIngress() : this.pipeline.startProcessor());
        return;
      } catch (error) {
        this.unexpectedExits.push(`${name} failed to start at ${this.elapsed} ms: ${String(error)}`);
        if (this.restartPolicy.killFailedStart) {
          await (name === 'ingress' ? this.pipeline.stopIngress('SIGKILL') : this.pipeline.stopProcessor('SIGKILL'));
        }
        if (performance.now() > deadline) throw error;
        await sleep(1_000);
      }
    }
  }

  private scrapeOf(name: Service) {
    const url = name === 'ingress' ? this.pipeline.ingressUrl : this.pipeline.processorUrl;
    const scrapes = name === 'ingress' ? this.ingressScrapes : this.processorScrapes;
    return scrape(`${url}/metrics`, `${name}-${this.pipeline[name].child.pid}`, scrapes);
  }

  private async scrapeLoop(): Promise<void> {
    while (!this.stopped) {
      await this.scrapeNow();
      await sleep(1_000);
    }
  }

  /** Acts as the orchestrator: a service that exits on its own (e.g. gives up during a broker outage) is restarted. */
  private async watchdog(): Promise<void> {
    const exited = (s: Pipeline['ingress']) => s.child.exitCode !== null || s.child.signalCode !== null;
    while (!this.stopped) {
      for (const name of ['ingress', 'processor'] as const) {
        if (this.controlled[name] || !exited(this.pipeline[name])) continue;
        this.controlled[name] = true;
        this.unexpectedExits.push(`${name} exited (code ${this.pipeline[name].child.exitCode}) at ${this.elapsed} ms`);
        try {
          await this.start(name);
        } finally {
          this.controlled[name] = false;
        }
      }
      await sleep(500);
    }
  }
}
