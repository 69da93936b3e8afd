/**
 * Dependency checks (GET /health/dependencies and fc_ingress_dependency_up, see dependency-health.ts; not pod
 * readiness): the broker answers metadata for the webhook topic and the schema registry answers. Results are cached
 * briefly so scrapes and probes cannot turn health checks into broker load, and concurrent callers share one check.
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
