/**
 * Reads Prometheus text exposition (what `/metrics` of the ingress and processor serve) into samples, and keeps the
 * last scrape of every process instance: counters restart at zero after a crash or restart, so a total over the run
 * is the sum of each instance's last value (a lower bound for instances killed between scrapes).
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = LINE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const l of (match[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Sum of every sample named `name` whose labels include `where`. */
export function sumOf(samples: readonly Sample[], name: string, where: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);
}

/** Sums `name` grouped by the value of one label. */
export function byLabel(samples: readonly Sample[], name: string, label: string): Record<string, number> {
  const result: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== name) continue;
    const key = s.labels[label] ?? '';
    result[key] = (result[key] ?? 0) + s.value;
  }
  return result;
}

/** Last scrape per process instance (keyed by pid), so counters survive restarts in the totals. */
export class InstanceScrapes {
  private readonly last = new Map<string, Sample[]>();

  record(instance: string, samples: Sample[]): void {
    this.last.set(instance, samples);
  }

  /** Every instance's last samples, concatenated (sumOf/byLabel then total across restarts). */
  all(): Sample[] {
    return [...this.last.values()].flat();
  }

  latest(instance: string): Sample[] | undefined {
    return this.last.get(instance);
  }

  get instances(): number {
    return this.last.size;
  }
}

/** Scrapes `url` into `scrapes` under `instance()`; failures (process down) are ignored. */
export async function scrape(url: string, instance: string, scrapes: InstanceScrapes): Promise<Sample[] | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) return undefined;
    const samples = parsePrometheus(await response.text());
    scrapes.record(instance, samples);
    return samples;
  } catch {
    return undefined;
  }
}
