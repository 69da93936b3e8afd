/**
 * "No order regressed at any observed point", defined precisely over the commercetools simulator's per-order history
 * (every state change, oldest first):
 *
 * - orderState follows the lifecycle Open < Confirmed < {Complete, Cancelled}: its rank never decreases between two
 *   consecutive history entries, and once an order is Complete or Cancelled it never changes again (not even between
 *   the two terminal states).
 * - paymentState (null < Pending < Paid) and shipmentState (null < Pending < Shipped) never decrease either: the
 *   example mappings (docs/architecture.md, "Fluent") only ever move a Fluent order forward through them, so a step back can only come
 *   from a stale write (a late retry or duplicate applying an older status).
 *
 * Values outside these ladders (none are produced by the example mappings) are reported as regressions too, so a
 * mapping bug cannot hide here.
 */

export interface HistoryEntry {
  readonly version: number;
  readonly source: string;
  readonly orderState: string | null;
  readonly paymentState: string | null;
  readonly shipmentState: string | null;
}

const ORDER_RANK: Readonly<Record<string, number>> = { Open: 0, Confirmed: 1, Complete: 2, Cancelled: 2 };
const PAYMENT_RANK: Readonly<Record<string, number>> = { Pending: 1, Paid: 2 };
const SHIPMENT_RANK: Readonly<Record<string, number>> = { Pending: 1, Shipped: 2 };
const TERMINAL = new Set(['Complete', 'Cancelled']);

function rank(ladder: Readonly<Record<string, number>>, value: string | null): number | undefined {
  return value === null ? 0 : ladder[value];
}

/** Describes each regression in one order's history (empty when it only moved forward). */
export function regressions(ref: string, history: readonly HistoryEntry[]): string[] {
  const problems: string[] = [];
  const dims = [
    ['orderState', ORDER_RANK],
    ['paymentState', PAYMENT_RANK],
    ['shipmentState', SHIPMENT_RANK],
  ] as const;
  for (let i = 0; i < history.length; i++) {
    const current = history[i]!;
    for (const [dim, ladder] of dims) {
      if (rank(ladder, current[dim]) === undefined)
        problems.push(`${ref} v${current.version}: unexpected ${dim}=${current[dim]}`);
    }
    if (i === 0) continue;
    const previous = history[i - 1]!;
    const where = `${ref} v${previous.version}→v${current.version} (${current.source})`;
    if (previous.orderState && TERMINAL.has(previous.orderState) && current.orderState !== previous.orderState) {
      problems.push(`${where}: orderState left terminal ${previous.orderState} for ${current.orderState}`);
    }
    for (const [dim, ladder] of dims) {
      const before = rank(ladder, previous[dim]);
      const after = rank(ladder, current[dim]);
      if (before !== undefined && after !== undefined && after < before) {
        problems.push(`${where}: ${dim} went back ${previous[dim]} → ${current[dim]}`);
      }
    }
  }
  return problems;
}
