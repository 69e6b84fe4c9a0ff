import type { IncomingHttpHeaders } from 'node:http';

import { instantFrom } from '../../common/instant.js';
import Stripe from 'stripe';

import {
  SIGNATURE_TOLERANCE_SECONDS,
  arr,
  assertFresh,
  compact,
  errorMessage,
  externalIdFromMetadata,
  firstString,
  header,
  idOf,
  isoFromEpoch,
  isRecord,
  mergeMetadata,
  num,
  obj,
  str,
  type Json,
} from './adapter-utils.js';
import {
  InvalidSignatureError,
  MalformedPayloadError,
  type LifecycleEvent,
  type Normalized,
  type ProviderState,
  type StateWrite,
  type VerifiedDelivery,
  type WebhookAdapter,
} from './webhook-adapter.js';

const INVOICE_PAID_TYPES = new Set(['invoice.payment_succeeded', 'invoice.paid']);
const PURCHASE_PAYMENT_STATUSES = new Set(['paid', 'no_payment_required']);

/** What we remember per invoice: whether it failed, and whether its recovery was already recorded. */
interface InvoiceState extends ProviderState {
  status: 'failed' | 'recovered';
  attempt_count: number | null;
}

export function invoiceStateKey(invoiceId: string): string {
  return `invoice:${invoiceId}`;
}

/**
 * Stripe: signatures via stripe-node's `webhooks.constructEvent`; mapping per docs/webhooks.md#stripe.
 * Both invoice shapes (before and after API version 2025-03-31.basil) are read
 * field by field rather than by branching on `api_version`, since the old and new paths never
 * coexist on one payload.
 */
export class StripeAdapter implements WebhookAdapter {
  readonly provider = 'stripe' as const;

  // The API key is never used: only the offline webhook helpers are, which need an instance.
  private readonly stripe = new Stripe('sk_test_placeholder');

  verify(rawBody: Buffer, headers: IncomingHttpHeaders, secret: string, now: Date = new Date()): VerifiedDelivery {
    const signatureHeader = header(headers, 'stripe-signature');
    if (signatureHeader === null) throw new InvalidSignatureError('missing stripe-signature header');

    // stripe-node only refuses timestamps that are too old, so the future bound is ours. We read
    // `t` the way stripe-node does (the last `t=` wins) so both checks judge the same timestamp.
    const timestamp = signedTimestamp(signatureHeader);
    if (timestamp === null) throw new InvalidSignatureError('malformed stripe-signature header');
    assertFresh(timestamp, now);

    let event: unknown;
    try {
      // `receivedAt` makes stripe-node's own age check use the injected clock too.
      event = this.stripe.webhooks.constructEvent(
        rawBody,
        signatureHeader,
        secret,
        SIGNATURE_TOLERANCE_SECONDS,
        undefined,
        now.getTime(),
      );
    } catch (err) {
      if (err instanceof Stripe.errors.StripeSignatureVerificationError) {
        throw new InvalidSignatureError(err.message);
      }
      // stripe-node verifies before it parses, so any other failure is about the signed body
      // itself (not JSON, or a v2 "thin" event notification).
      throw new MalformedPayloadError(`signed body is not a Stripe event: ${errorMessage(err)}`);
    }

    if (!isRecord(event)) throw new MalformedPayloadError('body is not a JSON object');
    const id = str(event.id);
    if (id === null) throw new MalformedPayloadError('Stripe event has no "id"');
    if (str(event.type) === null) throw new MalformedPayloadError('Stripe event has no "type"');
    if (!isRecord(obj(event.data).object)) throw new MalformedPayloadError('Stripe event has no "data.object"');
    return { deliveryId: id, payload: event };
  }

  stateKeys(payload: Record<string, unknown>): string[] {
    const type = str(payload.type) ?? '';
    if (type === 'invoice.payment_failed' || INVOICE_PAID_TYPES.has(type)) {
      const invoiceId = str(obj(obj(payload.data).object).id);
      return invoiceId === null ? [] : [invoiceStateKey(invoiceId)];
    }
    return [];
  }

  normalize(payload: Record<string, unknown>, state: Map<string, ProviderState>): Normalized {
    const type = str(payload.type) ?? '';
    const data = obj(payload.data);
    const object = data.object;
    if (!isRecord(object)) return ignored(`Stripe event ${type} has no data.object`);

    switch (type) {
      case 'customer.subscription.created':
        return lifecycle(payload, 'subscription-started', object, subscriptionProperties(object));
      case 'customer.subscription.deleted':
        return lifecycle(payload, 'subscription-canceled', object, {
          ...subscriptionProperties(object),
          ...compact({
            cancellation_reason: str(obj(object.cancellation_details).reason),
            canceled_at: isoFromEpoch(object.canceled_at),
          }),
        });
      case 'customer.subscription.updated':
        return subscriptionUpdated(payload, object, obj(data.previous_attributes));
      case 'invoice.payment_failed':
        return invoiceFailed(payload, object);
      case 'invoice.payment_succeeded':
      case 'invoice.paid':
        return invoicePaid(payload, object, state);
      case 'charge.refunded':
        return lifecycle(payload, 'refund-issued', object, {
          ...compact({
            charge_id: str(object.id),
            payment_intent_id: idOf(object.payment_intent),
            customer_id: idOf(object.customer),
            amount: num(object.amount),
            amount_refunded: num(object.amount_refunded),
            currency: str(object.currency),
          }),
          // `refunded` is true only once the whole charge is refunded; anything less is partial.
          full_refund: object.refunded === true,
        });
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded':
        return checkoutCompleted(payload, object);
      default:
        return ignored(`Stripe event type ${type || '(none)'} is not mapped`);
    }
  }
}

function subscriptionUpdated(payload: Json, subscription: Json, previous: Json): Normalized {
  const base = subscriptionProperties(subscription);
  // A plan change at the moment the trial ends is still, above all, the conversion.
  if (previous.status === 'trialing' && subscription.status === 'active') {
    return lifecycle(payload, 'trial-converted', subscription, { ...base, previous_status: 'trialing' });
  }
  const change = itemsChange(subscription, previous);
  if (change !== null) {
    return lifecycle(payload, 'subscription-upgraded', subscription, { ...base, ...change });
  }
  return ignored('customer.subscription.updated without a trial conversion or plan/quantity change');
}

/**
 * Compares the (price id, quantity) multisets before and after. `previous_attributes.items` also
 * appears on every period roll (each item's current_period_* moves on basil+), so its presence
 * alone means nothing. Very old single-plan payloads report `plan`/`quantity` at the top level.
 */
function itemsChange(subscription: Json, previous: Json): Json | null {
  const current = itemRows(subscription);
  let changed = false;
  let before: ItemRow[] = [];

  if (isRecord(previous.items)) {
    before = itemRows(previous);
    changed = signature(before) !== signature(current);
  }
  if (!changed && 'plan' in previous) {
    const oldPlan = idOf(previous.plan);
    const newPlan = idOf(subscription.plan);
    if (oldPlan !== newPlan) {
      changed = true;
      before = [{ priceId: oldPlan, quantity: num(previous.quantity) ?? num(subscription.quantity), unitAmount: num(obj(previous.plan).amount) }];
    }
  }
  if (!changed && 'quantity' in previous && num(previous.quantity) !== num(subscription.quantity)) {
    changed = true;
    before = [{ priceId: idOf(subscription.plan), quantity: num(previous.quantity), unitAmount: num(obj(subscription.plan).amount) }];
  }
  if (!changed) return null;

  const prevAmount = totalAmount(before);
  const newAmount = totalAmount(current);
  return compact({
    previous_price_id: before[0]?.priceId,
    previous_quantity: before[0]?.quantity,
    previous_amount: prevAmount,
    new_amount: newAmount,
    direction:
      prevAmount === null || newAmount === null ? null : newAmount > prevAmount ? 'up' : newAmount < prevAmount ? 'down' : 'same',
  });
}

interface ItemRow {
  priceId: string | null;
  quantity: number | null;
  unitAmount: number | null;
}

function itemRows(subscriptionLike: Json): ItemRow[] {
  const items = arr(obj(subscriptionLike.items).data);
  if (items.length === 0 && subscriptionLike.plan !== undefined) {
    const plan = obj(subscriptionLike.plan);
    return [{ priceId: idOf(subscriptionLike.plan), quantity: num(subscriptionLike.quantity), unitAmount: num(plan.amount) }];
  }
  return items.map((raw) => {
    const item = obj(raw);
    const price = obj(item.price);
    return {
      priceId: idOf(item.price) ?? idOf(item.plan),
      quantity: num(item.quantity),
      unitAmount: num(price.unit_amount) ?? num(obj(item.plan).amount),
    };
  });
}

function signature(rows: ItemRow[]): string {
  return rows
    .map((r) => `${r.priceId ?? '?'}x${r.quantity ?? '?'}`)
    .sort()
    .join(',');
}

/** Sum of unit price times quantity, or null when some item is metered or lacks an amount. */
function totalAmount(rows: ItemRow[]): number | null {
  if (rows.length === 0) return null;
  let total = 0;
  for (const row of rows) {
    if (row.unitAmount === null) return null;
    total += row.unitAmount * (row.quantity ?? 1);
  }
  return total;
}

function subscriptionProperties(subscription: Json): Json {
  const first = obj(arr(obj(subscription.items).data)[0]);
  const price = obj(first.price);
  return compact({
    subscription_id: str(subscription.id),
    customer_id: idOf(subscription.customer),
    status: str(subscription.status),
    price_id: idOf(first.price) ?? idOf(first.plan) ?? idOf(subscription.plan),
    product_id: idOf(price.product) ?? idOf(obj(first.plan).product),
    quantity: num(first.quantity) ?? num(subscription.quantity),
    interval: str(obj(price.recurring).interval) ?? str(obj(first.plan).interval),
    currency: str(subscription.currency) ?? str(price.currency),
    trial_end: isoFromEpoch(subscription.trial_end),
    cancel_at_period_end: typeof subscription.cancel_at_period_end === 'boolean' ? subscription.cancel_at_period_end : null,
  });
}

/** basil+ moved the subscription link under `parent`; older versions have it at the top. */
function invoiceSubscriptionId(invoice: Json): string | null {
  const lineParent = obj(obj(arr(obj(invoice.lines).data)[0]).parent);
  return (
    idOf(obj(obj(invoice.parent).subscription_details).subscription) ??
    idOf(invoice.subscription) ??
    idOf(obj(lineParent.subscription_item_details).subscription)
  );
}

function invoiceProperties(invoice: Json, amount: unknown): Json {
  return compact({
    invoice_id: str(invoice.id),
    subscription_id: invoiceSubscriptionId(invoice),
    customer_id: idOf(invoice.customer),
    amount: num(amount),
    currency: str(invoice.currency),
    status: str(invoice.status),
    billing_reason: str(invoice.billing_reason),
    attempt_count: num(invoice.attempt_count),
    hosted_invoice_url: str(invoice.hosted_invoice_url),
  });
}

function invoiceFailed(payload: Json, invoice: Json): Normalized {
  const invoiceId = str(invoice.id);
  const write: StateWrite[] =
    invoiceId === null
      ? []
      : [{ key: invoiceStateKey(invoiceId), value: { status: 'failed', attempt_count: num(invoice.attempt_count) } satisfies InvoiceState }];
  return lifecycle(
    payload,
    'payment-failed',
    invoice,
    { ...invoiceProperties(invoice, invoice.amount_due), ...compact({ next_payment_attempt: isoFromEpoch(invoice.next_payment_attempt) }) },
    write,
  );
}

/**
 * A success recovers the invoice when we saw it fail, or when Stripe needed more than one
 * automatic attempt (the failure may predate this connector). Stripe sends both
 * invoice.payment_succeeded and invoice.paid for one payment, so the recovery is remembered and
 * the second of the pair is ignored.
 */
function invoicePaid(payload: Json, invoice: Json, state: Map<string, ProviderState>): Normalized {
  const invoiceId = str(invoice.id);
  const stored = invoiceId === null ? undefined : state.get(invoiceStateKey(invoiceId));
  if (stored?.status === 'recovered') return ignored('invoice recovery already recorded');

  const attempts = num(invoice.attempt_count) ?? 0;
  const failedBefore = stored?.status === 'failed';
  if (!failedBefore && attempts <= 1) return ignored('first-attempt invoice payment (not a recovery)');

  const write: StateWrite[] =
    invoiceId === null ? [] : [{ key: invoiceStateKey(invoiceId), value: { status: 'recovered', attempt_count: num(invoice.attempt_count) } satisfies InvoiceState }];
  return lifecycle(
    payload,
    'payment-recovered',
    invoice,
    { ...invoiceProperties(invoice, invoice.amount_paid), recovered_by: failedBefore ? 'failed_invoice_seen' : 'attempt_count' },
    write,
  );
}

function checkoutCompleted(payload: Json, session: Json): Normalized {
  const mode = str(session.mode);
  if (mode !== 'payment') {
    // Subscription checkouts reach us again as customer.subscription.* and invoice.* events; the
    // session still tells which user the customer is, so later events attach to that contact.
    const link = identityOf(session);
    return {
      ...ignored(`checkout.session mode=${mode ?? '(none)'} is not a one-time purchase`),
      ...(link.customerId && (link.externalId || link.email) ? { link } : {}),
    };
  }
  const paymentStatus = str(session.payment_status);
  if (paymentStatus === null || !PURCHASE_PAYMENT_STATUSES.has(paymentStatus)) {
    // Delayed methods complete the session unpaid; checkout.session.async_payment_succeeded follows.
    return ignored(`checkout.session payment_status=${paymentStatus ?? '(none)'} is not paid yet`);
  }
  return lifecycle(
    payload,
    'purchase',
    session,
    compact({
      checkout_session_id: str(session.id),
      payment_intent_id: idOf(session.payment_intent),
      customer_id: idOf(session.customer),
      amount: num(session.amount_total),
      currency: str(session.currency),
      payment_status: paymentStatus,
    }),
  );
}

/** Identity candidates of docs/webhooks.md#contact-resolution, read from whichever object the event carries. */
function identityOf(object: Json): { externalId: string | null; customerId: string | null; email: string | null } {
  const subscriptionDetails = obj(obj(object.parent).subscription_details);
  const customer = object.customer;
  return {
    externalId:
      externalIdFromMetadata(object.metadata, subscriptionDetails.metadata, obj(object.subscription_details).metadata) ??
      firstString(object.client_reference_id),
    customerId: idOf(customer),
    email: firstString(
      object.customer_email,
      obj(object.customer_details).email,
      obj(object.billing_details).email,
      object.receipt_email,
      isRecord(customer) ? customer.email : null,
    ),
  };
}

function attributesOf(object: Json): Json {
  return mergeMetadata(
    object.metadata,
    obj(obj(object.parent).subscription_details).metadata,
    obj(object.subscription_details).metadata,
  );
}

function lifecycle(payload: Json, type: LifecycleEvent, object: Json, properties: Json, stateWrites?: StateWrite[]): Normalized {
  return {
    outcome: 'ok',
    identity: identityOf(object),
    attributes: attributesOf(object),
    event: {
      type,
      properties: { provider: 'stripe', provider_event_type: str(payload.type), ...properties },
      occurredAt: instantFrom(payload.created) ?? new Date(),
    },
    ...(stateWrites && stateWrites.length > 0 ? { stateWrites } : {}),
  };
}

function ignored(reason: string): Normalized {
  return { outcome: 'ignored', reason };
}

/** `t` from `t=<unix>,v1=...`, parsed as stripe-node parses it, or null when absent. */
function signedTimestamp(signatureHeader: string): number | null {
  let timestamp: number | null = null;
  for (const part of signatureHeader.split(',')) {
    const [key, value] = part.split('=');
    if (key === 't') {
      const parsed = Number.parseInt(value ?? '', 10);
      timestamp = Number.isNaN(parsed) ? null : parsed;
    }
  }
  return timestamp;
}
