/** The example mappings documented in docs/architecture.md, "Fluent" (note the lower-case payment values), parsed. */
import {
  parseStatusMapping,
  settingNames,
  type StatusMappings,
} from '../../../../../../processor/handlers/order-status/mapping.js';

const ORDER_MAPPING = {
  fluent: {
    RECEIVED: 'Open',
    PENDING_PAYMENT: 'Open',
    ESCALATED: 'Open',
    BOOKED: 'Confirmed',
    PICK_PACK: 'Confirmed',
    PICK_PACK_CC: 'Confirmed',
    AWAITING_COURIER_COLLECTION: 'Confirmed',
    AWAITING_CUSTOMER_COLLECTION: 'Confirmed',
    COMPLETE: 'Complete',
    CANCELLED: 'Cancelled',
  },
};
const PAYMENT_MAPPING = { fluent: { RECEIVED: 'pending', PENDING_PAYMENT: 'pending', BOOKED: 'paid' } };
const SHIPPING_MAPPING = {
  fluent: {
    RECEIVED: 'Pending',
    BOOKED: 'Pending',
    PICK_PACK: 'Pending',
    AWAITING_COURIER_COLLECTION: 'Shipped',
    COMPLETE: 'Shipped',
  },
};

const names = settingNames('commercetools');
export const documented: StatusMappings = {
  orderState: parseStatusMapping(names.orderState, 'orderState', ORDER_MAPPING),
  paymentState: parseStatusMapping(names.paymentState, 'paymentState', PAYMENT_MAPPING),
  shipmentState: parseStatusMapping(names.shipmentState, 'shipmentState', SHIPPING_MAPPING),
};
