import { MaraNetworkError, retryAfterMs } from './errors.js';

export type FetchLike = (request: Request) => Promise<Response>;

export interface RetryOptions {
  /** Retries after the first attempt (so at most `maxRetries + 1` requests). Default 3. */
  maxRetries: number;
  /** Per-attempt timeout. Default 10 s. */
  timeoutMs: number;
  /** First backoff step; doubles per retry. Default 500 ms. */
  minRetryDelayMs: number;
  /** Cap of the exponential backoff. Default 30 s. */
  maxRetryDelayMs: number;
  /**
   * A 429 whose `Retry-After` is longer than this is not waited for: the call fails at once with
   * `rate_limited` (and `retryAfterSeconds`) rather than hold the caller. Default 60 s.
   */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxRetries: 3,
  timeoutMs: 10_000,
  minRetryDelayMs: 500,
  maxRetryDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
};

export interface TransportOptions extends RetryOptions {
  fetch: FetchLike;
  /**
   * Whether resending this request after a network error or timeout is harmless. Those leave
   * unknown whether the server acted; 429 and 5xx answers guarantee it wrote nothing.
   */
  isIdempotent: (request: Request) => boolean;
  /** Injected by tests; real timers otherwise. */
  sleep?: (ms: number, signal: AbortSignal | null) => Promise<void>;
  random?: () => number;
}

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);

function sleep(ms: number, signal: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** One attempt, aborted after `timeoutMs` or when the caller's signal aborts. */
async function attempt(fetch: FetchLike, request: Request, timeoutMs: number): Promise<Response> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  const callerSignal = request.signal;
  const onCallerAbort = (): void => controller.abort(callerSignal.reason);
  if (callerSignal.aborted) onCallerAbort();
  else callerSignal.addEventListener('abort', onCallerAbort, { once: true });
  try {
    return await fetch(new Request(request, { signal: controller.signal }));
  } catch (err) {
    if (timedOut) throw new MaraNetworkError(`${request.method} ${request.url}: timed out after ${timeoutMs} ms`, true, { cause: err });
    if (callerSignal.aborted) throw err;
    throw new MaraNetworkError(`${request.method} ${request.url}: ${err instanceof Error ? err.message : String(err)}`, false, {
      cause: err,
    });
  } finally {
    clearTimeout(timer);
    callerSignal.removeEventListener('abort', onCallerAbort);
  }
}

/**
 * A fetch that retries what is safe to retry, the way the Events API asks of clients: 429
 * (waiting at least `Retry-After`), 5xx, and, for idempotent requests, network errors and
 * timeouts; with exponential backoff and jitter in between. Other answers (2xx, other 4xx) are
 * returned as they are, and so is the last answer when retries run out; the caller turns error
 * answers into MaraApiError.
 */
export function retryingFetch(options: TransportOptions): FetchLike {
  const wait = options.sleep ?? sleep;
  const random = options.random ?? Math.random;

  /** Exponential backoff with "equal jitter": between half and all of the step. */
  const backoff = (retry: number): number => {
    const step = Math.min(options.maxRetryDelayMs, options.minRetryDelayMs * 2 ** retry);
    return step / 2 + random() * (step / 2);
  };

  return async (request: Request): Promise<Response> => {
    for (let retry = 0; ; retry++) {
      // Each attempt sends a copy: a body can be read once.
      const copy = request.clone();
      let response: Response;
      try {
        response = await attempt(options.fetch, copy, options.timeoutMs);
      } catch (err) {
        const retryable = err instanceof MaraNetworkError && options.isIdempotent(request);
        if (!retryable || retry >= options.maxRetries) throw err;
        await wait(backoff(retry), request.signal);
        continue;
      }
      if (!RETRY_STATUSES.has(response.status) || retry >= options.maxRetries) return response;
      let delay = backoff(retry);
      if (response.status === 429) {
        const after = retryAfterMs(response);
        if (after !== null && after > options.maxRetryAfterMs) return response;
        // Retry-After is the minimum: retrying earlier only spends a request on another 429.
        if (after !== null) delay = Math.max(delay, after);
      }
      // The answer is dropped: free its connection.
      await response.body?.cancel().catch(() => undefined);
      await wait(delay, request.signal);
    }
  };
}
