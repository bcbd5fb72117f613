import type { LockLease } from './types.js';

/** A plain JSON-like object: not `null`, not an array. */
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `o` without its `undefined` properties, so that optional fields stay absent (what
 * `exactOptionalPropertyTypes` asks of them) instead of present and `undefined`.
 */
export const defined = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };

/**
 * Lets a Node process exit while `handle` (a timer or channel kept for the session's lifetime)
 * is pending, as a page may close with them. Browsers have nothing to undo: their timer ids are
 * numbers.
 */
export function unref<T>(handle: T): T {
  (handle as { unref?: () => void } | undefined)?.unref?.();
  return handle;
}

/** The lease of a lock that is never held twice (Web Locks, the one-tab lock). */
export const EXCLUSIVE: LockLease = { confirm: () => Promise.resolve() };
