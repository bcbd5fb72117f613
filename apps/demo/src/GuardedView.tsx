import { RequireAuth, useAuth } from '@baton/react';
import type { ReactNode } from 'react';
import { redirectUri, type Settings } from './settings.js';

const subscribeHash = (listener: () => void) => {
  addEventListener('hashchange', listener);
  return () => removeEventListener('hashchange', listener);
};
/** The view the address bar's hash names (`#private`: the guarded view). */
export const readView = () => location.hash;
export { subscribeHash };

/**
 * Goes to `to` (a path on this origin, e.g. the guard's return-to) without a reload: the demo's
 * router is the hash, so a `hashchange` tells the views.
 */
export function navigate(to: string): void {
  history.replaceState(history.state, '', to);
  dispatchEvent(new HashChangeEvent('hashchange'));
}

function Inside(): ReactNode {
  const { profile } = useAuth();
  const who = profile?.name ?? profile?.preferred_username ?? profile?.sub;
  return (
    <p data-testid="guarded-content">
      Only with a session: hello <b>{String(who ?? 'there')}</b>. A signed-out visit to this view,
      in any tab, goes to the provider's login page and comes back here (<code>#private</code>, kept
      in the app state, never in a URL).
    </p>
  );
}

/** A view behind `<RequireAuth>`: opened with `#private`, closed by dropping the hash. */
export function GuardedView({ settings }: { settings: Settings }): ReactNode {
  return (
    <section className="card guarded" aria-labelledby="guarded-title" data-testid="guarded">
      <div className="card-head">
        <h2 id="guarded-title">Guarded view</h2>
        <button
          type="button"
          className="dismiss"
          aria-label="Close the guarded view"
          onClick={() => navigate(location.pathname + location.search)}
        >
          ×
        </button>
      </div>
      <RequireAuth
        fallback={
          <p className="muted" data-testid="guarded-fallback">
            Waiting for the start-up (a session may come from another tab); signed out after it, off
            to the provider's login page.
          </p>
        }
        signInOptions={{ redirectUri: redirectUri(settings) }}
      >
        <Inside />
      </RequireAuth>
      <p className="muted small hint">
        <code>&lt;RequireAuth&gt;</code> renders its fallback while loading, then signs in by
        redirect once, with this page as the return-to.
      </p>
    </section>
  );
}
