import type { TokenManager } from '@baton/core';
import { signInWithPassword } from '@baton/core/password';
import { act, render, renderHook, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import {
  type AccessTokenState,
  BatonProvider,
  useAccessToken,
  useAuth,
  useAuthFetch,
  useTokenManager,
} from '../src/index.js';
import { ALICE, channelName, setup, until } from './support.js';

const env = setup();

const wrapper =
  (manager: TokenManager, extra: Omit<Parameters<typeof BatonProvider>[0], 'manager'> = {}) =>
  ({ children }: { children: ReactNode }) => (
    <BatonProvider manager={manager} {...extra}>
      {children}
    </BatonProvider>
  );

/** Renders the token state and counts the renders. */
function Status({ renders }: { renders: AccessTokenState[] }) {
  const state = useAccessToken();
  renders.push(state);
  return (
    <p>
      <span data-testid="status">{state.status}</span>
      <span data-testid="generation">{state.generation}</span>
    </p>
  );
}
const text = (id: string) => screen.getByTestId(id).textContent;

describe('outside a provider', () => {
  it('every hook fails with a clear message', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const hooks: (() => unknown)[] = [
      useAccessToken,
      useAuth,
      () => useAuthFetch(),
      useTokenManager,
    ];
    for (const hook of hooks) {
      expect(() => renderHook(hook)).toThrow(/no <BatonProvider> above this hook/);
    }
    vi.restoreAllMocks();
  });
});

describe('useAccessToken', () => {
  it('follows sign-in, refresh and sign-out', async () => {
    const manager = env.manager();
    const renders: AccessTokenState[] = [];
    render(<Status renders={renders} />, { wrapper: wrapper(manager) });
    expect(text('status')).toBe('signed-out');
    expect(renders.at(-1)).toMatchObject({ accessToken: undefined, generation: 0 });

    await act(() => signInWithPassword(manager, ALICE));
    expect(text('status')).toBe('valid');
    const signedIn = renders.at(-1);
    expect(signedIn?.accessToken).toBe(manager.getSnapshot().accessToken);
    expect(signedIn?.expiresAt).toBe(manager.getSnapshot().expiresAt);
    expect(signedIn?.generation).toBe(1);

    const before = env.mock.stats().refreshes;
    await act(() => signedIn?.refresh());
    expect(env.mock.stats().refreshes).toBe(before + 1);
    expect(text('generation')).toBe('2');
    expect(renders.at(-1)?.accessToken).not.toBe(signedIn?.accessToken);
    // The refresh was seen while in flight, too.
    expect(renders.map((r) => r.status)).toContain('refreshing');

    await act(() => manager.signOut());
    expect(text('status')).toBe('signed-out');
    expect(renders.at(-1)?.accessToken).toBeUndefined();
  });

  it('follows a rotation made by another manager (another tab)', async () => {
    const channel = channelName();
    const tabA = env.manager({ channel, syncTimeoutMs: 20 });
    const tabB = env.manager({ channel, syncTimeoutMs: 20 });
    await Promise.all([tabA.ready, tabB.ready]);
    const renders: AccessTokenState[] = [];
    render(<Status renders={renders} />, { wrapper: wrapper(tabB) });

    await act(() => signInWithPassword(tabA, ALICE));
    await until(() => text('status') === 'valid', 'tab B to adopt the session');
    expect(renders.at(-1)?.accessToken).toBe(tabA.getSnapshot().accessToken);

    const before = env.mock.stats().refreshes;
    await act(() => tabA.refresh());
    await until(() => text('generation') === '2', 'tab B to see the rotation');
    expect(renders.at(-1)?.accessToken).toBe(tabA.getSnapshot().accessToken);
    expect(env.mock.stats().refreshes).toBe(before + 1);

    await act(() => tabA.signOut());
    await until(() => text('status') === 'signed-out', 'tab B to sign out');
  });

  it('does not render again when nothing changed, and keeps the same object', async () => {
    const manager = env.manager();
    await signInWithPassword(manager, ALICE);
    const renders: AccessTokenState[] = [];
    const events: string[] = [];
    manager.onEvent((event) => events.push(event.type));
    const { rerender } = render(<Status renders={renders} />, { wrapper: wrapper(manager) });
    expect(renders).toHaveLength(1);

    // An event that changes nothing: the manager wakes on focus and finds all as it was.
    await act(async () => {
      window.dispatchEvent(new Event('focus'));
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    expect(events).toContain('wake');
    // A refresh for a token already replaced returns at once and changes nothing.
    await act(() => manager.refresh({ staleAccessToken: 'an-older-token' }));
    expect(renders).toHaveLength(1);

    // A parent render: the hook returns the very same object and refresh function.
    rerender(<Status renders={renders} />);
    expect(renders).toHaveLength(2);
    expect(renders[1]).toBe(renders[0]);

    await act(() => manager.refresh());
    expect(renders.at(-1)).not.toBe(renders[0]);
    expect(renders.at(-1)?.refresh).toBe(renders[0]?.refresh);
  });
});

describe('useAuth', () => {
  it('gives status and claims, and signs in and out through the manager', async () => {
    const manager = env.manager();
    const { result } = renderHook(useAuth, { wrapper: wrapper(manager) });
    expect(result.current).toMatchObject({ status: 'signed-out', claims: undefined });
    // Sign-in is the app's import, with the provider's manager: useAuth() carries no signIn.
    expect(result.current).not.toHaveProperty('signIn');
    const { result: provided } = renderHook(useTokenManager, { wrapper: wrapper(manager) });
    await act(() => signInWithPassword(provided.current, ALICE));
    expect(result.current.status).toBe('valid');
    expect(result.current.claims).toMatchObject({ sub: 'alice', aud: 'TENANT_CLIENT_ID' });
    await act(() => result.current.signOut());
    expect(result.current).toMatchObject({ status: 'signed-out', claims: undefined });
    expect(manager.getSnapshot().status).toBe('signed-out');
  });

  it('the provider serves the manager to useTokenManager', () => {
    const manager = env.manager();
    const { result } = renderHook(useTokenManager, { wrapper: wrapper(manager) });
    expect(result.current).toBe(manager);
  });
});

describe('useAuthFetch', () => {
  it('calls the API with the provider’s options, and refreshes on a 401', async () => {
    const manager = env.manager();
    await signInWithPassword(manager, ALICE);
    const { result } = renderHook(useAuthFetch, {
      wrapper: wrapper(manager, { authFetchOptions: { allowedOrigins: [env.mock.url] } }),
    });
    const ok = await result.current(`${env.mock.url}/api/me`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, sub: 'alice' });

    env.expireServerSide();
    const before = env.mock.stats();
    const again = await act(() => result.current(`${env.mock.url}/api/me`));
    expect(again.status).toBe(200);
    const after = env.mock.stats();
    expect(after.refreshes - before.refreshes).toBe(1);
    expect(after.api401 - before.api401).toBe(1);
    expect(after.apiOk - before.apiOk).toBe(1);
  });

  it('is the same function while the options’ contents are the same', () => {
    const manager = env.manager();
    const { result, rerender } = renderHook(
      ({ origin }: { origin: string }) => useAuthFetch({ allowedOrigins: [origin] }),
      { initialProps: { origin: 'https://a.example' }, wrapper: wrapper(manager) },
    );
    const first = result.current;
    rerender({ origin: 'https://a.example' });
    expect(result.current).toBe(first);
    rerender({ origin: 'https://b.example' });
    expect(result.current).not.toBe(first);
  });

  it('hook options override the provider’s, key by key', async () => {
    const manager = env.manager();
    await signInWithPassword(manager, ALICE);
    const seen: (string | null)[] = [];
    const recorder = async (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(new Request(input, init).headers.get('authorization'));
      return new Response('{}');
    };
    const { result } = renderHook(() => useAuthFetch({ fetch: recorder }), {
      wrapper: wrapper(manager, { authFetchOptions: { allowedOrigins: ['https://api.example'] } }),
    });
    await result.current('https://api.example/x');
    await result.current('https://other.example/x');
    expect(seen).toEqual([`Bearer ${manager.getSnapshot().accessToken}`, null]);
  });
});
