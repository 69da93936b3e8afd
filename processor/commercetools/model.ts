/**
 * The commercetools order states and update actions the connector writes, typed from @commercetools/platform-sdk
 * (maintained by commercetools) rather than copied by hand. The SDK's enums are open (`… | (string & {})`, so that
 * new members do not break clients); the connector needs the closed lists at run time to validate mapping values,
 * and the compile-time checks below fail the build if a list and the SDK's members ever differ. (The commercetools
 * simulator keeps its own copy on purpose: it is an independent oracle.)
 */
import type {
  OrderChangeOrderStateAction,
  OrderChangePaymentStateAction,
  OrderChangeShipmentStateAction,
  OrderState as SdkOrderState,
  PaymentState as SdkPaymentState,
  ShipmentState as SdkShipmentState,
} from '@commercetools/platform-sdk';

/** The named members of an open SDK enum (drops the `string & {}` escape hatch). */
type Named<T> = T extends unknown ? (string extends T ? never : T) : never;

export type OrderState = Named<SdkOrderState>;
export type PaymentState = Named<SdkPaymentState>;
export type ShipmentState = Named<SdkShipmentState>;

export const ORDER_STATES = ['Open', 'Confirmed', 'Complete', 'Cancelled'] as const satisfies readonly OrderState[];
export const PAYMENT_STATES = [
  'BalanceDue',
  'Failed',
  'Pending',
  'CreditOwed',
  'Paid',
] as const satisfies readonly PaymentState[];
export const SHIPMENT_STATES = [
  'Shipped',
  'Delivered',
  'Ready',
  'Pending',
  'Delayed',
  'Partial',
  'Backorder',
  'Canceled',
] as const satisfies readonly ShipmentState[];

/** `true` only when the list names every member of the SDK enum (`satisfies` above checks the other direction). */
type Complete<Members, Listed> = [Exclude<Members, Listed>] extends [never] ? true : false;
const listsAreComplete: [
  Complete<OrderState, (typeof ORDER_STATES)[number]>,
  Complete<PaymentState, (typeof PAYMENT_STATES)[number]>,
  Complete<ShipmentState, (typeof SHIPMENT_STATES)[number]>,
] = [true, true, true];
void listsAreComplete;

/**
 * An SDK update action in the GraphQL input shape: `{action: 'changeOrderState', orderState}` (HTTP API) becomes
 * `{changeOrderState: {orderState}}` (one field of the `OrderUpdateAction` input type).
 */
export type GraphqlUpdateAction<A extends { readonly action: string }> = {
  readonly [K in A['action']]: Omit<A, 'action'>;
};

/** The three actions the order-status rule writes. */
export type StatusUpdateAction =
  | GraphqlUpdateAction<OrderChangeOrderStateAction>
  | GraphqlUpdateAction<OrderChangePaymentStateAction>
  | GraphqlUpdateAction<OrderChangeShipmentStateAction>;
