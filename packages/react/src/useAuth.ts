import type { BatonError, JwtClaims, SessionStatus } from '@baton/core';
import { useMemo } from 'react';
import { useSnapshot } from './useSnapshot.js';

/** What {@link useAuth} returns: the same object until one of its fields changes. */
export interface AuthState {
  readonly status: SessionStatus;
  /**
   * True until the start-up is over (`manager.ready`: storage read, the other tabs asked). Render
   * a loading state then, not a sign-in button: a session from another tab may be on its way.
   */
  readonly isLoading: boolean;
  /**
   * After the start-up, whether there is a session: `valid`, `refreshing`, `expired` (refreshed
   * on the next use) or `error` (a transient failure, retried). False while loading.
   */
  readonly isAuthenticated: boolean;
  /** The last refresh error, while it matters: transient while retried, or what ended the session. */
  readonly error: BatonError | undefined;
  /** The access token's claims when it is a JWT (decoded, not verified). */
  readonly claims: JwtClaims | undefined;
  /** The ID token's claims (OpenID Connect: `name`, `email`…), decoded, not verified. */
  readonly profile: JwtClaims | undefined;
  /** Signs out in every tab. */
  readonly signOut: () => Promise<void>;
}

/**
 * Who is signed in, whether we know yet, and sign-out. To sign in, call `signInWithRedirect(manager)`
 * from `@baton/core/redirect` (authorization code + PKCE: the recommended sign-in) with the
 * manager from `useTokenManager()`, or wrap a view in `<RequireAuth>`; or
 * `signInWithPassword(manager, credentials)` from `@baton/core/password` (demos and first-party
 * apps only). An app pays only for what it imports.
 */
export function useAuth(): AuthState {
  const [{ status, ready, error, claims, profile }, { manager }] = useSnapshot();
  return useMemo<AuthState>(
    () => ({
      status,
      isLoading: !ready,
      isAuthenticated: ready && status !== 'signed-out',
      error,
      claims,
      profile,
      signOut: () => manager.signOut(),
    }),
    [status, ready, error, claims, profile, manager],
  );
}
