import { isBatonError } from '@baton/core';
import { useAuth, useAuthFetch } from '@baton/react';
import { authQueryFn, HttpError, shouldRetry, useClearQueriesOnSignOut } from '@baton/react/query';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { isMockDialect, OIDC_ISSUER, type Settings } from './settings.js';
import type { Timeline } from './timeline.js';
import { formatDuration, useNow } from './useNow.js';

/** The mock's `/api/me`, or a provider's userinfo (OpenID Connect Core §5.3: `sub`, `name`…). */
interface Me {
  readonly sub: string;
  readonly dialect?: string;
  readonly username?: string;
  readonly name?: string;
}

const whoIs = (me: Me): string =>
  `${me.username ?? me.name ?? me.sub} (${me.dialect ?? 'userinfo'})`;

/**
 * What "the API" is: the mock's `/api/me` (same origin, through Vite) for its endpoints; for a
 * standard provider, its userinfo endpoint, cross-origin: its origin is then the one authFetch
 * gives the bearer token to.
 */
function apiOf(settings: Settings): { url: string; label: string; origins?: string[] } {
  if (isMockDialect(settings.dialect)) return { url: '/api/me', label: 'GET /api/me' };
  return { url: `${OIDC_ISSUER}/me`, label: 'GET <issuer>/me (userinfo)', origins: [OIDC_ISSUER] };
}

type Outcome =
  | { readonly kind: 'idle' }
  | { readonly kind: 'pending' }
  | { readonly kind: 'ok'; readonly me: Me; readonly ms: number; readonly at: number }
  | { readonly kind: 'failed'; readonly why: string; readonly ms: number; readonly at: number };

const why = (error: unknown): string =>
  isBatonError(error)
    ? error.code
    : error instanceof HttpError
      ? `HTTP ${error.status}`
      : error instanceof Error
        ? error.message
        : 'failed';

/** GET /api/me (or userinfo) through authFetch (a button) and through React Query (`useQuery`). */
export function ApiPanel({
  settings,
  timeline,
}: {
  settings: Settings;
  timeline: Timeline;
}): ReactNode {
  const api = apiOf(settings);
  const authFetch = useAuthFetch(api.origins ? { allowedOrigins: api.origins } : undefined);
  const { status } = useAuth();
  const now = useNow(1000);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  /** Finished calls: tests wait for it to grow rather than guess when a result is new. */
  const [calls, setCalls] = useState(0);
  useClearQueriesOnSignOut();
  const me = useQuery({
    queryKey: [api.url],
    queryFn: authQueryFn<Me>(authFetch),
    enabled: status !== 'signed-out',
    retry: shouldRetry,
  });

  const callApi = async () => {
    setOutcome({ kind: 'pending' });
    const started = performance.now();
    try {
      const response = await authFetch(api.url);
      const ms = Math.round(performance.now() - started);
      if (!response.ok) throw new HttpError(response);
      const body = (await response.json()) as Me;
      setOutcome({ kind: 'ok', me: body, ms, at: Date.now() });
      setCalls((n) => n + 1);
      timeline.record({ kind: 'api', ms, detail: 'ok' });
    } catch (error) {
      const ms = Math.round(performance.now() - started);
      setOutcome({ kind: 'failed', why: why(error), ms, at: Date.now() });
      setCalls((n) => n + 1);
      timeline.record({ kind: 'api', ms, detail: why(error) });
    }
  };

  return (
    <section className="card api" aria-labelledby="api-title">
      <div className="card-head">
        <h2 id="api-title">API</h2>
        <code className="muted small">{api.label}</code>
      </div>

      <div className="api-block">
        <div className="api-row">
          <button
            type="button"
            className="primary"
            data-testid="call-api"
            disabled={outcome.kind === 'pending'}
            onClick={() => void callApi()}
          >
            Call the API
          </button>
          <span className="muted small">with authFetch</span>
        </div>
        <output
          data-testid="api-result"
          data-calls={calls}
          className={`result ${outcome.kind === 'ok' ? 'good' : outcome.kind === 'failed' ? 'bad' : ''}`}
        >
          {outcome.kind === 'idle'
            ? 'Not called yet.'
            : outcome.kind === 'pending'
              ? 'Calling…'
              : outcome.kind === 'ok'
                ? `ok · ${whoIs(outcome.me)} · ${outcome.ms} ms`
                : `failed · ${outcome.why} · ${outcome.ms} ms`}
        </output>
      </div>

      <div className="api-block">
        <div className="api-row">
          <button
            type="button"
            data-testid="query-refetch"
            disabled={status === 'signed-out' || me.isFetching}
            onClick={() => void me.refetch()}
          >
            Refetch
          </button>
          <span className="muted small">
            with React Query <code>useQuery</code>
          </span>
        </div>
        <output
          data-testid="query-result"
          className={`result ${me.isSuccess ? 'good' : me.isError ? 'bad' : ''}`}
        >
          {status === 'signed-out'
            ? 'Disabled while signed out (the cache was cleared).'
            : me.isPending
              ? 'Loading…'
              : me.isError
                ? `failed · ${why(me.error)}`
                : `ok · ${me.data.username ?? me.data.name ?? me.data.sub} · fetched ${formatDuration(now - me.dataUpdatedAt)} ago${me.isFetching ? ' · refetching' : ''}`}
        </output>
      </div>
      <p className="muted small hint">
        authFetch adds the bearer token ({api.origins ? "the provider's origin" : 'same origin'}{' '}
        only), refreshes before expiry, and on a 401 refreshes once, across all tabs, then replays
        the request once.
      </p>
    </section>
  );
}
