/**
 * The sweep (Fluent, Kafka and the checkpoint file; no printing): page by page, list the orders updated in the
 * window, produce one reconciliation event per order with acks=all, and only then save the cursor. Memory holds one
 * page at a time, whatever the window. The dry run pages the same way and only counts.
 */
import type { Message } from 'kafkajs';
import type { FluentWebhookRecord } from '../../schemas/index.js';
import { saveCheckpoint, type ReconcileCheckpoint } from './checkpoint.js';
import { reconcileEvent, type EventContext } from './event.js';
import type { FluentOrders, ListedOrder, OrdersPage } from './fluent.js';

export interface SweepOptions {
  readonly fluent: FluentOrders;
  /** Orders per Fluent page (first), at most 5,000. */
  readonly pageSize: number;
  readonly now: () => number;
  readonly signal?: AbortSignal | undefined;
}

export interface ProduceTarget {
  /** Avro-encodes a record for the main topic (schema registry framing). */
  encode(record: FluentWebhookRecord): Promise<Buffer>;
  /** Produces to the main topic and resolves once Kafka acknowledged every message (acks=all). */
  send(messages: Message[]): Promise<void>;
}

export interface SweepProgress {
  readonly pages: number;
  readonly seen: number;
  readonly produced: number;
}

export interface SweepResult {
  readonly result: 'complete' | 'interrupted';
  /** This run's counts (the checkpoint holds the totals across runs). */
  readonly pages: number;
  readonly seen: number;
  readonly produced: number;
  readonly seconds: number;
}

/** Orders of a page this run keeps: the --retailer filter (Fluent's search is asked only for the window and types). */
export function selectOrders(orders: readonly ListedOrder[], retailers: readonly string[]): ListedOrder[] {
  if (retailers.length === 0) return [...orders];
  const wanted = new Set(retailers);
  return orders.filter((order) => order.retailerId !== null && wanted.has(order.retailerId));
}

/**
 * Continues `checkpoint` (saved at `path`) to the end of its window: after each page's events are acknowledged the
 * cursor and counts are saved, so an interrupted sweep continues after the last acknowledged page.
 */
export async function runSweep(
  checkpoint: ReconcileCheckpoint,
  path: string,
  target: ProduceTarget,
  context: EventContext,
  options: SweepOptions & { onPage?: (progress: SweepProgress) => void },
): Promise<SweepResult> {
  const started = options.now();
  const run = { pages: 0, seen: 0, produced: 0 };
  const result = await pages(checkpoint, options, async (page) => {
    const selected = selectOrders(page.orders, checkpoint.retailers);
    if (selected.length > 0) {
      const at = options.now();
      const events = selected.map((order) => reconcileEvent(order, context, at));
      const messages = await Promise.all(
        events.map(async (event) => ({
          key: event.key,
          value: await target.encode(event.record),
          headers: event.headers,
        })),
      );
      await target.send(messages);
    }
    // Only after the ack: advance the cursor and the counts.
    if (page.lastCursor !== undefined) checkpoint.after = page.lastCursor;
    checkpoint.pages += 1;
    checkpoint.listed += page.orders.length;
    checkpoint.seen += selected.length;
    checkpoint.produced += selected.length;
    for (const order of selected) {
      const status = order.status ?? '(none)';
      checkpoint.byStatus[status] = (checkpoint.byStatus[status] ?? 0) + 1;
    }
    checkpoint.updatedAt = new Date(options.now()).toISOString();
    if (!page.hasNextPage) checkpoint.status = 'complete';
    await saveCheckpoint(path, checkpoint);
    run.pages += 1;
    run.seen += selected.length;
    run.produced += selected.length;
    options.onPage?.({ ...run });
  });
  return { result, ...run, seconds: Math.max((options.now() - started) / 1000, 0.001) };
}

export interface DryRunScan {
  readonly result: 'complete' | 'interrupted';
  readonly pages: number;
  readonly seen: number;
  readonly byStatus: ReadonlyMap<string, number>;
  /** The first `sample` orders that would be reconciled. */
  readonly samples: readonly ListedOrder[];
  readonly seconds: number;
}

/** Pages through the window as a run would and counts; produces and saves nothing. */
export async function scanSweep(
  window: ReconcileCheckpoint['window'],
  filters: { types: readonly string[]; retailers: readonly string[] },
  options: SweepOptions & { sample: number; onPage?: (progress: SweepProgress) => void },
): Promise<DryRunScan> {
  const started = options.now();
  const byStatus = new Map<string, number>();
  const samples: ListedOrder[] = [];
  const scan = { pages: 0, seen: 0 };
  const cursor = { window, types: filters.types, after: undefined as string | undefined };
  const result = await pages(cursor, options, (page) => {
    const selected = selectOrders(page.orders, filters.retailers);
    for (const order of selected) {
      const status = order.status ?? '(none)';
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      if (samples.length < options.sample) samples.push(order);
    }
    if (page.lastCursor !== undefined) cursor.after = page.lastCursor;
    scan.pages += 1;
    scan.seen += selected.length;
    options.onPage?.({ ...scan, produced: 0 });
    return Promise.resolve();
  });
  return { result, ...scan, byStatus, samples, seconds: Math.max((options.now() - started) / 1000, 0.001) };
}

/**
 * Asks Fluent for the pages after `position.after` until one says there is no next page, handing each to `onPage`
 * before asking for the next (which reads `position.after` again). Stops between pages when the signal is aborted.
 */
async function pages(
  position: {
    readonly window: ReconcileCheckpoint['window'];
    readonly types: readonly string[];
    after?: string | undefined;
  },
  options: SweepOptions,
  onPage: (page: OrdersPage) => Promise<void>,
): Promise<'complete' | 'interrupted'> {
  for (;;) {
    if (options.signal?.aborted) return 'interrupted';
    let page: OrdersPage;
    try {
      page = await options.fluent.page(
        { updatedOn: position.window, types: position.types },
        { first: options.pageSize, after: position.after, signal: options.signal },
      );
    } catch (error) {
      if (options.signal?.aborted) return 'interrupted';
      throw error;
    }
    // A page without edges cannot move the cursor: asking again would loop, whatever hasNextPage says.
    const last = page.orders.length === 0 || !page.hasNextPage;
    await onPage(last ? { ...page, hasNextPage: false } : page);
    if (last) return 'complete';
  }
}
