/**
 * Failover driver: a stream of signed webhooks (with Fluent-style duplicates and retries) into the pipeline on the
 * private replicated cluster while a schedule SIGKILLs one broker (the leader of most partitions, or the active
 * controller) and brings it back, then kills the schema registry and, inside that outage, the processor (cold
 * schema cache). It records every answer the ingress gave and what every process reported; the test judges.
 */
import type { Admin } from 'kafkajs';
import { buildOrderStatusEvent } from '../../../sim/fluent/index.js';
import type { Pipeline } from '../../../sim/pipeline.js';
import { prng, type OrderScenario } from '../../../sim/scenario.js';
import type { PrivateCluster } from '../../support/private-cluster.js';
import { AnswerLog } from './answer-log.js';
import type { ChaosLogEntry, DeliveryRecord } from './chaos-driver.js';
import type { FailoverProfile } from './profiles.js';
import { InstanceScrapes, scrape } from './prometheus.js';

export type FailoverTarget = 'leader' | 'controller';

export class FailoverDriver {
  readonly deliveries: DeliveryRecord[] = [];
  readonly log: ChaosLogEntry[] = [];
  readonly ingressScrapes = new InstanceScrapes();
  readonly processorScrapes = new InstanceScrapes();
  readonly answers: AnswerLog;
  readonly unexpectedExits: string[] = [];
  /** The node killed, and how long until every partition of the pipeline's topics had a leader again. */
  killed: { nodeId: number; leadersBackAfterMs: number | undefined } | undefined;
  private controlled = { ingress: false, processor: false };
  private stopped = false;
  private started = 0;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly cluster: PrivateCluster,
    private readonly admin: Admin,
    private readonly profile: FailoverProfile,
    private readonly target: FailoverTarget,
    private readonly seed: number,
  ) {
    this.answers = new AnswerLog(`${pipeline.ingressUrl}/api/v1/fluent-connect/webhook`, pipeline.sender.signer);
  }

  private get elapsed(): number {
    return Math.round(performance.now() - this.started);
  }

  async run(scenarios: readonly OrderScenario[]): Promise<void> {
    this.started = performance.now();
    const background = [this.scrapeLoop(), this.watchdog()];
    const schedule = this.schedule();
    await this.traffic(scenarios);
    await schedule;
    this.stopped = true;
    await Promise.all(background);
  }

  private async traffic(scenarios: readonly OrderScenario[]): Promise<void> {
    const random = prng(this.seed ^ 0xfa11);
    const { trafficMs } = this.profile;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await Promise.all(
      scenarios.map(async (scenario) => {
        await sleep(random() * trafficMs * 0.2);
        const gap = (trafficMs * 0.8) / scenario.statuses.length;
        for (const [index, status] of scenario.statuses.entries()) {
          const dup = random();
          const jitter = random();
          this.pipeline.fluent.store.setOrderStatus({ ref: scenario.ref }, status);
          const event = buildOrderStatusEvent({ orderId: scenario.id, orderRef: scenario.ref, status });
          const sends = [this.deliver(scenario.ref, index, status, event, 'first')];
          if (dup < 0.15) sends.push(this.deliver(scenario.ref, index, status, event, 'concurrent-duplicate'));
          await Promise.all(sends);
          await sleep(gap * (0.5 + jitter));
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
    const delivery = await this.answers.deliver(event);
    const last = delivery.answers.at(-1);
    this.deliveries.push({
      ref,
      index,
      status,
      eventId: delivery.eventId,
      kind,
      httpStatus: last?.status,
      accepted: delivery.accepted,
      attempts: delivery.answers.length,
      lastError: last?.error,
    });
  }

  private async step(action: string, fn: () => unknown): Promise<void> {
    const at = this.elapsed;
    const started = performance.now();
    await fn();
    this.log.push({ atMs: at, action, tookMs: Math.round(performance.now() - started) });
  }

  private async schedule(): Promise<void> {
    const p = this.profile;
    const at = async (ms: number) => {
      const wait = ms - this.elapsed;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    };
    await at(p.brokerKillAt);
    const nodeId = this.target === 'controller' ? await this.cluster.controller() : await this.leaderOfMost();
    await this.step(`kill -9 node ${nodeId} (${this.target})`, () => this.cluster.killBroker(nodeId));
    const killedAt = performance.now();
    this.killed = { nodeId, leadersBackAfterMs: undefined };
    const leadersBack = this.waitForLeaders().then((ok) => {
      if (ok && this.killed) this.killed.leadersBackAfterMs = Math.round(performance.now() - killedAt);
    });
    await at(p.brokerKillAt + p.brokerDownMs);
    await this.step(`node ${nodeId} started again`, () => this.cluster.startMissing());
    await leadersBack;
    await at(p.registryKillAt);
    await this.step('schema registry kill -9', () => this.cluster.killRegistry());
    await at(p.processorKillAt);
    // Restarted in the background: it cannot become ready until the registry is back.
    const processorBack = this.step('processor SIGKILL + restart (registry down)', () => this.killProcessor());
    await at(p.registryKillAt + p.registryDownMs);
    await this.step('schema registry started again', () => this.cluster.startMissing());
    await processorBack;
  }

  /** The node leading the most partitions of the pipeline's topics. */
  private async leaderOfMost(): Promise<number> {
    const { webhooks, retries, dlq } = this.pipeline.topics;
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [webhooks, ...retries, dlq] });
    const led = new Map<number, number>();
    for (const p of topics.flatMap((t) => t.partitions)) led.set(p.leader, (led.get(p.leader) ?? 0) + 1);
    return [...led.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  }

  private async waitForLeaders(timeoutMs = 60_000): Promise<boolean> {
    const { webhooks, retries, dlq } = this.pipeline.topics;
    const killed = this.killed?.nodeId;
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      try {
        const { topics } = await this.admin.fetchTopicMetadata({ topics: [webhooks, ...retries, dlq] });
        const partitions = topics.flatMap((t) => t.partitions);
        if (partitions.every((p) => p.leader >= 0 && p.leader !== killed)) return true;
      } catch {
        // metadata from a node that is going away: ask again
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  /** Starts a service like an orchestrator: a start that fails (or never gets ready) is killed and tried again. */
  private async start(name: 'ingress' | 'processor'): Promise<void> {
    const deadline = performance.now() + 180_000;
    for (;;) {
      try {
        await (name === 'ingress' ? this.pipeline.startIngress() : this.pipeline.startProcessor());
        return;
      } catch (error) {
        this.unexpectedExits.push(`${name} failed to start at ${this.elapsed} ms: ${String(error)}`);
        await (name === 'ingress' ? this.pipeline.stopIngress('SIGKILL') : this.pipeline.stopProcessor('SIGKILL'));
        if (performance.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
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

  async scrapeNow(): Promise<void> {
    await Promise.all([this.scrapeIngress(), this.scrapeProcessor()]);
  }

  private scrapeIngress() {
    const { ingressUrl, ingress } = this.pipeline;
    return scrape(`${ingressUrl}/metrics`, `ingress-${ingress.child.pid}`, this.ingressScrapes);
  }

  private scrapeProcessor() {
    const { processorUrl, processor } = this.pipeline;
    return scrape(`${processorUrl}/metrics`, `processor-${processor.child.pid}`, this.processorScrapes);
  }

  private async scrapeLoop(): Promise<void> {
    while (!this.stopped) {
      await this.scrapeNow();
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }

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
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Keeps restarting crashed services until `done` or the timeout. */
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
