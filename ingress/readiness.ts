/**
 * Dependency checks (GET /health/dependencies and fc_ingress_dependency_up, see dependency-health.ts; not pod
 * readiness): the broker answers metadata for the webhook topic and the schema registry answers. Results are cached
 * briefly so scrapes and probes cannot turn health checks into broker load, and concurrent callers share one check.
 * The registry check resolves the webhook schema (schemaCheck), so "answers" means "serves our schema"; schemaGate
 * keeps the pod itself unready while the schema is not registered and SCHEMA_REGISTRY_AUTO_REGISTER is false.
 */

export type ReadinessCheck = () => Promise<void>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; error?: string }>;
}

export interface Readiness {
  check(): Promise<ReadinessReport>;
}

export function createReadiness(
  checks: Record<string, ReadinessCheck>,
  options: { cacheMs?: number; timeoutMs?: number; now?: () => number } = {},
): Readiness {
  const cacheMs = options.cacheMs ?? 1_000;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const now = options.now ?? Date.now;
  let cached: { at: number; report: ReadinessReport } | undefined;
  let running: Promise<ReadinessReport> | undefined;

  const withTimeout = (check: ReadinessCheck) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      check().then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });

  const run = async (): Promise<ReadinessReport> => {
    const names = Object.keys(checks);
    const results = await Promise.allSettled(names.map((name) => withTimeout(checks[name]!)));
    const report: ReadinessReport = { ready: true, checks: {} };
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') report.checks[names[i]!] = { ok: true };
      else {
        report.ready = false;
        report.checks[names[i]!] = { ok: false, error: (result.reason as Error).message };
      }
    });
    cached = { at: now(), report };
    return report;
  };

  return {
    check() {
      if (cached && now() - cached.at < cacheMs) return Promise.resolve(cached.report);
      running ??= run().finally(() => {
        running = undefined;
      });
      return running;
    },
  };
}

/** Registry liveness: GET <url>/subjects answers 2xx (credentials sent when configured). */
export function registryCheck(registry: { url: string; username?: string; password?: string }): ReadinessCheck {
  const headers: Record<string, string> = {};
  if (registry.username) {
    headers.authorization = `Basic ${Buffer.from(`${registry.username}:${registry.password ?? ''}`).toString('base64')}`;
  }
  return async () => {
    const response = await fetch(`${registry.url.replace(/\/$/, '')}/subjects`, {
      headers,
      signal: AbortSignal.timeout(1_500),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`schema registry answered HTTP ${response.status}`);
  };
}

/** What schemaCheck needs of the serde (WebhookSerde.resolveSchema). */
export interface SchemaResolver {
  resolveSchema(topic: string): Promise<number>;
}

/** Schema readiness: asks the registry now (not the serde's cache) for the webhook schema under `<topic>-value`. */
export function schemaCheck(serde: SchemaResolver, topic: string): ReadinessCheck {
  return async () => {
    await serde.resolveSchema(topic);
  };
}

/**
 * Pod readiness gate for the schema: the reason the pod must not take webhooks when the webhook schema is not
 * registered and auto-register is off (a missing deployment step: a rollout then stops at the first new pod, and the
 * old pods keep serving), else undefined. A registry that does not answer is a dependency outage, reported by the
 * dependency checks and answered 503 per webhook, not a reason to leave the load balancer. Cached like the checks.
 */
export function schemaGate(
  serde: SchemaResolver,
  topic: string,
  options: { cacheMs?: number; now?: () => number } = {},
): () => Promise<string | undefined> {
  const cacheMs = options.cacheMs ?? 1_000;
  const now = options.now ?? Date.now;
  let cached: { at: number; reason: string | undefined } | undefined;
  let running: Promise<string | undefined> | undefined;
  const run = async () => {
    let reason: string | undefined;
    try {
      await serde.resolveSchema(topic);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      reason = code === 'SCHEMA_NOT_REGISTERED' ? (error as Error).message : undefined;
    }
    cached = { at: now(), reason };
    return reason;
  };
  return () => {
    if (cached && now() - cached.at < cacheMs) return Promise.resolve(cached.reason);
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };
}
