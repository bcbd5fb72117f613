import { type ReactNode, useEffect, useState } from 'react';
import type { Timeline } from './timeline.js';

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

const isCounters = (v: unknown): v is ProviderCounters =>
  typeof v === 'object' &&
  v !== null &&
  FIELDS.every((k) => typeof (v as Record<string, unknown>)[k] === 'number');

/**
 * The provider's own counters for `?dialect=oidc`, read through the demo server
 * (`GET /__oidc/stats`: the provider answers no cross-origin request there): shortly after
 * anything happens on the timeline, and every 10 s. Hidden until a first read succeeds (a
 * provider started without `pnpm demo` may not be there).
 */
export function ProviderStats({ timeline }: { timeline: Timeline }): ReactNode {
  const [counters, setCounters] = useState<ProviderCounters>();
  useEffect(() => {
    let stopped = false;
    const read = async () => {
      if (document.visibilityState !== 'visible') return;
      try {
        const response = await fetch('/__oidc/stats');
        if (!response.ok) return;
        const body: unknown = await response.json();
        if (!stopped && isCounters(body)) setCounters(body);
      } catch {
        // No provider here, or it is restarting: keep the last figures.
      }
    };
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
  }, [timeline]);

  if (!counters) return null;
  return (
    <p className="mock-stats" data-testid="provider-stats">
      <span className="muted">OpenID provider:</span> <b>{counters.tokenRequests}</b> token requests
      · <b>{counters.refreshes}</b> refreshes · <b>{counters.refreshTokenReuse}</b> refresh token
      reuse · <b>{counters.revocations}</b> revocations · <b>{counters.endSessions}</b> logouts
    </p>
  );
}
