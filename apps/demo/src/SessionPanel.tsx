import { signInWithPassword } from '@baton/core/password';
import { signOut as signOutAtProvider } from '@baton/core/sign-out';
import { useAccessToken, useAuth, useTokenManager } from '@baton/react';
import { type FormEvent, type ReactNode, useState } from 'react';
import {
  CALLBACK_AT_LOAD,
  RedirectCallbackNotice,
  RedirectSignInButton,
  SIGNED_OUT_AT_LOAD,
} from './RedirectSignIn.js';
import {
  CLIENTS,
  DEMO_USER,
  isMockDialect,
  redirectUri,
  type Settings,
  SIGNED_OUT_STATE,
} from './settings.js';
import { useSigningKey } from './signingKey.js';
import { boundTo } from './testHook.js';
import { formatDuration, shortTab, useNow } from './useNow.js';

const STATUS_TEXT = {
  'signed-out': 'Nobody is signed in.',
  valid: 'The access token is valid.',
  refreshing: 'A refresh is in flight (one, across all tabs).',
  expired: 'The access token expired; it is refreshed on the next use.',
  error: 'The last refresh failed; retrying with backoff.',
  loading: 'Looking for a session in the other tabs…',
} as const;

/** Status, generation, a live countdown to expiry, and sign in / sign out. */
export function SessionPanel({ settings }: { settings: Settings }): ReactNode {
  const manager = useTokenManager();
  const { status, isLoading, claims, profile, error, signOut } = useAuth();
  const { generation, expiresAt, refresh } = useAccessToken();
  const now = useNow();
  const signedWith = useSigningKey();
  const [username, setUsername] = useState<string>(DEMO_USER.username);
  const [password, setPassword] = useState<string>(DEMO_USER.password);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [backFromLogout, setBackFromLogout] = useState(SIGNED_OUT_AT_LOAD);
  // The mock's endpoints take the demo user's password; a standard provider signs in by redirect
  // only (no password grant), and signs out at the provider too.
  const standard = !isMockDialect(settings.dialect);

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setProblem(undefined);
    try {
      await action();
    } catch (caught) {
      setProblem(caught instanceof Error ? caught.message : 'Failed');
    } finally {
      setBusy(false);
    }
  };
  const onSignIn = (event: FormEvent) => {
    event.preventDefault();
    void run(() => signInWithPassword(manager, { username, password }));
  };
  // Every tab signs out at once; with a standard provider this tab then revokes the refresh token
  // (RFC 7009) and leaves for the provider's logout page (RP-Initiated Logout, a POSTed form),
  // which sends it back here.
  const onSignOut = () =>
    void run(() =>
      standard
        ? signOutAtProvider(manager, {
            postLogoutRedirectUri: redirectUri(settings),
            state: SIGNED_OUT_STATE,
          })
        : signOut(),
    );

  const left = expiresAt === undefined ? undefined : expiresAt - now;
  const lifetime =
    claims?.exp !== undefined && claims.iat !== undefined
      ? (claims.exp - claims.iat) * 1000
      : undefined;
  const fraction = left === undefined || !lifetime ? 0 : Math.min(1, Math.max(0, left / lifetime));
  const signedIn = status !== 'signed-out';
  // The ID token names the user where there is one; else the access token's claims.
  const who = [profile?.name, profile?.sub, claims?.username, claims?.sub].find(
    (name) => typeof name === 'string',
  );
  // Until the start-up is over, `signed-out` may be a session on its way: say loading.
  const shown = isLoading ? 'loading' : status;

  return (
    <section className="card session" aria-labelledby="session-title">
      <div className="card-head">
        <h2 id="session-title">Session</h2>
        <span className="muted small">
          this tab{' '}
          <code data-testid="tab-id" title={manager.tabId}>
            {shortTab(manager.tabId)}
          </code>
        </span>
      </div>

      <div className="status-row">
        <span className={`status status-${shown}`} data-testid="session-status">
          {shown}
        </span>
        <span className="muted small">{STATUS_TEXT[shown]}</span>
      </div>

      <dl className="facts">
        <div>
          <dt>Generation</dt>
          <dd className="big" data-testid="token-generation">
            {generation}
          </dd>
        </div>
        <div>
          <dt>Expires in</dt>
          <dd className="big" data-testid="expires-in">
            {left === undefined || !signedIn ? '—' : left > 0 ? formatDuration(left) : 'expired'}
          </dd>
        </div>
        <div>
          <dt>User</dt>
          <dd className="big">{signedIn && who ? String(who) : '—'}</dd>
        </div>
      </dl>
      {settings.dpop ? (
        <p className="muted small" data-testid="dpop-binding">
          DPoP: bound to key{' '}
          {claims === undefined ? (
            // An opaque access token (the OpenID provider's) does not say; the proofs do.
            <code
              data-testid="dpop-jkt"
              title="An opaque token: the key this tab's proofs are signed with, by thumbprint"
            >
              {signedIn ? (signedWith ?? '…') : '—'}
            </code>
          ) : (
            <code
              data-testid="dpop-jkt"
              title="The access token's cnf.jkt: the key's public thumbprint"
            >
              {signedIn ? (boundTo(claims) ?? 'none (a bearer token!)') : '—'}
            </code>
          )}
        </p>
      ) : null}
      <div className="meter" aria-hidden="true">
        <span style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
      </div>

      {error ? (
        <p className="warn small" data-testid="session-error">
          {signedIn ? 'Last refresh' : 'The session ended'}: {error.code}
          {error.terminal ? ' (sign in again)' : ' (transient: the session stays)'}
        </p>
      ) : null}

      {isLoading ? (
        <p className="muted small" data-testid="session-loading">
          A new tab asks the open ones for their session first: no sign-in button until it knows.
        </p>
      ) : signedIn ? (
        <div className="actions">
          <button
            type="button"
            data-testid="refresh-now"
            disabled={busy}
            onClick={() => void run(refresh)}
          >
            Refresh now
          </button>
          <button
            type="button"
            className="danger"
            data-testid="sign-out"
            disabled={busy}
            onClick={onSignOut}
          >
            {standard ? 'Sign out everywhere and at the provider' : 'Sign out everywhere'}
          </button>
          <a className="button-link" href="#private" data-testid="open-guarded">
            Guarded view
          </a>
        </div>
      ) : standard ? (
        <RedirectSignInButton settings={settings} alone />
      ) : (
        <>
          <form className="sign-in" onSubmit={onSignIn}>
            <label>
              <span>User</span>
              <input
                data-testid="username"
                autoComplete="username"
                value={username}
                onChange={(e) => setUsername(e.target.value)}
              />
            </label>
            <label>
              <span>Password</span>
              <input
                data-testid="password"
                type="password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </label>
            <button type="submit" className="primary" data-testid="sign-in" disabled={busy}>
              Sign in
            </button>
          </form>
          <RedirectSignInButton settings={settings} />
          <p className="muted small">
            Or{' '}
            <a href="#private" data-testid="open-guarded">
              open the guarded view
            </a>
            : it signs in by redirect and brings you back to it.
          </p>
        </>
      )}
      {CALLBACK_AT_LOAD ? <RedirectCallbackNotice /> : null}
      {backFromLogout && !signedIn ? (
        <div className="muted small notice" data-testid="signed-out-at-provider">
          Back from the provider's logout page: signed out here, in every tab and at the provider.
          <button
            type="button"
            className="dismiss"
            aria-label="Dismiss"
            onClick={() => setBackFromLogout(false)}
          >
            ×
          </button>
        </div>
      ) : null}
      {problem ? (
        <p className="warn small" role="alert" data-testid="session-problem">
          {problem}
        </p>
      ) : null}
      <p className="muted small hint">
        {standard ? 'Endpoints' : 'Token endpoint'}:{' '}
        <code>{CLIENTS[settings.dialect].endpoint}</code>
        {settings.proxy ? (
          <>
            , through <code>/proxy/{settings.dialect}</code>
          </>
        ) : null}
        . Every tab of this endpoint and lock shares the session: a sign-in or sign-out here reaches
        them all.
      </p>
    </section>
  );
}
