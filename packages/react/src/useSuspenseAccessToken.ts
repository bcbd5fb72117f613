import { isBatonError, type Snapshot, type TokenManager } from '@baton/core';
import { useSnapshot } from './useSnapshot.js';

/** One attempt to get a token for one snapshot, with its outcome readable during render. */
interface Attempt {
  readonly snapshot: Snapshot;
  readonly promise: Promise<void>;
  token?: string;
  error?: unknown;
}

/** The current attempt of each manager: every component suspends on the same promise. */
const attempts = new WeakMap<TokenManager, Attempt>();

function attempt(manager: TokenManager, snapshot: Snapshot): Attempt {
  const current: Attempt = {
    snapshot,
    promise: manager.getAccessToken().then(
      (token) => {
        current.token = token;
      },
      (error: unknown) => {
        // A transient failure: the manager retries by itself; stay suspended until it reports.
        if (isBatonError(error) && !error.terminal)
          return new Promise<void>((resolve) => {
            const off = manager.subscribe(() => {
              off();
              resolve();
            });
          });
        // Signed out by a terminal failure: the cause (e.g. invalid_grant) says more.
        current.error = (snapshot.status === 'signed-out' && snapshot.error) || error;
      },
    ),
  };
  attempts.set(manager, current);
  return current;
}

/**
 * A valid access token. Suspends (nearest `<Suspense>`) while there is none yet, e.g. before the
 * first token or while an expired one is refreshed; transient failures keep it suspended while
 * the manager retries. Throws the terminal `BatonError` (or `signed_out`) to the nearest error
 * boundary. The component renders again with each new token.
 */
export function useSuspenseAccessToken(): string {
  const [snapshot, { manager }] = useSnapshot();
  const { accessToken, expiresAt = 0 } = snapshot;
  // A token still good while a refresh runs is used: no fallback flash every few minutes.
  if (accessToken && Date.now() < expiresAt) return accessToken;
  let current = attempts.get(manager);
  // One attempt per snapshot: a settled one is read, not repeated, so nothing loops.
  if (current?.snapshot !== snapshot) current = attempt(manager, snapshot);
  if (current.token) return current.token;
  throw current.error || current.promise;
}
