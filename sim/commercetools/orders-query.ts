/**
 * commercetools' `orders(where, sort, limit, offset)` → `OrderQueryResult { offset count total exists results }` as the
 * simulator answers it, project-wide or inside one store: limit default 20, at most 500; offset at most 10,000;
 * `where` in the predicate subset of predicate.ts. Results are in a stable order: the given `sort`, then createdAt,
 * then id (commercetools does not promise an order without `sort`; a stable one keeps offset paging sound).
 *
 * A predicate is evaluated through the store's id and orderNumber indexes (`id in (...)` costs its keys, not a scan),
 * so batched reads stay cheap in benchmarks with large stores.
 */
import { parsePredicate, PredicateError, predicateKeyCount, type Predicate } from './predicate.js';
import { CtStoreError, type CtOrder, type OrderKey } from './store.js';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 500;
export const MAX_OFFSET = 10_000;

export interface OrdersQueryArgs {
  readonly where?: string | null;
  readonly sort?: readonly string[] | null;
  readonly limit?: number | null;
  readonly offset?: number | null;
}

export interface OrderQueryResult {
  readonly offset: number;
  readonly count: number;
  readonly total: number;
  readonly exists: boolean;
  readonly results: CtOrder[];
}

/** What a list query reads: one project's orders, by key or all of them. */
export interface OrderSource {
  find(key: OrderKey): CtOrder | undefined;
  all(): Iterable<CtOrder>;
}

/** The parsed query, ready to run; `keys` is the number of keys its predicate asks for (0 without `where`). */
export interface PreparedOrdersQuery {
  readonly keys: number;
  run(source: OrderSource, storeKey?: string): OrderQueryResult;
}

/** Checks the arguments (a CtStoreError `InvalidInput` for what commercetools refuses) and prepares the query. */
export function prepareOrdersQuery(args: OrdersQueryArgs): PreparedOrdersQuery {
  const limit = bounded('limit', args.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
  const offset = bounded('offset', args.offset ?? 0, MAX_OFFSET);
  const compare = comparator(args.sort ?? []);
  const predicate = args.where == null ? undefined : parse(args.where);
  return {
    keys: predicate ? predicateKeyCount(predicate) : 0,
    run(source, storeKey) {
      const candidates = predicate ? matching(predicate, source) : new Set(source.all());
      const matches = [...candidates].filter((o) => storeKey === undefined || o.storeKey === storeKey).sort(compare);
      const results = matches.slice(offset, offset + limit);
      return { offset, count: results.length, total: matches.length, exists: matches.length > 0, results };
    },
  };
}

function bounded(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new CtStoreError('InvalidInput', `Malformed parameter: ${name}: must be between 0 and ${max}.`);
  }
  return value;
}

function parse(where: string): Predicate {
  try {
    return parsePredicate(where);
  } catch (err) {
    if (err instanceof PredicateError) throw new CtStoreError('InvalidInput', err.message);
    throw err;
  }
}

/** The orders the predicate matches: key lookups, intersected for `and`, united for `or`. */
function matching(predicate: Predicate, source: OrderSource): Set<CtOrder> {
  if (predicate.kind === 'in') {
    const found = predicate.values.map((value) =>
      source.find(predicate.field === 'id' ? { id: value } : { orderNumber: value }),
    );
    return new Set(found.filter((o): o is CtOrder => o !== undefined));
  }
  const sets = predicate.operands.map((p) => matching(p, source));
  if (predicate.kind === 'or') return new Set(sets.flatMap((s) => [...s]));
  const [first, ...rest] = sets;
  return new Set([...first!].filter((o) => rest.every((s) => s.has(o))));
}

const SORTABLE = ['createdAt', 'lastModifiedAt', 'id', 'orderNumber', 'version'] as const;
type SortField = (typeof SORTABLE)[number];

/** `sort` entries like `createdAt desc` (direction optional, default asc), then createdAt, then id. */
function comparator(sort: readonly string[]): (a: CtOrder, b: CtOrder) => number {
  const keys = sort.map((entry) => {
    const m = /^\s*([A-Za-z]+)(?:\s+(asc|desc))?\s*$/i.exec(entry);
    if (!m || !(SORTABLE as readonly string[]).includes(m[1]!)) {
      throw new CtStoreError(
        'InvalidInput',
        `Malformed parameter: sort: '${entry}'; the simulator sorts by ${SORTABLE.join(', ')} (asc|desc).`,
      );
    }
    return { field: m[1] as SortField, sign: m[2]?.toLowerCase() === 'desc' ? -1 : 1 };
  });
  keys.push({ field: 'createdAt', sign: 1 }, { field: 'id', sign: 1 });
  return (a, b) => {
    for (const { field, sign } of keys) {
      const order = compareValues(a[field], b[field]);
      if (order !== 0) return order * sign;
    }
    return 0;
  };
}

/** Nulls (an order without orderNumber) sort first, as the smallest value. */
function compareValues(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}
