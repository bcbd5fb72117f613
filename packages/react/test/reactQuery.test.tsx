import { BatonError, type TokenManager } from '@baton/core';
import { signInWithPassword } from '@baton/core/password';
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { act, render, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { BatonProvider, useAuthFetch } from '../src/index.js';
import {
  authQueryFn,
  HttpError,
  shouldRetry,
  useClearQueriesOnSignOut,
} from '../src/reactQuery.js';
import { ALICE, channelName, setup, until } from './support.js';

const env = setup();

function Providers(props: { manager: TokenManager; client: QueryClient; children: ReactNode }) {
  return (
    <BatonProvider manager={props.manager} authFetchOptions={{ allowedOrigins: [env.mock.url] }}>
      <QueryClientProvider client={props.client}>{props.children}</QueryClientProvider>
    </BatonProvider>
  );
}

/** GET /api/me through authQueryFn, showing the result or the error. */
function Me() {
  const authFetch = useAuthFetch();
  const query = useQuery({
    queryKey: [`${env.mock.url}/api/me`],
    queryFn: authQueryFn<{ ok: boolean; sub: string }>(authFetch),
    retry: shouldRetry,
    retryDelay: 10,
  });
  if (query.error) {
    const e = query.error as { name: string; code?: string; status?: number };
    return <p data-testid="error">{`${e.name} ${e.code ?? e.status}`}</p>;
  }
  return <p data-testid="me">{query.data ? `${query.data.sub} ${query.data.ok}` : 'loading'}</p>;
}
const shown = (id: string) => screen.queryByTestId(id)?.textContent;

describe('authQueryFn', () => {
  it('fetches queryKey[0] through authFetch, refreshing on a 401', async () => {
    const manager = env.manager();
    await signInWithPassword(manager, ALICE);
    env.expireServerSide();
    const before = env.mock.stats();
    render(
      <Providers manager={manager} client={new QueryClient()}>
        <Me />
      </Providers>,
    );
    await until(() => shown('me') === 'alice true', 'the query');
    const after = env.mock.stats();
    expect(after.refreshes - before.refreshes).toBe(1);
    expect(after.api401 - before.api401).toBe(1);
    expect(after.apiOk - before.apiOk).toBe(1);
  });

  it('rejects with HttpError on a non-2xx answer, and passes the query signal', async () => {
    const seen: Request[] = [];
    const authFetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(new Request(input, init));
      return new Response('{"error":"nope"}', { status: 403 });
    };
    const signal = new AbortController().signal;
    const queryFn = authQueryFn(authFetch, { headers: { accept: 'application/json' } });
    const error = await Promise.resolve(
      queryFn({ queryKey: ['https://api.example/x'], signal, meta: undefined } as never),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(403);
    expect(seen[0]?.url).toBe('https://api.example/x');
    expect(seen[0]?.headers.get('accept')).toBe('application/json');
  });
});

describe('shouldRetry', () => {
  it('retries what a retry can fix, up to 3 times', () => {
    const http = (status: number) => new HttpError(new Response(null, { status }));
    const retried = [
      new BatonError('network', 'offline'),
      new BatonError('server_error', '503', { status: 503 }),
      new BatonError('rate_limited', '429', { status: 429 }),
      http(500),
      http(503),
      http(408),
      http(429),
      new TypeError('Failed to fetch'),
    ];
    for (const error of retried) expect(shouldRetry(0, error), String(error)).toBe(true);
    expect(shouldRetry(3, new BatonError('network', 'offline'))).toBe(false);
    const final = [
      new BatonError('signed_out', 'Not signed in'),
      new BatonError('invalid_grant', 'revoked'),
      new BatonError('aborted', 'aborted'),
      http(401),
      http(403),
      http(404),
    ];
    for (const error of final) expect(shouldRetry(0, error), String(error)).toBe(false);
  });

  it('makes a query fail at once, without retries, when signed out', async () => {
    const manager = env.manager();
    await manager.ready;
    const getAccessToken = vi.spyOn(manager, 'getAccessToken');
    const before = env.mock.stats();
    render(
      <Providers manager={manager} client={new QueryClient()}>
        <Me />
      </Providers>,
    );
    await until(() => shown('error') !== undefined, 'the query error');
    expect(shown('error')).toBe('BatonError signed_out');
    expect(getAccessToken).toHaveBeenCalledTimes(1);
    const after = env.mock.stats();
    expect(after.api401 + after.apiOk).toBe(before.api401 + before.apiOk);
  });
});

function Sync({ client }: { client?: QueryClient }) {
  useClearQueriesOnSignOut(client);
  return null;
}

describe('useClearQueriesOnSignOut', () => {
  it('clears the cache when another tab signs out', async () => {
    const channel = channelName();
    const tabA = env.manager({ channel, syncTimeoutMs: 20 });
    const tabB = env.manager({ channel, syncTimeoutMs: 20 });
    await Promise.all([tabA.ready, tabB.ready]);
    await signInWithPassword(tabB, ALICE);
    await until(() => tabA.getSnapshot().status === 'valid', 'tab A to adopt the session');
    const client = new QueryClient();
    render(
      <Providers manager={tabB} client={client}>
        <Sync />
        <Me />
      </Providers>,
    );
    await until(() => shown('me') === 'alice true', 'the query');
    expect(client.getQueryCache().getAll()).toHaveLength(1);

    // A refresh (status refreshing → valid) keeps the cache.
    await act(() => tabB.refresh());
    expect(client.getQueryData([`${env.mock.url}/api/me`])).toMatchObject({ ok: true });

    await act(() => tabA.signOut());
    await until(() => tabB.getSnapshot().status === 'signed-out', 'tab B to sign out');
    expect(client.getQueryData([`${env.mock.url}/api/me`])).toBeUndefined();
  });

  it('takes an explicit client too, and stops listening on unmount', async () => {
    const manager = env.manager();
    await signInWithPassword(manager, ALICE);
    const client = new QueryClient();
    client.setQueryData(['a'], 1);
    const { unmount } = render(
      <BatonProvider manager={manager}>
        <Sync client={client} />
      </BatonProvider>,
    );
    await act(() => manager.signOut());
    expect(client.getQueryData(['a'])).toBeUndefined();
    await act(() => signInWithPassword(manager, ALICE));
    unmount();
    client.setQueryData(['b'], 2);
    await manager.signOut();
    expect(client.getQueryData(['b'])).toBe(2);
  });
});
