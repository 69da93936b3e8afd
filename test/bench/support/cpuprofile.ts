/**
 * Summarises a V8 `.cpuprofile` (node --cpu-prof): self time per function (name + file:line), top N, and the
 * share per area (processor, schemas, kafkajs, undici, avsc, pino, node internals, GC/idle) so a benchmark can say
 * where the processor's CPU goes. Usage: `npx tsx test/bench/support/cpuprofile.ts <file.cpuprofile> [top=25]`.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface CpuNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: CpuNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileEntry {
  readonly fn: string;
  readonly where: string;
  readonly selfMs: number;
  readonly selfPercent: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Non-idle sampled time. */
  readonly busyMs: number;
  readonly top: readonly ProfileEntry[];
  /** Busy time by area (percent of busy). */
  readonly areas: Readonly<Record<string, number>>;
}

function areaOf(url: string, fn: string): string {
  if (fn === '(idle)' || fn === '(program)') return fn;
  if (fn === '(garbage collector)') return 'gc';
  if (url.includes('/node_modules/')) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    return match ? match[1]! : 'node_modules';
  }
  if (url.includes('/processor/')) return 'processor';
  if (url.includes('/schemas/')) return 'schemas';
  if (url.includes('/test/')) return 'bench harness';
  if (url.startsWith('node:') || url === '') return 'node internals';
  return 'other';
}

export function summariseCpuProfile(file: string, topN = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFunction = new Map<string, { fn: string; where: string; us: number; area: string }>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const fn = functionName || '(anonymous)';
    if (fn === '(idle)') idle += us;
    const short = url
      .replace(/^file:\/\//, '')
      .replace(/^.*\/node_modules\//, '~/')
      .replace(/^.*\/work\/main\//, '');
    const where = short ? `${short}:${lineNumber + 1}` : '';
    const key = `${fn}@${where}`;
    const entry = byFunction.get(key) ?? { fn, where, us: 0, area: areaOf(url, fn) };
    entry.us += us;
    byFunction.set(key, entry);
  }
  const busy = total - idle;
  const areas: Record<string, number> = {};
  for (const e of byFunction.values()) {
    if (e.fn === '(idle)') continue;
    areas[e.area] = (areas[e.area] ?? 0) + e.us;
  }
  for (const k of Object.keys(areas)) areas[k] = Number(((areas[k]! / Math.max(1, busy)) * 100).toFixed(1));
  const top = [...byFunction.values()]
    .filter((e) => e.fn !== '(idle)')
    .sort((a, b) => b.us - a.us)
    .slice(0, topN)
    .map((e) => ({
      fn: e.fn,
      where: e.where,
      selfMs: Number((e.us / 1000).toFixed(1)),
      selfPercent: Number(((e.us / Math.max(1, busy)) * 100).toFixed(1)),
    }));
  return {
    totalMs: Number((total / 1000).toFixed(0)),
    busyMs: Number((busy / 1000).toFixed(0)),
    top,
    areas: Object.fromEntries(Object.entries(areas).sort((a, b) => b[1] - a[1])),
  };
}

export function formatProfile(summary: ProfileSummary): string {
  const lines = [`busy ${summary.busyMs} ms of ${summary.totalMs} ms sampled; by area (% of busy):`];
  lines.push(
    '  ' +
      Object.entries(summary.areas)
        .slice(0, 10)
        .map(([k, v]) => `${k} ${v}%`)
        .join(', '),
  );
  lines.push('top self time:');
  for (const e of summary.top) lines.push(`  ${e.selfPercent.toFixed(1).padStart(5)}%  ${e.fn}  ${e.where}`);
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: tsx test/bench/support/cpuprofile.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  console.log(formatProfile(summariseCpuProfile(file, Number(process.argv[3] ?? 25))));
}
