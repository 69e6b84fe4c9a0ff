/**
 * @mara/sdk: a typed client for Mara's Events API and admin API. The types come from the
 * committed openapi.json (generated/schema.ts, never edited by hand); this layer adds what the
 * Events API asks of every client: batches of 100, deterministic messageIds, retries on 429
 * (honoring Retry-After) and 5xx but not on other 4xx, a timeout, and a fire-and-forget queue.
 */
export { createMaraClient, MAX_BATCH, type MaraClient, type MaraClientOptions, type SendOptions } from './client.js';
export { parseEventsUrl } from './config.js';
export { MaraApiError, MaraNetworkError, type ErrorCode } from './errors.js';
export { deterministicMessageId, messageIdFor } from './message-id.js';
export { EventQueue, type EventQueueOptions } from './queue.js';
export type { FetchLike, RetryOptions } from './transport.js';
export type * from './types.js';
export type { components, operations, paths } from './generated/schema.js';
