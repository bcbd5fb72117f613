import type { Dialect } from './types.js';

/**
 * A programming mistake, not something the provider or the network did: thrown at once, as a
 * `TypeError` (oauth4webapi's split), with what to set.
 */
export const misuse = (message: string): TypeError => new TypeError(`Baton: ${message}`);

/** A duration option in ms: `fallback` when absent, else a finite number ≥ 0. */
export function durationMs(options: object, key: string, fallback: number): number {
  const value = (options as Record<string, unknown>)[key];
  if (value === undefined) return fallback;
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
