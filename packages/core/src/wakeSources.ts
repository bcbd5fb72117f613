import type { WakeSource } from './events.js';

/**
 * Wires the events that mean "this tab may have missed something" and returns how to unwire
 * them. The default listens to the page; a platform (a web view, a test) can bring its own.
 */
export type WakeSetup = (wake: (source: WakeSource) => void) => () => void;

/** Back online, back in sight, focused again, or restored from the back/forward cache. */
export const pageWakeSetup: WakeSetup = (wake) => {
  const win = typeof window === 'undefined' ? undefined : window;
  if (!win) return () => {};
  const listeners: [EventTarget, string, (event: Event) => void][] = [
    [win, 'online', () => wake('online')],
    [win, 'focus', () => wake('focus')],
    [win, 'pageshow', (event) => (event as PageTransitionEvent).persisted && wake('pageshow')],
    [
      win.document,
      'visibilitychange',
      () => win.document.visibilityState === 'visible' && wake('visible'),
    ],
  ];
  for (const [target, type, listener] of listeners) target.addEventListener(type, listener);
  return () => {
    for (const [target, type, listener] of listeners) target.removeEventListener(type, listener);
  };
};

/** Focus and visibility come in bursts: at most one wake-up in this many ms (`online` aside). */
export const WAKE_THROTTLE_MS = 1000;

/**
 * The tab's wake-ups, in one place (TanStack Query's `focusManager` shape). Focus and visibility
 * come in bursts: one wake-up a second is enough, except for `online`, which always counts.
 */
export function createWakeSources(
  onWake: (source: WakeSource) => void,
  setup: WakeSetup = pageWakeSetup,
) {
  let last = 0;
  const wake = (source: WakeSource): void => {
    if (Date.now() - last < WAKE_THROTTLE_MS && source !== 'online') return;
    last = Date.now();
    onWake(source);
  };
  const teardown = setup(wake);
  return {
    /** Reports a wake-up found another way (a late timer). */
    wake,
    destroy: teardown,
  };
}
