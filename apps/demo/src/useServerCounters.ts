import { useEffect, useRef, useState } from 'react';
import type { Timeline } from './timeline.js';

/** Whether `v` is an object whose `fields` are all numbers: counters as a server reported them. */
export const hasNumbers = <K extends string>(
  v: unknown,
  fields: readonly K[],
): v is Readonly<Record<K, number>> =>
  typeof v === 'object' &&
  v !== null &&
  fields.every((k) => typeof (v as Record<string, unknown>)[k] === 'number');

/**
 * Counters a test server reports at `url` (the mock's or the provider's, through the demo
 * server), `pick`ed out of its JSON: read shortly after anything happens on the timeline, and
 * every 10 s, while the page is visible. `undefined` until a first read succeeds; a failed read
 * (offline, a server restarting or not there) keeps the last figures.
 */
export function useServerCounters<T>(
  url: string,
  pick: (body: unknown) => T | undefined,
  timeline: Timeline,
): T | undefined {
  const [counters, setCounters] = useState<T>();
  const picker = useRef(pick);
  picker.current = pick;
  useEffect(() => {
    let stopped = false;
    const read = async () => {
      if (document.visibilityState !== 'visible') return;
      try {
        const response = await fetch(url);
        if (!response.ok) return;
        const picked = picker.current(await response.json());
        if (!stopped && picked !== undefined) setCounters(picked);
      } catch {
        // Keep the last figures.
      }
    };
    // At most one read per 400 ms while events keep coming (a debounce would wait for a lull that
    // a busy session never has, and show stale counts).
    let soon: ReturnType<typeof setTimeout> | undefined;
    const later = () => {
      soon ??= setTimeout(() => {
        soon = undefined;
        void read();
      }, 400);
    };
    void read();
    const id = setInterval(read, 10_000);
    const off = timeline.subscribe(later);
    return () => {
      stopped = true;
      off();
      clearTimeout(soon);
      clearInterval(id);
    };
  }, [url, timeline]);
  return counters;
}
