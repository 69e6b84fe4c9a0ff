import type { EventsOp } from './types.js';

export interface EventQueueOptions {
  /** Send as soon as this many ops wait (1 to 100, one request each). Default 100. */
  flushAt?: number;
  /** Send what waits at least this often. Default 1000 ms. */
  flushIntervalMs?: number;
  /** Ops held at most; beyond it new ops are dropped (and reported). Default 10,000. */
  maxQueueSize?: number;
  /**
   * Told about every op that could not be delivered (after the client's retries), and about ops
   * refused because the queue was full or closed. Never throws into the code that enqueued.
   * Default: a `console.warn` line.
   */
  onError?: (error: unknown, ops: EventsOp[]) => void;
}

const defaultOnError = (error: unknown, ops: EventsOp[]): void => {
  console.warn(`[mara] ${ops.length} event op(s) not delivered: ${error instanceof Error ? error.message : String(error)}`);
};

/**
 * Fire-and-forget sending: `enqueue` only appends to memory and returns, so Mara can never slow
 * the caller down or break it; batches go out in the background, one request at a time, in
 * order. Call `close()` at shutdown (the interval timer does not keep the process alive, so
 * anything still queued at exit is lost otherwise).
 */
export class EventQueue {
  private readonly flushAt: number;
  private readonly maxQueueSize: number;
  private readonly onError: (error: unknown, ops: EventsOp[]) => void;
  private readonly timer: ReturnType<typeof setInterval>;
  private buffer: EventsOp[] = [];
  /** The batches sent so far, in order; never rejects. */
  private sending: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly send: (ops: EventsOp[]) => Promise<unknown>,
    private readonly prepare: (op: EventsOp) => EventsOp,
    options: EventQueueOptions = {},
  ) {
    this.flushAt = Math.min(100, Math.max(1, Math.floor(options.flushAt ?? 100)));
    this.maxQueueSize = Math.max(1, options.maxQueueSize ?? 10_000);
    this.onError = options.onError ?? defaultOnError;
    this.timer = setInterval(() => {
      if (this.buffer.length > 0) void this.flush();
    }, options.flushIntervalMs ?? 1000);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Ops waiting to be sent (not counting a batch in flight). */
  get size(): number {
    return this.buffer.length;
  }

  /** Queues an op; returns false (and reports to onError) when it was refused. Never throws. */
  enqueue(op: EventsOp): boolean {
    try {
      if (this.closed) throw new Error('the queue is closed');
      if (this.buffer.length >= this.maxQueueSize) throw new Error(`the queue is full (${this.maxQueueSize} ops)`);
      this.buffer.push(this.prepare(op));
      if (this.buffer.length >= this.flushAt) void this.flush();
      return true;
    } catch (err) {
      this.report(err, [op]);
      return false;
    }
  }

  /** Sends everything queued so far; resolves when it has been delivered or reported. Never rejects. */
  flush(): Promise<void> {
    const ops = this.buffer;
    this.buffer = [];
    for (let start = 0; start < ops.length; start += this.flushAt) {
      const batch = ops.slice(start, start + this.flushAt);
      this.sending = this.sending.then(() =>
        this.send(batch).then(
          () => undefined,
          (err: unknown) => this.report(err, batch),
        ),
      );
    }
    return this.sending;
  }

  /** Stops the timer, refuses new ops, and flushes what is queued. */
  close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    return this.flush();
  }

  private report(error: unknown, ops: EventsOp[]): void {
    try {
      this.onError(error, ops);
    } catch {
      // An error handler that throws must not turn into an unhandled rejection in the caller.
    }
  }
}
