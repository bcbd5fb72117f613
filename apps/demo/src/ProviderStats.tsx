import type { ReactNode } from 'react';
import type { Timeline } from './timeline.js';
import { hasNumbers, useServerCounters } from './useServerCounters.js';

/** What the OpenID provider counted (`@baton/oidc-test-provider`'s `GET /__test/stats`). */
interface ProviderCounters {
  readonly tokenRequests: number;
  readonly refreshes: number;
  readonly refreshTokenReuse: number;
  readonly revocations: number;
  readonly endSessions: number;
}

const FIELDS = [
  'tokenRequests',
  'refreshes',
  'refreshTokenReuse',
  'revocations',
  'endSessions',
] as const;

const isCounters = (v: unknown): v is ProviderCounters => hasNumbers(v, FIELDS);

/**
 * The provider's own counters for `?dialect=oidc`, read through the demo server
 * (`GET /__oidc/stats`: the provider answers no cross-origin request there): shortly after
 * anything happens on the timeline, and every 10 s. Hidden until a first read succeeds (a
 * provider started without `pnpm demo` may not be there).
 */
export function ProviderStats({ timeline }: { timeline: Timeline }): ReactNode {
  const counters = useServerCounters(
    '/__oidc/stats',
    (body) => (isCounters(body) ? body : undefined),
    timeline,
  );

  if (!counters) return null;
  return (
    <p className="mock-stats" data-testid="provider-stats">
      <span className="muted">OpenID provider:</span> <b>{counters.tokenRequests}</b> token requests
      · <b>{counters.refreshes}</b> refreshes · <b>{counters.refreshTokenReuse}</b> refresh token
      reuse · <b>{counters.revocations}</b> revocations · <b>{counters.endSessions}</b> logouts
    </p>
  );
}
