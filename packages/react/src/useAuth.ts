import type { JwtClaims, SessionStatus, TokenManager } from '@baton/core';
import { useMemo } from 'react';
import { useSnapshot } from './useSnapshot.js';

/** What {@link useAuth} returns: the same object until the status or the claims change. */
export interface AuthState {
  readonly status: SessionStatus;
  /** The access token's claims when it is a JWT (decoded, not verified). */
  readonly claims: JwtClaims | undefined;
  /** The manager's `signIn` (password grant: demos and first-party apps only). */
  readonly signIn: TokenManager['signIn'];
  /** The manager's `signInWithRedirect` (authorization code + PKCE): the recommended sign-in. */
  readonly signInWithRedirect: TokenManager['signInWithRedirect'];
  /** Signs out in every tab. */
  readonly signOut: () => Promise<void>;
}

/** Who is signed in, and the actions to change it. */
export function useAuth(): AuthState {
  const [{ status, claims }, { manager }] = useSnapshot();
  return useMemo<AuthState>(
    () => ({
      status,
      claims,
      signIn: (credentials) => manager.signIn(credentials),
      signInWithRedirect: (options) => manager.signInWithRedirect(options),
      signOut: () => manager.signOut(),
    }),
    [status, claims, manager],
  );
}
