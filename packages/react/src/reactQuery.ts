// The `@baton/react/query` entry: apps without React Query never load it.
import { isBatonError } from '@baton/core';
import type { AuthFetch } from '@baton/core/auth-fetch';
import { type QueryClient, type QueryFunction, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTokenManager } from './context.js';

/** A non-2xx answer, as {@link authQueryFn} rejects with it. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(readonly response: Response) {
    super(`Request failed with HTTP ${response.status}`);
  }
  get status(): number {
    return this.response.status;
  }
}

/**
 * A query function that GETs `queryKey[0]` (a URL) through `authFetch`, with the query's
 * `signal`, resolving to the JSON body and rejecting with an {@link HttpError} on non-2xx:
 * `useQuery({ queryKey: ['/api/me'], queryFn: authQueryFn(authFetch) })`.
 */
export function authQueryFn<T = unknown>(
  authFetch: AuthFetch,
  init?: RequestInit,
): QueryFunction<T, readonly [string | URL, ...unknown[]]> {
  return async ({ queryKey: [url], signal }) => {
    const response = await authFetch(url, { ...init, signal });
    if (!response.ok) throw new HttpError(response);
    return (await response.json()) as T;
  };
}

/**
 * React Query's `retry`: up to 3 attempts, none for what a retry cannot fix: a terminal
 * `BatonError` (the session is over, `signed_out` included), an abort, or an HTTP 4xx answer
 * (a 401 was already refreshed and replayed once by authFetch) other than 408 and 429.
 */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= 3) return false;
  if (isBatonError(error)) return !error.terminal && error.code !== 'aborted';
  const status = error instanceof HttpError ? error.status : 0;
  return status < 400 || status >= 500 || status === 408 || status === 429;
}

/**
 * Clears the QueryClient's cache (the signed-in user's data) when the session ends, whichever tab
 * ended it. Default client: the one of the nearest `QueryClientProvider`.
 */
export function useClearQueriesOnSignOut(queryClient?: QueryClient): void {
  const manager = useTokenManager();
  const client = useQueryClient(queryClient);
  useEffect(() => {
    let status = manager.getSnapshot().status;
    return manager.subscribe(() => {
      const previous = status;
      status = manager.getSnapshot().status;
      if (status === 'signed-out' && previous !== status) client.clear();
    });
  }, [manager, client]);
}
