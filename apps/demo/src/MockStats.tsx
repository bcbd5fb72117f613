import { type ReactNode, useEffect, useState } from 'react';
import type { MockDialectName } from './settings.js';
import type { Timeline } from './timeline.js';

interface Counters {
  readonly refreshes: number;
  readonly reuseDetected: number;
  readonly invalidGrant: number;
  readonly apiOk: number;
  readonly api401: number;
}

const isCounters = (v: unknown): v is Counters =>
  typeof v === 'object' &&
  v !== null &&
  ['refreshes', 'reuseDetected', 'invalidGrant', 'apiOk', 'api401'].every(
    (k) => typeof (v as Record<string, unknown>)[k] === 'number',
  );

/**
 * What the mock server counted for this endpoint (`GET /__mock/stats`, a demo-only route): read
 * shortly after anything happens on the timeline, and every 10 s.
 */
export function MockStats({
  dialect,
  timeline,
}: {
  dialect: MockDialectName;
  timeline: Timeline;
}): ReactNode {
  const [counters, setCounters] = useState<Counters>();
  useEffect(() => {
    let stopped = false;
    const read = async () => {
      if (document.visibilityState !== 'visible') return;
      try {
        const response = await fetch('/__mock/stats');
        const body: unknown = await response.json();
        const mine = (body as { byDialect?: Record<string, unknown> }).byDialect?.[dialect];
        if (!stopped && isCounters(mine)) setCounters(mine);
      } catch {
        // Offline, or the mock is restarting: keep the last figures.
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
  }, [dialect, timeline]);

  return (
    <p className="mock-stats" data-testid="mock-stats">
      <span className="muted">Mock server, {dialect}:</span>{' '}
      {counters ? (
        <>
          <b>{counters.refreshes}</b> refreshes · <b>{counters.reuseDetected}</b> reuse detected ·{' '}
          <b>{counters.invalidGrant}</b> invalid_grant · <b>{counters.apiOk}</b> API ok ·{' '}
          <b>{counters.api401}</b> API 401
        </>
      ) : (
        <span className="muted">…</span>
      )}
    </p>
  );
}
