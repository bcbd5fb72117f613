/** setTimeout fires at once above this (24.8 days): clamp. */
const MAX_DELAY = 2 ** 31 - 1;
/** A timer this late means the page slept, was frozen or throttled. */
const LATE_MS = 2000;

/**
 * When to refresh a token that arrived at `receivedAt`: `skewMs` before it expires, or after two
 * thirds of its life when it lives less than three skews, minus a little jitter (`jitter` in
 * [0, 1)) so that tabs holding the same token do not all wake at once.
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

/**
 * One timer at an absolute wall-clock time. It reports whether it fired late, which is how a
 * sleeping laptop or a frozen tab shows itself.
 */
export function createWallTimer(onFire: (late: boolean) => void) {
  let handle: ReturnType<typeof setTimeout> | undefined;
  const clear = () => clearTimeout(handle);
  return {
    clear,
    at(time: number): void {
      clear();
      if (!Number.isFinite(time)) return;
      const delay = Math.min(MAX_DELAY, Math.max(0, time - Date.now()));
      handle = setTimeout(() => onFire(Date.now() - time > LATE_MS), delay);
    },
  };
}
