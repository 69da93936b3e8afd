/**
 * Action diff (pure): only the dimensions whose desired state differs from the commercetools order's current state
 * become update actions, so a duplicate or late delivery produces no write (docs/architecture.md, "Processing semantics").
 */
import type { StatusUpdateAction } from '../../commercetools/model.js';
import type { DesiredStates } from './mapping.js';

/** The commercetools states an order currently has (payment/shipment may be unset). */
export interface CurrentStates {
  readonly orderState: string;
  readonly paymentState?: string | null;
  readonly shipmentState?: string | null;
}

/** One GraphQL `OrderUpdateAction` input (exactly one field set). */
export type OrderUpdateAction = Record<string, unknown>;

/** The changing status actions, shaped as the platform SDK's change*State actions (commercetools/model.ts). */
export function statusActions(desired: DesiredStates, current: CurrentStates): StatusUpdateAction[] {
  const actions: StatusUpdateAction[] = [];
  if (desired.orderState !== undefined && desired.orderState !== current.orderState) {
    actions.push({ changeOrderState: { orderState: desired.orderState } });
  }
  if (desired.paymentState !== undefined && desired.paymentState !== current.paymentState) {
    actions.push({ changePaymentState: { paymentState: desired.paymentState } });
  }
  if (desired.shipmentState !== undefined && desired.shipmentState !== current.shipmentState) {
    actions.push({ changeShipmentState: { shipmentState: desired.shipmentState } });
  }
  return actions;
}

/** True when nothing is to be changed in any dimension. */
export function isEmptyDesire(desired: DesiredStates): boolean {
  return desired.orderState === undefined && desired.paymentState === undefined && desired.shipmentState === undefined;
}
