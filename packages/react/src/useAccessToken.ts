import type { BatonError, SessionStatus } from '@baton/core';
import { useCallback, useMemo } from 'react';
import { useSnapshot } from './useSnapshot.js';

/** What {@link useAccessToken} returns: the same object until the session changes. */
export interface AccessTokenState {
  readonly accessToken: string | undefined;
  readonly status: SessionStatus;
  /** When the access token expires, ms since the epoch. */
  readonly expiresAt: number | undefined;
  /** Grows with every new token, in any tab. */
  readonly generation: number;
  /** The last refresh error, while it matters. */
  readonly error: BatonError | undefined;
  /** Refreshes now (once across tabs); stable, safe as an event handler. */
  readonly refresh: () => Promise<string>;
}

/**
 * The session's access token and state. Renders again only when the manager publishes a new
 * snapshot; the token may be about to be refreshed: for a request, prefer `useAuthFetch()`.
 */
export function useAccessToken(): AccessTokenState {
  const [snapshot, { manager }] = useSnapshot();
  // No arguments: an onClick event must not reach manager.refresh as its options.
  const refresh = useCallback(() => manager.refresh(), [manager]);
  return useMemo(() => {
    const { accessToken, status, expiresAt, generation, error } = snapshot;
    return { accessToken, status, expiresAt, generation, error, refresh };
  }, [snapshot, refresh]);
}
