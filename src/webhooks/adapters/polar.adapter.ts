import type { IncomingHttpHeaders } from 'node:http';

import { instantFrom } from '../../common/instant.js';
import { Webhook } from 'standardwebhooks';

import {
  arr,
  compact,
  externalIdFromMetadata,
  firstString,
  isRecord,
  type Json,
  mergeMetadata,
  num,
  obj,
  readSignedDeliveryHeaders,
  str,
  verifiedDelivery,
} from './adapter-utils.js';
import {
  type LifecycleEvent,
  type Normalized,
  type ProviderState,
  type StateWrite,
  type VerifiedDelivery,
  type WebhookAdapter,
} from './webhook-adapter.js';

/** What we remember per Polar subscription; Polar sends no previous values, so we diff against this. */
export interface PolarSubscriptionState extends ProviderState {
  status: string | null;
  product_id: string | null;
  price_ids: string[];
  seats: number | null;
  units: number | null;
  amount: number | null;
  /** A subscription-canceled was recorded and the subscription has not been uncanceled since. */
  canceled: boolean;
}

const RECOVERABLE_STATUSES = new Set(['past_due', 'unpaid']);
/** A subscription in one of these, not set to cancel at period end, counts as uncanceled. */
const LIVE_STATUSES = new Set(['active', 'trialing', 'past_due']);

export function subscriptionStateKey(subscriptionId: string): string {
  return `subscription:${subscriptionId}`;
}

/**
 * Polar keys Standard Webhooks with the raw UTF-8 bytes of the whole secret as shown in its
 * dashboard (`whsec_` prefix included): its SDK base64-encodes the string before handing it to
 * `standardwebhooks`, which decodes it back. Passing the secret straight to `new Webhook()` would
 * strip the prefix and base64-decode the rest, a different key.
 */
export function polarWebhook(secret: string): Webhook {
  return new Webhook(Buffer.from(secret, 'utf8').toString('base64'));
}

/**
 * Polar: Standard Webhooks signatures; dedupe on `webhook-id`. Mapping per docs/webhooks.md#polar,
 * made idempotent per provider transition with stored subscription state (docs/webhooks.md#provider-state),
 * because Polar sends the catch-all `subscription.updated` alongside every specific
 * `subscription.*` event, in either order.
 */
export class PolarAdapter implements WebhookAdapter {
  readonly provider = 'polar' as const;

  verify(rawBody: Buffer, headers: IncomingHttpHeaders, secret: string, now: Date = new Date()): VerifiedDelivery {
    const signed = readSignedDeliveryHeaders(headers, ['webhook'], now);
    return verifiedDelivery(rawBody, signed.id, (body) =>
      polarWebhook(secret).verify(
        body,
        { 'webhook-id': signed.id, 'webhook-timestamp': signed.timestamp, 'webhook-signature': signed.signature },
        { jsonParse: false },
      ),
    );
  }

  stateKeys(payload: Record<string, unknown>): string[] {
    const type = str(payload.type) ?? '';
    const subscriptionId = str(obj(payload.data).id);
    return type.startsWith('subscription.') && subscriptionId !== null ? [subscriptionStateKey(subscriptionId)] : [];
  }

  normalize(payload: Record<string, unknown>, state: Map<string, ProviderState>): Normalized {
    const type = str(payload.type) ?? '';
    const data = payload.data;
    if (!isRecord(data)) return ignored(`Polar event ${type} has no data`);

    if (type.startsWith('subscription.')) return subscriptionEvent(payload, type, data, state);

    switch (type) {
      case 'order.refunded':
        return lifecycle(payload, 'refund-issued', data, {
          ...orderProperties(data),
          ...compact({ refunded_amount: num(data.refunded_amount) }),
          // order.refunded fires for partial refunds too; only status `refunded` is the whole order.
          full_refund: data.status === 'refunded',
        });
      case 'order.paid': {
        const billingReason = str(data.billing_reason);
        if (str(data.subscription_id) !== null || billingReason?.startsWith('subscription_')) {
          return ignored(`order.paid for a subscription (billing_reason ${billingReason ?? '(none)'}) is not a purchase`);
        }
        return lifecycle(payload, 'purchase', data, orderProperties(data));
      }
      default:
        return ignored(`Polar event type ${type || '(none)'} is not mapped`);
    }
  }
}

/**
 * Every subscription.* delivery stores the subscription's current state, and the lifecycle event
 * comes either from the event's own name (when that name alone says what happened) or from the
 * stored-to-current transition. Both the catch-all and the specific event derive transitions the
 * same way, so whichever of the pair arrives second sees no change and is ignored. The catch-all
 * never derives what a specific event names on its own (started, canceled, past_due): that event
 * always comes too, and decides alone. This relies on deliveries for one subscription being
 * normalized one after another (read state, normalize, write state), which Polar's in-order
 * delivery gives as long as the service does not process two of them concurrently.
 */
function subscriptionEvent(payload: Json, type: string, data: Json, state: Map<string, ProviderState>): Normalized {
  const subscriptionId = str(data.id);
  const stored = subscriptionId === null ? undefined : toStoredState(state.get(subscriptionStateKey(subscriptionId)));
  const current = currentState(data, stored);

  let decision: { type: LifecycleEvent; extra?: Json } | { ignore: string };
  switch (type) {
    case 'subscription.created':
      decision = { type: 'subscription-started' };
      break;
    case 'subscription.canceled':
    case 'subscription.revoked':
      // An end-of-period cancel sends `canceled` now and `revoked` at period end, an immediate one
      // sends both at once: either way it is one cancellation, recorded once.
      if (stored?.canceled === true) {
        decision = { ignore: `${type}: cancellation already recorded` };
      } else {
        decision = { type: 'subscription-canceled' };
        current.canceled = true;
      }
      break;
    case 'subscription.past_due':
      decision = { type: 'payment-failed' };
      break;
    // Documented names Polar does not send (docs/webhooks.md#mapping); mapped as named, with no state condition.
    case 'subscription.upgraded':
      decision = { type: 'subscription-upgraded', extra: planChange(stored, current) ?? {} };
      break;
    case 'subscription.recovered':
      decision = { type: 'payment-recovered' };
      break;
    case 'subscription.active':
      decision = transition(stored, current) ?? activeWithoutHistory(stored, data, current) ?? {
        ignore: 'subscription.active without a trial conversion or payment recovery',
      };
      break;
    default:
      // subscription.updated (catch-all), .cycled (also a trial's first paid cycle), .uncanceled,
      // .paused, .resumed, and anything Polar adds later.
      decision = stored === undefined
        ? { ignore: `${type} for a subscription with no stored state (nothing to compare)` }
        : transition(stored, current) ?? { ignore: `${type} without a lifecycle change` };
      break;
  }

  const stateWrites: StateWrite[] =
    subscriptionId === null ? [] : [{ key: subscriptionStateKey(subscriptionId), value: current }];
  if ('ignore' in decision) {
    return { outcome: 'ignored', reason: decision.ignore, ...(stateWrites.length > 0 ? { stateWrites } : {}) };
  }
  return lifecycle(payload, decision.type, data, { ...subscriptionProperties(data), ...decision.extra }, stateWrites);
}

/**
 * The lifecycle moments Polar only implies: trialing to active, past_due/unpaid to active, and a
 * changed product, prices, seats or units. A status change wins over a simultaneous plan change.
 */
function transition(
  stored: PolarSubscriptionState | undefined,
  current: PolarSubscriptionState,
): { type: LifecycleEvent; extra?: Json } | null {
  if (stored === undefined) return null;
  if (current.status === 'active' && stored.status === 'trialing') {
    return { type: 'trial-converted', extra: { previous_status: 'trialing' } };
  }
  if (current.status === 'active' && stored.status !== null && RECOVERABLE_STATUSES.has(stored.status)) {
    return { type: 'payment-recovered', extra: { previous_status: stored.status } };
  }
  const change = planChange(stored, current);
  return change === null ? null : { type: 'subscription-upgraded', extra: change };
}

/**
 * `subscription.active` for a subscription we never saw: a set `trial_start` means it was a
 * trial that now pays. Once anything is stored, the stored status decides instead, so a catch-all
 * that already recorded the conversion is not repeated.
 */
function activeWithoutHistory(
  stored: PolarSubscriptionState | undefined,
  data: Json,
  current: PolarSubscriptionState,
): { type: LifecycleEvent } | null {
  if (stored !== undefined || current.status !== 'active' || str(data.trial_start) === null) return null;
  return { type: 'trial-converted' };
}

function planChange(stored: PolarSubscriptionState | undefined, current: PolarSubscriptionState): Json | null {
  if (stored === undefined) return null;
  const changed =
    stored.product_id !== current.product_id ||
    [...stored.price_ids].sort().join(',') !== [...current.price_ids].sort().join(',') ||
    stored.seats !== current.seats ||
    stored.units !== current.units;
  if (!changed) return null;
  const direction =
    stored.amount === null || current.amount === null
      ? null
      : current.amount > stored.amount
        ? 'up'
        : current.amount < stored.amount
          ? 'down'
          : 'same';
  return compact({
    previous_product_id: stored.product_id,
    previous_seats: stored.seats,
    previous_units: stored.units,
    previous_amount: stored.amount,
    direction,
  });
}

function currentState(data: Json, stored: PolarSubscriptionState | undefined): PolarSubscriptionState {
  const status = str(data.status);
  const priceIds = arr(data.prices)
    .map((p) => str(obj(p).id))
    .filter((id): id is string => id !== null);
  // Older payloads carried a single `price_id` instead of `prices[]`.
  const legacyPriceId = str(data.price_id);
  if (priceIds.length === 0 && legacyPriceId !== null) priceIds.push(legacyPriceId);
  const live = status !== null && LIVE_STATUSES.has(status) && data.cancel_at_period_end !== true;
  return {
    status,
    product_id: str(data.product_id) ?? str(obj(data.product).id),
    price_ids: priceIds,
    seats: num(data.seats),
    units: num(data.units),
    amount: num(data.amount),
    // Only a recorded cancellation sets this (see subscriptionEvent); an uncancel clears it.
    canceled: live ? false : (stored?.canceled ?? false),
  };
}

/** Stored state written by an earlier version may lack fields; read it defensively. */
function toStoredState(value: ProviderState | undefined): PolarSubscriptionState | undefined {
  if (value === undefined) return undefined;
  return {
    status: str(value.status),
    product_id: str(value.product_id),
    price_ids: arr(value.price_ids).filter((id): id is string => typeof id === 'string'),
    seats: num(value.seats),
    units: num(value.units),
    amount: num(value.amount),
    canceled: value.canceled === true,
  };
}

function subscriptionProperties(data: Json): Json {
  return compact({
    subscription_id: str(data.id),
    customer_id: customerIdOf(data),
    status: str(data.status),
    product_id: str(data.product_id) ?? str(obj(data.product).id),
    product_name: str(obj(data.product).name),
    price_id: str(obj(arr(data.prices)[0]).id),
    amount: num(data.amount),
    currency: str(data.currency),
    recurring_interval: str(data.recurring_interval),
    seats: num(data.seats),
    units: num(data.units),
    cancel_at_period_end: typeof data.cancel_at_period_end === 'boolean' ? data.cancel_at_period_end : null,
    ends_at: str(data.ends_at),
    cancellation_reason: str(data.customer_cancellation_reason),
  });
}

function orderProperties(data: Json): Json {
  return compact({
    order_id: str(data.id),
    subscription_id: str(data.subscription_id),
    customer_id: customerIdOf(data),
    product_id: str(data.product_id) ?? str(obj(data.product).id),
    product_name: str(obj(data.product).name),
    amount: num(data.total_amount),
    currency: str(data.currency),
    status: str(data.status),
    billing_reason: str(data.billing_reason),
  });
}

function customerIdOf(data: Json): string | null {
  return str(data.customer_id) ?? str(obj(data.customer).id);
}

function lifecycle(payload: Json, type: LifecycleEvent, data: Json, properties: Json, stateWrites?: StateWrite[]): Normalized {
  const customer = obj(data.customer);
  return {
    outcome: 'ok',
    identity: {
      externalId: externalIdFromMetadata(data.metadata) ?? firstString(customer.external_id),
      customerId: customerIdOf(data),
      email: firstString(customer.email),
    },
    attributes: mergeMetadata(data.metadata, customer.metadata),
    event: {
      type,
      properties: { provider: 'polar', provider_event_type: str(payload.type), ...properties },
      occurredAt: instantFrom(payload.timestamp) ?? instantFrom(data.modified_at) ?? new Date(),
    },
    ...(stateWrites && stateWrites.length > 0 ? { stateWrites } : {}),
  };
}

function ignored(reason: string): Normalized {
  return { outcome: 'ignored', reason };
}
