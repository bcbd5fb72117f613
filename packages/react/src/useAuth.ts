import type { JwtClaims, SessionStatus } from '@baton/core';
import { useMemo } from 'react';
import { useSnapshot } from './useSnapshot.js';

/** What {@link useAuth} returns: the same object until the status or the claims change. */
export interface AuthState {
  readonly status: SessionStatus;
  /** The access token's claims when it is a JWT (decoded, not verified). */
  readonly claims: JwtClaims | undefined;
  /** Signs out in every tab. */
  readonly signOut: () => Promise<void>;
}

/**
 * Who is signed in, and sign-out. To sign in, call `signInWithRedirect(manager)` from
 * `@baton/core/redirect` (authorization code + PKCE: the recommended sign-in) with the manager
 * from `useTokenManager()`; or `signInWithPassword(manager, credentials)` from
 * `@baton/core/password` (demos and first-party apps only). An app pays only for what it imports.
 */
export function useAuth(): AuthState {
  const [{ status, claims }, { manager }] = useSnapshot();
  return useMemo<AuthState>(
    () => ({ status, claims, signOut: () => manager.signOut() }),
    [status, claims, manager],
  );
}
