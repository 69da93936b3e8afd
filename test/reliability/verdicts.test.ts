/**
 * The chaos verdict helpers are pure: these cases show they catch what they must (a regression, a lost accepted
 * webhook) and accept what is legitimate (a final webhook Fluent gave up on), so a green chaos run means something.
 */
import { describe, expect, it } from 'vitest';
import type { OrderScenario, States } from '../../sim/scenario.js';
import type { DeliveryRecord } from './support/pipeline-run.js';
import { checkOrders } from './support/oracle.js';
import { byLabel, InstanceScrapes, parsePrometheus, sumOf } from './support/prometheus.js';
import { regressions, type HistoryEntry } from './support/regression.js';

const entry = (
  version: number,
  orderState: string,
  paymentState: string | null = null,
  shipmentState: string | null = null,
): HistoryEntry => ({
  version,
  source: version === 1 ? 'create' : 'update',
  orderState,
  paymentState,
  shipmentState,
});

describe('regressions', () => {
  it('accepts forward moves and repeated states', () => {
    expect(
      regressions('O', [
        entry(1, 'Open'),
        entry(2, 'Open', 'Pending', 'Pending'),
        entry(3, 'Confirmed', 'Paid', 'Pending'),
        entry(4, 'Confirmed', 'Paid', 'Pending'),
        entry(5, 'Complete', 'Paid', 'Shipped'),
      ]),
    ).toEqual([]);
  });

  it('reports a step back in any dimension, leaving a terminal state, and unknown values', () => {
    expect(regressions('O', [entry(1, 'Confirmed'), entry(2, 'Open')])).toHaveLength(1);
    expect(regressions('O', [entry(1, 'Open', 'Paid'), entry(2, 'Open', 'Pending')])).toHaveLength(1);
    expect(regressions('O', [entry(1, 'Open', null, 'Shipped'), entry(2, 'Open', null, null)])).toHaveLength(1);
    expect(regressions('O', [entry(1, 'Cancelled'), entry(2, 'Complete')])).toEqual([
      'O v1→v2 (update): orderState left terminal Cancelled for Complete',
    ]);
    expect(regressions('O', [entry(1, 'Open', 'Failed')])).toHaveLength(1);
  });
});

describe('checkOrders', () => {
  const scenario: OrderScenario = { id: '1', ref: 'O_1', statuses: ['RECEIVED', 'BOOKED', 'COMPLETE'] };
  const delivery = (index: number, accepted: boolean): DeliveryRecord => ({
    ref: 'O_1',
    index,
    status: scenario.statuses[index]!,
    eventId: String(index),
    kind: 'first',
    httpStatus: accepted ? 200 : 503,
    accepted,
    attempts: 1,
    lastError: undefined,
  });
  const complete: States = { orderState: 'Complete', paymentState: 'Paid', shipmentState: 'Shipped' };
  const booked: States = { orderState: 'Confirmed', paymentState: 'Paid', shipmentState: 'Pending' };

  it('requires the final state when the last webhook was accepted', () => {
    const all = [delivery(0, true), delivery(1, true), delivery(2, true)];
    expect(checkOrders([scenario], all, () => complete).problems).toEqual([]);
    expect(checkOrders([scenario], all, () => booked).problems).toHaveLength(2); // orderState and shipmentState
    expect(checkOrders([scenario], all, () => undefined).problems).toHaveLength(1);
  });

  it('allows any state from the last accepted status on when Fluent gave up on the last one', () => {
    const partial = [delivery(0, true), delivery(1, true), delivery(2, false)];
    expect(checkOrders([scenario], partial, () => booked)).toMatchObject({ partial: 1, problems: [] });
    expect(checkOrders([scenario], partial, () => complete).problems).toEqual([]);
    const open: States = { orderState: 'Open', paymentState: 'Pending', shipmentState: 'Pending' };
    expect(checkOrders([scenario], partial, () => open).problems).toHaveLength(1);
  });
});

describe('prometheus', () => {
  const text = [
    '# HELP fc_ingress_requests_total x',
    'fc_ingress_requests_total{outcome="accepted"} 10',
    'fc_ingress_requests_total{outcome="duplicate"} 3',
    'fc_processor_retries_total{tier="1"} 2',
    'process_resident_memory_bytes 1234',
  ].join('\n');

  it('sums by label and across process instances', () => {
    const samples = parsePrometheus(text);
    expect(sumOf(samples, 'fc_ingress_requests_total')).toBe(13);
    expect(sumOf(samples, 'fc_ingress_requests_total', { outcome: 'duplicate' })).toBe(3);
    expect(byLabel(samples, 'fc_processor_retries_total', 'tier')).toEqual({ '1': 2 });
    const scrapes = new InstanceScrapes();
    scrapes.record('a', samples);
    scrapes.record('a', samples); // the last scrape of an instance replaces the earlier one
    scrapes.record('b', samples);
    expect(sumOf(scrapes.all(), 'fc_ingress_requests_total', { outcome: 'accepted' })).toBe(20);
  });
});
