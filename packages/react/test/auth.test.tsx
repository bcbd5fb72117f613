import type { TokenManager } from '@baton/core';
import { signInWithPassword } from '@baton/core/password';
import { act, render, renderHook, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { type AuthState, BatonProvider, useAuth } from '../src/index.js';
import { ALICE, channelName, setup, until } from './support.js';

const env = setup();

const wrapper =
  (manager: TokenManager) =>
  ({ children }: { children: ReactNode }) => (
    <BatonProvider manager={manager}>{children}</BatonProvider>
  );

/** What a page built on useAuth shows, recording every render. */
function Page({ renders }: { renders: AuthState[] }) {
  const auth = useAuth();
  renders.push(auth);
  if (auth.isLoading) return <p data-testid="page">loading</p>;
  return (
    <p data-testid="page">
      {auth.isAuthenticated ? `hello ${auth.profile?.sub}` : 'sign-in button'}
    </p>
  );
}
const page = () => screen.getByTestId('page').textContent;

describe('useAuth: loading, then the session', () => {
  it('a new tab shows loading, then the session it adopted: never a sign-in button', async () => {
    const channel = channelName();
    const live = env.manager({ channel, lock: 'broadcast' });
    await live.ready;
    await signInWithPassword(live, ALICE);
    const fresh = env.manager({ channel, lock: 'broadcast' });
    const renders: AuthState[] = [];
    render(<Page renders={renders} />, { wrapper: wrapper(fresh) });
    expect(page()).toBe('loading');
    expect(renders[0]).toMatchObject({ isLoading: true, isAuthenticated: false });
    await until(() => page() !== 'loading', 'the start-up');
    expect(page()).toBe('hello alice');
    // The flash the issue saw (signed-out → valid) would be a render like this one.
    expect(renders.filter((r) => !r.isLoading && r.status === 'signed-out')).toEqual([]);
  });

  it('alone, loading ends signed out: then isAuthenticated is false', async () => {
    const manager = env.manager();
    const renders: AuthState[] = [];
    render(<Page renders={renders} />, { wrapper: wrapper(manager) });
    expect(page()).toBe('loading');
    await act(() => manager.ready);
    expect(page()).toBe('sign-in button');
    expect(renders.at(-1)).toMatchObject({
      status: 'signed-out',
      isLoading: false,
      isAuthenticated: false,
      error: undefined,
      profile: undefined,
    });
  });
});

describe('useAuth: profile and claims', () => {
  it('profile is the ID token’s claims, claims the access token’s; both gone at sign-out', async () => {
    const manager = env.manager();
    const { result } = renderHook(useAuth, { wrapper: wrapper(manager) });
    await act(() => signInWithPassword(manager, ALICE));
    const { profile, claims } = result.current;
    // The CIAM mock's ID token names the client as its audience and authorized party.
    expect(profile).toMatchObject({
      sub: 'alice',
      aud: 'TENANT_CLIENT_ID',
      azp: 'TENANT_CLIENT_ID',
    });
    expect(claims).toMatchObject({ sub: 'alice', scope: ['openid'] });
    expect(claims).not.toHaveProperty('azp');
    expect(result.current.isAuthenticated).toBe(true);
    await act(() => result.current.signOut());
    expect(result.current).toMatchObject({ profile: undefined, claims: undefined });
    expect(result.current.isAuthenticated).toBe(false);
  });

  it('the same object across renders while nothing in it changed', async () => {
    const manager = env.manager();
    await manager.ready;
    await signInWithPassword(manager, ALICE);
    const { result, rerender } = renderHook(useAuth, { wrapper: wrapper(manager) });
    const first = result.current;
    rerender();
    expect(result.current).toBe(first);
    await act(() => manager.refresh());
    expect(result.current).not.toBe(first);
  });
});

describe('useAuth: error', () => {
  it('a transient failure shows, and the session stays', async () => {
    const manager = env.manager({ retry: { attempts: 1 } });
    const { result } = renderHook(useAuth, { wrapper: wrapper(manager) });
    await act(() => signInWithPassword(manager, ALICE));

    env.mock.faults({ route: 'token', grant: 'refresh_token', status: 503, count: 1 });
    await act(() => manager.refresh().catch(() => {}));
    expect(result.current.error).toMatchObject({ code: 'server_error', terminal: false });
    expect(result.current.isAuthenticated).toBe(true);
  });

  it('a terminal failure ends the session: the error is its cause', async () => {
    const manager = env.manager();
    const { result } = renderHook(useAuth, { wrapper: wrapper(manager) });
    await act(() => signInWithPassword(manager, ALICE));
    env.mock.faults({
      route: 'token',
      grant: 'refresh_token',
      status: 400,
      error: 'invalid_grant',
      count: 1,
    });
    await act(() => manager.refresh().catch(() => {}));
    expect(result.current).toMatchObject({ status: 'signed-out', isAuthenticated: false });
    expect(result.current.error).toMatchObject({ code: 'invalid_grant', terminal: true });
  });
});
