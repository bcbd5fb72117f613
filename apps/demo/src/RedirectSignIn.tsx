import type { BatonError } from '@baton/core';
import { signInWithRedirect } from '@baton/core/redirect';
import { useRedirectCallback, useTokenManager } from '@baton/react';
import { type ReactNode, useState } from 'react';
import { navigate } from './GuardedView.js';
import { redirectUri, type Settings, SIGNED_OUT_STATE } from './settings.js';

/**
 * Whether this page load is the provider sending the user back (`?code=` or `?error=`). Read once,
 * when the page loads: the core removes these parameters from the address bar as it reads them.
 */
export const CALLBACK_AT_LOAD = ((search: string) => {
  const params = new URLSearchParams(search);
  return params.has('code') || params.has('error');
})(location.search);

/**
 * Whether this page load is the provider's logout page sending the user back (RP-Initiated
 * Logout: the post-logout URI with the demo's `state`). Read once, when the page loads; the
 * `state` is then removed from the address bar (a reload is no return from the provider).
 */
export const SIGNED_OUT_AT_LOAD = ((url: URL) => {
  const { searchParams: params } = url;
  if (params.get('state') !== SIGNED_OUT_STATE || params.has('code') || params.has('error'))
    return false;
  params.delete('state');
  history.replaceState(history.state, '', url.href);
  return true;
})(new URL(location.href));

/** Sign in by redirect (authorization code + PKCE): leaves for the provider's login page. */
export function RedirectSignInButton({
  settings,
  alone = false,
}: {
  settings: Settings;
  /** The only way in (a standard provider: no password form above it). */
  alone?: boolean;
}): ReactNode {
  const manager = useTokenManager();
  const [leaving, setLeaving] = useState(false);
  const [problem, setProblem] = useState<string>();
  const onClick = () => {
    setLeaving(true);
    setProblem(undefined);
    // Back to this very page, settings included (see `redirectUri`).
    signInWithRedirect(manager, { redirectUri: redirectUri(settings) }).catch((caught: unknown) => {
      setLeaving(false);
      setProblem(caught instanceof Error ? caught.message : 'Failed');
    });
  };
  return (
    <div className="redirect-sign-in">
      {alone ? null : (
        <div className="or" aria-hidden="true">
          or
        </div>
      )}
      <div className="redirect-row">
        <button
          type="button"
          className={alone ? 'primary' : undefined}
          data-testid="sign-in-redirect"
          disabled={leaving}
          onClick={onClick}
        >
          {leaving ? 'Going to the provider…' : 'Sign in with the provider'}
        </button>
        <span className="muted small">
          {alone
            ? "Authorization code + PKCE, on the provider's own login and consent pages (any user name and password will do)."
            : "The recommended way: authorization code + PKCE, on the provider's page. The form above is the password grant (demos only)."}
        </span>
      </div>
      {problem ? (
        <p className="warn small" role="alert" data-testid="auth-error">
          {problem}
        </p>
      ) : null}
    </div>
  );
}

const EXPLAIN: Partial<Record<BatonError['code'], string>> = {
  invalid_state:
    'This callback answers no sign-in started in this tab (forged, already used, or too old): ignored, nothing was sent.',
  access_denied: 'The provider sent you back without signing you in.',
  invalid_nonce: 'The id token belongs to another sign-in: refused.',
};

/**
 * Mounted only on a callback page load: exchanges the code once (`useRedirectCallback`), goes
 * back to the guard's return-to if there is one (`onRedirectCallback`), and says how it went. An error shows its typed code and the provider's description, never a token.
 */
export function RedirectCallbackNotice(): ReactNode {
  // Back to where <RequireAuth> left from (the guarded view); a plain sign-in stays here.
  const outcome = useRedirectCallback({
    onRedirectCallback: (_appState, returnTo) => returnTo && navigate(returnTo),
  });
  const [dismissed, setDismissed] = useState(false);
  if (outcome.status === 'pending') {
    return (
      <p className="muted small notice" data-testid="redirect-pending">
        Back from the provider: exchanging the code…
      </p>
    );
  }
  if (outcome.status === 'done' || dismissed) return null;
  const { code, providerCode, description, message } = outcome.error;
  return (
    <div className="warn small notice callback-error" role="alert" data-testid="auth-error">
      <div>
        Sign-in by redirect: <code data-testid="auth-error-code">{code}</code>
        {providerCode && providerCode !== code ? (
          <>
            {' '}
            (provider: <code>{providerCode}</code>)
          </>
        ) : null}
        . {EXPLAIN[code] ?? message}
        {description ? <span className="provider-says"> “{description}”</span> : null}
      </div>
      <button
        type="button"
        className="dismiss"
        aria-label="Dismiss"
        onClick={() => setDismissed(true)}
      >
        ×
      </button>
    </div>
  );
}
