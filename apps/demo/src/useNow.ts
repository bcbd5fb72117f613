import { useSyncExternalStore } from 'react';

/**
 * One clock for the whole page: a single 250 ms interval while anything listens (and the page is
 * visible), so that every countdown and the timeline move in the same render. Once a second for a
 * reader who asked for reduced motion (and for the end-to-end tests, which ask for it: ten tabs
 * redrawing four times a second kept two cores busy).
 */
const TICK_MS =
  typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches
    ? 1000
    : 250;
let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();

function tick(): void {
  if (document.visibilityState === 'hidden') return;
  now = Date.now();
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === undefined) {
    now = Date.now();
    timer = setInterval(tick, TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** The wall clock, to `resolutionMs` (a component renders again only when that value changes). */
export function useNow(resolutionMs = TICK_MS): number {
  return useSyncExternalStore(subscribe, () => Math.floor(now / resolutionMs) * resolutionMs);
}

/** `1.2 s`, `42 s`, `3 min 05 s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.floor(s)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
}

/** A tab id, short enough to read: the first four characters. */
export const shortTab = (tab: string): string => tab.replace(/-/g, '').slice(0, 4);
