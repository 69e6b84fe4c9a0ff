import type { IncomingHttpHeaders } from 'node:http';

import { instantFrom } from '../../common/instant.js';
import { put } from '../../common/json-object.js';
import { Webhook } from 'svix';

import {
  arr,
  isRecord,
  type Json,
  obj,
  readSignedDeliveryHeaders,
  str,
  verifiedDelivery,
} from './adapter-utils.js';
import {
  type Normalized,
  type ProviderState,
  type VerifiedDelivery,
  type WebhookAdapter,
} from './webhook-adapter.js';

/**
 * Clerk (delivered by Svix): signatures via the `svix` library; dedupe on `svix-id`. The contact
 * is keyed by the Clerk user id. Only `public_metadata` is read: `private_metadata` is for the
 * backend alone and `unsafe_metadata` is writable by the end user from the browser.
 */
export class ClerkAdapter implements WebhookAdapter {
  readonly provider = 'clerk' as const;

  verify(rawBody: Buffer, headers: IncomingHttpHeaders, secret: string, now: Date = new Date()): VerifiedDelivery {
    // Svix sends `svix-*`; its library also accepts the Standard Webhooks `webhook-*` names.
    const signed = readSignedDeliveryHeaders(headers, ['svix', 'webhook'], now);
    // The constructor throws too for a secret that is not `whsec_<base64>`: still a 401.
    return verifiedDelivery(rawBody, signed.id, (body) =>
      new Webhook(secret).verify(body, {
        'svix-id': signed.id,
        'svix-timestamp': signed.timestamp,
        'svix-signature': signed.signature,
      }),
    );
  }

  stateKeys(_payload: Record<string, unknown>): string[] {
    return [];
  }

  normalize(payload: Record<string, unknown>, _state: Map<string, ProviderState>): Normalized {
    const type = str(payload.type) ?? '';
    const data = payload.data;

    switch (type) {
      case 'user.created':
      case 'user.updated': {
        if (!isRecord(data) || str(data.id) === null) return ignored(`${type} without a user id`);
        return {
          outcome: 'ok',
          identity: { externalId: str(data.id), customerId: null, email: primaryEmail(data) },
          name: displayName(data),
          attributes: userAttributes(data),
          // An update only refreshes the contact; it is not a moment journeys start from.
          event: type === 'user.created' ? userEvent(payload, data) : null,
        };
      }
      case 'user.deleted': {
        if (!isRecord(data)) return ignored('user.deleted without data');
        // The deleted-user payload has no email or metadata: the id is all there is.
        return {
          outcome: 'ok',
          identity: { externalId: str(data.id), customerId: null, email: null },
          attributes: {},
          event: userEvent(payload, data),
          deactivate: true,
        };
      }
      default:
        return ignored(`Clerk event type ${type || '(none)'} is not mapped`);
    }
  }
}

/** The address whose id is `primary_email_address_id`; phone-only users have none. */
function primaryEmail(user: Json): string | null {
  const primaryId = str(user.primary_email_address_id);
  if (primaryId === null) return null;
  const match = arr(user.email_addresses).find((e) => obj(e).id === primaryId);
  return str(obj(match).email_address)?.trim() ?? null;
}

function displayName(user: Json): string | null {
  const name = [str(user.first_name), str(user.last_name)]
    .filter((part): part is string => part !== null)
    .map((part) => part.trim())
    .join(' ')
    .trim();
  return name === '' ? null : name;
}

/** Clerk's own profile fields first, so a public_metadata key cannot shadow them. */
function userAttributes(user: Json): Json {
  const attributes: Json = {
    username: str(user.username),
    avatar_url: str(user.image_url),
  };
  for (const [key, value] of Object.entries(obj(user.public_metadata))) {
    if (!Object.hasOwn(attributes, key)) put(attributes, key, value);
  }
  return attributes;
}

function userEvent(payload: Json, user: Json): { type: string; properties: Json; occurredAt: Date } {
  const properties: Json = { provider: 'clerk', provider_event_type: str(payload.type) };
  const userId = str(user.id);
  if (userId !== null) properties.user_id = userId;
  return {
    type: str(payload.type) ?? 'user.unknown',
    properties,
    // Clerk documents its envelope timestamp in milliseconds; one sent in seconds reads as seconds.
    occurredAt: instantFrom(payload.timestamp) ?? instantFrom(user.updated_at) ?? new Date(),
  };
}

function ignored(reason: string): Normalized {
  return { outcome: 'ignored', reason };
}
