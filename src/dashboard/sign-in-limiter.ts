import { AppError } from '../common/errors.js';

export interface SignInLimits {
  /** Failed attempts allowed per client address within the window. */
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = { maxFailures: 10, windowMs: 15 * 60_000 };
/** Addresses tracked at once; beyond it, windows that are over are forgotten first. */
const MAX_TRACKED = 10_000;

/**
 * Failed sign-ins per client address, per process (a brute-force brake on top of the
 * constant-time comparison). Once an address has used up its failures, every attempt from it,
 * right or wrong, answers 429 until its window ends.
 */
export class SignInLimiter {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws `rate_limited` (with Retry-After) when the address may not try now. */
  check(address: string): void {
    const entry = this.failures.get(address);
    if (!entry) return;
    const now = this.now();
    if (entry.resetAt <= now) {
      this.failures.delete(address);
      return;
    }
    if (entry.count >= this.limits.maxFailures) {
      const seconds = Math.max(1, Math.ceil((entry.resetAt - now) / 1000));
      throw new AppError('rate_limited', `too many failed sign-ins; retry after ${seconds} s`, {
        'Retry-After': String(seconds),
      });
    }
  }

  fail(address: string): void {
    const now = this.now();
    const entry = this.failures.get(address);
    if (entry && entry.resetAt > now) {
      entry.count += 1;
      return;
    }
    if (this.failures.size >= MAX_TRACKED) this.prune(now);
    this.failures.set(address, { count: 1, resetAt: now + this.limits.windowMs });
  }

  succeed(address: string): void {
    this.failures.delete(address);
  }

  private prune(now: number): void {
    for (const [address, entry] of this.failures) {
      if (entry.resetAt <= now) this.failures.delete(address);
    }
    // Still full: drop the oldest entries (Map keeps insertion order).
    for (const address of this.failures.keys()) {
      if (this.failures.size < MAX_TRACKED) break;
      this.failures.delete(address);
    }
  }
}
