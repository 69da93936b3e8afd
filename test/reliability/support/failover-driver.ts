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
import { PipelineRunDriver, sleep, type OrderStatusEvent, type SendResult } from './pipeline-run.js';
import type { FailoverProfile } from './profiles.js';

export type FailoverTarget = 'leader' | 'controller';

export class FailoverDriver extends PipelineRunDriver {
  readonly answers: AnswerLog;
  /** The node killed, and how long until every partition of the pipeline's topics had a leader again. */
  killed: { nodeId: number; leadersBackAfterMs: number | undefined } | undefined;

  constructor(
    pipeline: Pipeline,
    private readonly cluster: PrivateCluster,
    private readonly admin: Admin,
    private readonly profile: FailoverProfile,
    private readonly target: FailoverTarget,
    private readonly seed: number,
  ) {
    super(pipeline, { startDeadlineMs: 180_000, killFailedStart: true });
    this.answers = new AnswerLog(`${pipeline.ingressUrl}/api/v1/fluent-connect/webhook`, pipeline.sender.signer);
  }

  protected async traffic(scenarios: readonly OrderScenario[]): Promise<void> {
    const random = prng(this.seed ^ 0xfa11);
    const { trafficMs } = this.profile;
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

  protected async send(event: OrderStatusEvent): Promise<SendResult> {
    const delivery = await this.answers.deliver(event);
    const last = delivery.answers.at(-1);
    return {
      eventId: delivery.eventId,
      httpStatus: last?.status,
      accepted: delivery.accepted,
      attempts: delivery.answers.length,
      lastError: last?.error,
    };
  }

  protected async schedule(): Promise<void> {
    const p = this.profile;
    const at = (ms: number) => this.waitUntilElapsed(ms);
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
    const processorBack = this.step('processor SIGKILL + restart (registry down)', () =>
      this.restart('processor', 'SIGKILL'),
    );
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
      await sleep(100);
    }
    return false;
  }
}
