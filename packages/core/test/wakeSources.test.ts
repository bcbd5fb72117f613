import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WakeSource } from '../src/events.js';
import { createWakeSources, pageWakeSetup, type WakeSetup } from '../src/wakeSources.js';

/** A setup a test drives by hand, as a platform would. */
function manualSetup() {
  let fire: ((source: WakeSource) => void) | undefined;
  let removed = false;
  const setup: WakeSetup = (wake) => {
    fire = wake;
    return () => {
      removed = true;
    };
  };
  return { setup, fire: (s: WakeSource) => fire?.(s), removed: () => removed };
}

describe('createWakeSources', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports a wake-up, then one a second at most, except online', () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const { setup, fire } = manualSetup();
    const woken: WakeSource[] = [];
    createWakeSources((s) => woken.push(s), setup);
    fire('focus');
    fire('visible');
    fire('online');
    vi.advanceTimersByTime(999);
    fire('pageshow');
    vi.advanceTimersByTime(1);
    fire('visible');
    expect(woken).toEqual(['focus', 'online', 'visible']);
  });

  it('wake() (a late timer) goes through the same throttle', () => {
    const { setup, fire } = manualSetup();
    const woken: WakeSource[] = [];
    const wakes = createWakeSources((s) => woken.push(s), setup);
    wakes.wake('late-timer');
    fire('focus');
    expect(woken).toEqual(['late-timer']);
  });

  it('destroy() unwires the setup', () => {
    const manual = manualSetup();
    createWakeSources(() => {}, manual.setup).destroy();
    expect(manual.removed()).toBe(true);
  });

  it('the page setup does nothing outside a page', () => {
    expect(typeof window).toBe('undefined');
    const teardown = pageWakeSetup(() => {
      throw new Error('no page, no wake-up');
    });
    expect(() => teardown()).not.toThrow();
  });

  it('the page setup listens to online, focus, pageshow (persisted) and visibility', () => {
    const win = new EventTarget() as EventTarget & {
      document: EventTarget & { visibilityState: string };
    };
    win.document = Object.assign(new EventTarget(), { visibilityState: 'hidden' });
    vi.stubGlobal('window', win);
    try {
      const woken: WakeSource[] = [];
      const teardown = pageWakeSetup((s) => woken.push(s));
      win.dispatchEvent(new Event('online'));
      win.dispatchEvent(new Event('focus'));
      win.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: false }));
      win.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }));
      win.document.dispatchEvent(new Event('visibilitychange'));
      win.document.visibilityState = 'visible';
      win.document.dispatchEvent(new Event('visibilitychange'));
      teardown();
      win.dispatchEvent(new Event('online'));
      expect(woken).toEqual(['online', 'focus', 'pageshow', 'visible']);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
