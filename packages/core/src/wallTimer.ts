import { unref } from './util.js';

/** setTimeout fires at once above this (24.8 days): clamp. */
const MAX_DELAY = 2 ** 31 - 1;
/** A timer this late means the page slept, was frozen or throttled. */
export const LATE_MS = 2000;

/**
 * One timer at an absolute wall-clock time. It reports whether it fired late, which is how a
 * sleeping laptop or a frozen tab shows itself.
 */
export function createWallTimer(onFire: (late: boolean) => void) {
  let handle: ReturnType<typeof setTimeout> | undefined;
  const clear = () => clearTimeout(handle);
  return {
    clear,
    /** Fires at `time` (ms since the epoch); never for an infinite time. */
    at(time: number): void {
      clear();
      if (!Number.isFinite(time)) return;
      const delay = Math.min(MAX_DELAY, Math.max(0, time - Date.now()));
      handle = unref(setTimeout(() => onFire(Date.now() - time > LATE_MS), delay));
    },
  };
}
