import { type AuthFetch, type AuthFetchOptions, createAuthFetch } from '@baton/core/auth-fetch';
import { useMemo } from 'react';
import { useBaton } from './context.js';

/**
 * A `fetch` that carries the session's token (see `createAuthFetch`): the provider's
 * `authFetchOptions`, overridden per key by `options`. The same function while the options'
 * contents are the same, so inline option objects are fine.
 */
export function useAuthFetch(options?: AuthFetchOptions): AuthFetch {
  const { manager, authFetchOptions } = useBaton();
  const merged: AuthFetchOptions = { ...authFetchOptions, ...options };
  const { fetch, retryOn401, allowedOrigins } = merged;
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the contents, not identity
  return useMemo(
    () => createAuthFetch(manager, merged),
    [manager, fetch, retryOn401, allowedOrigins?.join(' ')],
  );
}
