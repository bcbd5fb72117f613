import type { Dialect } from './types.js';

/** The defaults of the duration options, in ms (the bench reads them from here). */
export const DEFAULT_MS = {
  refreshSkewMs: 30_000,
  minRefreshIntervalMs: 2000,
  requestTimeoutMs: 10_000,
  lockTimeoutMs: 30_000,
  syncTimeoutMs: 100,
} as const;

/** A new tab waits this many × `syncTimeoutMs` for the session from the others (when it must). */
export const HAND_OFF_FACTOR = 2;

/**
 * A programming mistake, not something the provider or the network did: thrown at once, as a
 * `TypeError` (oauth4webapi's split), with what to set.
 */
export const misuse = (message: string): TypeError => new TypeError(`Baton: ${message}`);

/** A duration option in ms: its default when absent, else a finite number ≥ 0. */
export function durationMs(options: object, key: keyof typeof DEFAULT_MS): number {
  const value = (options as Record<string, unknown>)[key];
  if (value === undefined) return DEFAULT_MS[key];
  if (typeof value !== 'number' || !(value >= 0) || value === Number.POSITIVE_INFINITY)
    throw misuse(`${key} must be a number of milliseconds ≥ 0`);
  return value;
}

/** Checks that `dialect` is a dialect (e.g. `ciam({ clientId })` from `@baton/core/dialects`). */
export function checkDialect(dialect: unknown): asserts dialect is Dialect {
  const d = dialect as Partial<Dialect> | undefined;
  if (
    typeof d?.buildTokenRequest !== 'function' ||
    typeof d.parseTokenResponse !== 'function' ||
    typeof d.tokenUrl !== 'string'
  )
    throw misuse(
      'set `dialect`, e.g. ciam({ clientId }) from @baton/core/dialects, or defineDialect()',
    );
}
