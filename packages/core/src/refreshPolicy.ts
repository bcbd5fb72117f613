import type { TokenSet } from './types.js';

/**
 * When to refresh: pure functions of a token, when it arrived and the options, all in ms. The
 * timer, every caller of `getAccessToken()` and the wake-ups ask the same question here.
 */
export interface RefreshPolicy {
  /** Refresh this long before expiry (a third of the lifetime for short tokens). */
  readonly skewMs: number;
  /** No refresh sooner than this after the last one, whatever the token's lifetime. */
  readonly minIntervalMs: number;
}

/** Where a session's tokens came from. */
export type TokenSource = 'refresh' | 'tab' | 'storage' | 'app';

/** How this tab received its current tokens. */
export interface Arrival {
  /** Local time (ms). */
  readonly at: number;
  readonly from: TokenSource;
  /** In [0, 1): drawn per arrival, so that tabs holding the same token do not all wake at once. */
  readonly jitter: number;
}

/** Another tab's backoff is taken up to this long (a Retry-After may ask for more than maxDelayMs). */
export const MAX_SHARED_BACKOFF_MS = 600_000;

/**
 * `skewMs` before expiry, or after two thirds of the token's life when it lives less than three
 * skews, minus up to 10% jitter.
 */
export function refreshTime(
  expiresAt: number,
  receivedAt: number,
  skewMs: number,
  jitter: number,
): number {
  const lead = Math.min(skewMs, Math.max(0, expiresAt - receivedAt) / 3);
  return expiresAt - lead * (1 + jitter * 0.1);
}

/**
 * No refresh before this: a token that arrived with a tiny lifetime cannot start a loop. Tokens
 * from storage or from the app may be long expired: they may be refreshed at once.
 */
export const restUntil = (arrival: Arrival, policy: RefreshPolicy): number =>
  arrival.from === 'storage' || arrival.from === 'app' ? 0 : arrival.at + policy.minIntervalMs;

/** When the proactive refresh of `tokens` is due. */
export function refreshDue(tokens: TokenSet, arrival: Arrival, policy: RefreshPolicy): number {
  const { expiresAt } = tokens;
  const { jitter } = arrival;
  const rest = restUntil(arrival, policy);
  const at = Math.max(refreshTime(expiresAt, arrival.at, policy.skewMs, jitter), rest);
  // Held back by the minimum interval, every tab would wake at the same instant: spread them.
  const due = at === rest ? at + jitter * 0.1 * Math.max(0, expiresAt - at) : at;
  if (arrival.from !== 'tab') return due;
  // Followers give the last refresher a head start (up to 1 s, at most half of what is left), so
  // its news usually arrives before their timers fire and the lock is not contended.
  return due + Math.min(1000, Math.max(0, expiresAt - due) / 2) * (0.75 + jitter / 4);
}

/**
 * Whether `tokens` may be handed out now: unexpired, and before the refresh point, or valid for
 * `minValidityMs` more when the caller asks for that.
 */
export const isFresh = (
  tokens: TokenSet,
  due: number,
  minValidityMs: number | undefined,
  now = Date.now(),
): boolean =>
  now < tokens.expiresAt &&
  (minValidityMs === undefined ? now < due : tokens.expiresAt - now >= minValidityMs);

/**
 * Exponential backoff with full jitter (AWS architecture blog), never shorter than the server's
 * `Retry-After`.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  retryAfterMs = 0,
  random = Math.random(),
): number {
  return Math.max(retryAfterMs, random * Math.min(capMs, baseMs * 2 ** attempt));
}
