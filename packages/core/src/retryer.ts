import type { BatonError } from './errors.js';
import { backoffDelay, MAX_SHARED_BACKOFF_MS } from './refreshPolicy.js';

/** Retries after a transient failure: the policy is data (TanStack Query's `retryer` shape). */
export interface RetryOptions {
  /** Automatic attempts after a transient failure before waiting for a trigger (default 5). */
  readonly attempts?: number;
  /** First backoff step (default 1000 ms); doubles each attempt, with full jitter. */
  readonly baseDelayMs?: number;
  /** Longest backoff (default 30 000 ms). */
  readonly maxDelayMs?: number;
}

/**
 * Counts the failed refreshes of one token and says when the next attempt may go out. A failure
 * in another tab counts here too, so that tabs wait out one backoff together (no storm).
 */
export function createRetryer({
  attempts = 5,
  baseDelayMs = 1000,
  maxDelayMs = 30_000,
}: RetryOptions = {}) {
  let failures = 0;
  let retryAt: number | undefined;
  return {
    get failures() {
      return failures;
    },
    /** No request before `retryAt`. */
    backingOff: (now = Date.now()) => retryAt !== undefined && now < retryAt,
    /** When the next automatic attempt is due: `normal` without failures, never after the last. */
    due(normal: number): number {
      if (failures > attempts) return Number.POSITIVE_INFINITY; // until a caller or a wake-up
      return failures > 0 ? (retryAt ?? Number.POSITIVE_INFINITY) : normal;
    },
    /** Counts a failure here; the delay before the next try, and whether it is automatic. */
    fail(error: BatonError): { delayMs: number; automatic: boolean } {
      failures += 1;
      // Past the last automatic attempt, callers may still try, but not more often than this.
      const automatic = failures <= attempts;
      const delayMs = automatic
        ? backoffDelay(failures - 1, baseDelayMs, maxDelayMs, error.retryAfterMs)
        : Math.max(maxDelayMs, error.retryAfterMs ?? 0);
      retryAt = Date.now() + delayMs;
      return { delayMs, automatic };
    },
    /**
     * Another tab's refresh of the same token failed and it waits `retryInMs`: wait as it waits,
     * but never longer than this tab's own longest backoff. Returns the wait taken.
     */
    share(retryInMs: number): number {
      failures = Math.max(failures, 1);
      const waitMs = Math.min(retryInMs, Math.max(maxDelayMs, MAX_SHARED_BACKOFF_MS));
      retryAt = Math.max(retryAt ?? 0, Date.now() + waitMs);
      return waitMs;
    },
    /** Back online or in sight: one more attempt now, even after the backoff gave up. */
    retryNow(): void {
      if (failures > 0) retryAt = Date.now();
    },
    reset(): void {
      failures = 0;
      retryAt = undefined;
    },
  };
}

export type Retryer = ReturnType<typeof createRetryer>;
