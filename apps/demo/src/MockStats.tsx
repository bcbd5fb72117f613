import type { ReactNode } from 'react';
import type { MockDialectName } from './settings.js';
import type { Timeline } from './timeline.js';
import { hasNumbers, useServerCounters } from './useServerCounters.js';

interface Counters {
  readonly refreshes: number;
  readonly reuseDetected: number;
  readonly invalidGrant: number;
  readonly apiOk: number;
  readonly api401: number;
}

const isCounters = (v: unknown): v is Counters =>
  hasNumbers(v, ['refreshes', 'reuseDetected', 'invalidGrant', 'apiOk', 'api401']);

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
  const counters = useServerCounters(
    '/__mock/stats',
    (body) => {
      const mine = (body as { byDialect?: Record<string, unknown> }).byDialect?.[dialect];
      return isCounters(mine) ? mine : undefined;
    },
    timeline,
  );

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
