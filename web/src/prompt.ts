/**
 * The ready-made prompt of Settings → Integrations → Events API: everything a coding agent needs
 * to wire a product to this tenant's Events API, with the endpoint filled in.
 */
export function codingAgentPrompt(options: { eventsUrl: string; signupEventType: string | null; docsUrl: string }): string {
  const signup = options.signupEventType ?? 'user.signed_up';
  return `Integrate this product with Mara's Events API (a lifecycle email platform), server-side only.

Endpoint: POST ${options.eventsUrl}
Headers: Content-Type: application/json; Authorization: Bearer $MARA_INGESTION_KEY
Reference: ${options.docsUrl} (OpenAPI, every route and error)

Configuration
- Read the endpoint from MARA_EVENTS_URL (value: ${options.eventsUrl}) and the key from MARA_INGESTION_KEY.
- The key starts with mara_ing_. It is a server-to-server secret: never hardcode it, never send it to a browser or a mobile client.

Request body
- One operation, or {"batch": [...]} with 1 to 100 operations (a batch counts as one request).
- identify upserts a contact and never fires a journey:
  {"type": "identify", "userId": "u_42", "email": "ada@example.com", "name": "Ada", "traits": {"plan": "starter"}}
- track records an event against a contact and fires matching journeys:
  {"type": "track", "event": "${signup}", "userId": "u_42", "properties": {"plan": "starter"}, "timestamp": "2025-01-01T12:00:00Z", "messageId": "signup-u_42"}
- traits and properties: flat scalars only (strings, numbers, booleans, null); nested objects and arrays are dropped, and so are secret-looking keys (password, token, secret, api key...).

Identity rules
- Send your stable user id as userId (or externalId; externalId wins when both are sent) on every op, from signup onward: Mara keeps one contact per user, even when the email changes later.
- email matches or creates the contact only when no id is sent. An op with no userId, externalId or email is skipped ("skipped_no_identity").

messageId rules
- Set a deterministic messageId on every track op (the id of the row in your own event log, or e.g. "signup-<userId>"), at most 255 characters.
- A repeated messageId answers "status": "duplicate" and writes nothing, so retries are safe. identify ops are upserts and safe to retry.

Event naming
- Lowercase, dot-namespaced object.action: ${signup}, project.created, report.exported. Letters, digits, spaces and . _ : - / only, up to 120 characters. No ids or timestamps in the type; details go in properties.

Responses and retries
- 200 with {"ok": true, "results": [...]}: one result per op, in order; check that every op has "status": "ok".
- Errors are {"ok": false, "code", "message"}.
- 429 rate_limited: wait the Retry-After header's seconds, then retry.
- 5xx: retry with backoff, sending the same messageIds.
- Other 4xx (400 bad_request, 401 unauthorized, 412 no_ingestion_key, 413, 415): do not retry; fix the request or the configuration.

Checklist
1. Put the endpoint URL and ingestion key in env vars (MARA_EVENTS_URL, MARA_INGESTION_KEY). Never hardcode the key; never expose it client-side.
2. Add a small server-side helper that POSTs {"batch": [...]} with the bearer header. Batch when you can, up to 100 ops.
3. On signup: send one identify (userId, email, name, useful traits) plus one track with the signup event type "${signup}".
4. Instrument the 3 to 5 lifecycle moments that matter (activation milestone, key feature used, plan limit reached). Stable dot-namespaced event types, details in properties.
5. Set a deterministic messageId per event so retries are safe. Retry on 429 (honor Retry-After) and on 5xx; do not retry 4xx.
6. Keep Mara off the hot path: queue or fire-and-forget. A Mara outage must not break signup.
7. Verify with a test request (curl below), then confirm in the response that every op returned "status": "ok".

curl -X POST "${options.eventsUrl}" \\
  -H "Authorization: Bearer $MARA_INGESTION_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"batch": [{"type": "identify", "userId": "u_42", "email": "ada@example.com", "name": "Ada"}, {"type": "track", "event": "${signup}", "userId": "u_42", "messageId": "test-001"}]}'
`;
}
