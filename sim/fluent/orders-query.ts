/**
 * Fluent's `orders` search as the simulator answers it (docs/architecture.md, "Fluent"): list filters (`ref`, `type`,
 * `status`, any of the values), `createdOn` / `updatedOn` DateRanges with both bounds inclusive, a Relay connection
 * with `edges { cursor node }` and `pageInfo { hasNextPage hasPreviousPage }` (no end cursor: the next page starts
 * after the last edge's cursor), 10 results without `first`, `first` at most 5,000.
 *
 * Order: newest order first (id descending), and the cursor names the order it stands on (a keyset cursor), so an
 * order leaving the result set between two pages (updated past the range's `to` during a sweep) shifts nothing: every
 * order still matching is returned exactly once. Fluent does not document how its cursors behave under concurrent
 * updates; the reconcile command does not rely on more than this (cli/README.md, "Design notes").
 */
import type { FluentOrder } from './store.js';

export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 5_000;

export interface DateRange {
  readonly from?: string | null;
  readonly to?: string | null;
}

export interface OrdersQuery {
  readonly ref?: readonly (string | null)[] | null;
  readonly type?: readonly (string | null)[] | null;
  readonly status?: readonly (string | null)[] | null;
  readonly createdOn?: DateRange | null;
  readonly updatedOn?: DateRange | null;
  readonly first?: number | null;
  readonly after?: string | null;
  readonly last?: number | null;
  readonly before?: string | null;
}

export interface OrderConnection {
  readonly edges: { readonly cursor: string; readonly node: FluentOrder }[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly hasPreviousPage: boolean };
}

/** A query Fluent would refuse; the server answers it as a GraphQL error. */
export class OrdersQueryError extends Error {}

/** The page of `orders` matching `query`. `orders` is read, never changed. */
export function queryOrders(orders: Iterable<FluentOrder>, query: OrdersQuery): OrderConnection {
  if (query.last != null || query.before != null) {
    throw new OrdersQueryError('the simulator pages forward only (first/after)');
  }
  const first = query.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new OrdersQueryError(`first must be between 0 and ${MAX_PAGE_SIZE}`);
  }
  const matches = matcher(query);
  const after = query.after == null ? undefined : decodeCursor(query.after);
  const sorted = [...orders].filter(matches).sort(newestFirst);
  const start = after === undefined ? 0 : sorted.findIndex((order) => newestFirst(order, after) > 0);
  const rest = start < 0 ? [] : sorted.slice(start);
  const page = rest.slice(0, first);
  return {
    edges: page.map((node) => ({ cursor: encodeCursor(node), node })),
    pageInfo: { hasNextPage: rest.length > page.length, hasPreviousPage: after !== undefined },
  };
}

function matcher(query: OrdersQuery): (order: FluentOrder) => boolean {
  const refs = listFilter(query.ref);
  const types = listFilter(query.type);
  const statuses = listFilter(query.status);
  const created = rangeFilter(query.createdOn, 'createdOn');
  const updated = rangeFilter(query.updatedOn, 'updatedOn');
  return (order) =>
    (!refs || refs.has(order.ref)) &&
    (!types || types.has(order.type)) &&
    (!statuses || statuses.has(order.status)) &&
    created(order.createdOn) &&
    updated(order.updatedOn);
}

function listFilter(values: readonly (string | null)[] | null | undefined): Set<string> | undefined {
  const kept = (values ?? []).filter((v): v is string => typeof v === 'string');
  return values == null ? undefined : new Set(kept);
}

/** Both bounds inclusive, compared as instants (any ISO 8601 offset). */
function rangeFilter(range: DateRange | null | undefined, field: string): (value: string) => boolean {
  const from = instant(range?.from, `${field}.from`);
  const to = instant(range?.to, `${field}.to`);
  return (value) => {
    const at = Date.parse(value);
    return (from === undefined || at >= from) && (to === undefined || at <= to);
  };
}

function instant(value: string | null | undefined, name: string): number | undefined {
  if (value == null) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new OrdersQueryError(`${name} is not a DateTime: ${value}`);
  return at;
}

/** Ids are numeric in Fluent; a larger id is a newer order. Ties (non-numeric ids) fall back to text order. */
function newestFirst(a: Pick<FluentOrder, 'id'>, b: Pick<FluentOrder, 'id'>): number {
  const byNumber = Number(b.id) - Number(a.id);
  if (Number.isFinite(byNumber) && byNumber !== 0) return byNumber;
  return b.id < a.id ? -1 : b.id > a.id ? 1 : 0;
}

function encodeCursor(order: FluentOrder): string {
  return Buffer.from(`order:${order.id}`).toString('base64');
}

function decodeCursor(cursor: string): Pick<FluentOrder, 'id'> {
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  if (!text.startsWith('order:')) throw new OrdersQueryError(`after is not a cursor of this query: ${cursor}`);
  return { id: text.slice('order:'.length) };
}
