/**
 * What commercetools must show once the chaos is over, given which webhooks Fluent got a 200 for.
 *
 * The handler applies the status Fluent reports *now*, so processing any accepted webhook of an order moves it to
 * the status of that webhook or a later one. Hence:
 * - the order's last webhook was accepted → its states must be exactly what `looseMismatches()` allows for the full
 *   scenario (the final Fluent status);
 * - otherwise (Fluent gave up on the last webhook(s) and would alert) → the states must match the scenario cut at
 *   some status between the last accepted one and the final one (or the initial states when none was accepted).
 */
import { INITIAL_STATES, looseMismatches, type OrderScenario, type States } from '../../../sim/scenario.js';
import type { DeliveryRecord } from './pipeline-run.js';

export interface OracleReport {
  /** Orders whose last webhook got a 200 (checked strictly). */
  readonly strict: number;
  /** Orders whose last webhook Fluent gave up on (checked against the accepted prefix). */
  readonly partial: number;
  readonly problems: string[];
}

export function acceptedIndexes(deliveries: readonly DeliveryRecord[]): Map<string, Set<number>> {
  const result = new Map<string, Set<number>>();
  for (const d of deliveries) {
    if (!d.accepted) continue;
    const set = result.get(d.ref) ?? new Set<number>();
    set.add(d.index);
    result.set(d.ref, set);
  }
  return result;
}

export function checkOrders(
  scenarios: readonly OrderScenario[],
  deliveries: readonly DeliveryRecord[],
  statesOf: (ref: string) => States | undefined,
): OracleReport {
  const accepted = acceptedIndexes(deliveries);
  const problems: string[] = [];
  let strict = 0;
  let partial = 0;
  for (const scenario of scenarios) {
    const indexes = accepted.get(scenario.ref) ?? new Set<number>();
    const last = scenario.statuses.length - 1;
    if (indexes.has(last)) {
      strict++;
      problems.push(...looseMismatches([scenario], statesOf));
      continue;
    }
    partial++;
    const lowest = Math.max(-1, ...indexes);
    const states = statesOf(scenario.ref);
    const initial =
      lowest === -1 &&
      states !== undefined &&
      (Object.keys(INITIAL_STATES) as (keyof States)[]).every((d) => states[d] === INITIAL_STATES[d]);
    let ok = initial;
    for (let k = Math.max(0, lowest); !ok && k <= last; k++) {
      ok = looseMismatches([{ ...scenario, statuses: scenario.statuses.slice(0, k + 1) }], statesOf).length === 0;
    }
    if (!ok) {
      problems.push(
        `${scenario.ref}: last accepted status #${lowest} (${scenario.statuses[lowest] ?? 'none'}), final ${scenario.statuses[last]}, ` +
          `commercetools shows ${JSON.stringify(states)}`,
      );
    }
  }
  return { strict, partial, problems };
}
