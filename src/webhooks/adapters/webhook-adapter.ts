import type { IncomingHttpHeaders } from 'node:http';

export type WebhookProviderName = 'stripe' | 'polar' | 'clerk';

/** The eight lifecycle moments journeys trigger on (docs/webhooks.md#lifecycle-events); Clerk's user events are not among them. */
export const LIFECYCLE_EVENTS = [
  'subscription-started',
  'trial-converted',
  'subscription-upgraded',
  'subscription-canceled',
  'payment-failed',
  'payment-recovered',
  'refund-issued',
  'purchase',
] as const;
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number];

/** Thrown by `verify` for every signature problem; the guard answers 401 invalid_signature. */
export class InvalidSignatureError extends Error {}
/** Thrown by `verify` for a correctly signed body that is not the provider's JSON: 400. */
export class MalformedPayloadError extends Error {}

export interface VerifiedDelivery {
  /** The provider's event id we dedupe on (Stripe event.id, Polar webhook-id, Clerk svix-id). */
  deliveryId: string;
  /** The parsed JSON body. */
  payload: Record<string, unknown>;
}

/** Provider state kept between deliveries (e.g. last known subscription status), by key. */
export type ProviderState = Record<string, unknown>;

export interface StateWrite {
  key: string;
  value: ProviderState;
}

/** Identity candidates, resolved by the service in docs/webhooks.md#contact-resolution order. */
export interface IdentityCandidates {
  /** From metadata externalId/userId/user_id, then Checkout client_reference_id (Clerk: the user id). */
  externalId: string | null;
  /** The provider's customer id (cus_..., Polar customer id), linked to the contact. */
  customerId: string | null;
  email: string | null;
}

/**
 * What one delivery means for Mara. `ignored` deliveries record no event; they still keep the
 * provider state they carry, and may link a provider customer to a contact (a subscription
 * Checkout's client_reference_id names the user whose customer's later events follow).
 */
export type Normalized =
  | { outcome: 'ignored'; reason: string; stateWrites?: StateWrite[]; link?: IdentityCandidates }
  | {
      outcome: 'ok';
      identity: IdentityCandidates;
      /** Display name to set on the contact (Clerk). */
      name?: string | null;
      /** Provider metadata projected onto the contact (sanitized by the service). */
      attributes: Record<string, unknown>;
      /** The event to record; null records none (Clerk user.updated). */
      event: { type: string; properties: Record<string, unknown>; occurredAt: Date } | null;
      /** Clerk user.deleted: mark the contact so no journey email goes to it. */
      deactivate?: boolean;
      stateWrites?: StateWrite[];
    };

/**
 * One provider: signature verification with the provider's own library, and the mapping of its
 * payloads. A fourth provider is one new file implementing this.
 */
export interface WebhookAdapter {
  readonly provider: WebhookProviderName;
  /**
   * Verifies the raw body against the secret (timestamps older or newer than 300 s refused)
   * and returns the delivery id and parsed body. Throws InvalidSignatureError or
   * MalformedPayloadError. `now` is injectable for tests.
   */
  verify(rawBody: Buffer, headers: IncomingHttpHeaders, secret: string, now?: Date): VerifiedDelivery;
  /** The state keys `normalize` needs for this payload (loaded by the service beforehand). */
  stateKeys(payload: Record<string, unknown>): string[];
  /** Pure mapping of a verified payload, given the stored state for `stateKeys`. */
  normalize(payload: Record<string, unknown>, state: Map<string, ProviderState>): Normalized;
}
