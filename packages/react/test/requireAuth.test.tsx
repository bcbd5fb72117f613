import type { JsonValue, TokenManager } from '@baton/core';
import { ciam } from '@baton/core/dialects';
import { signInWithPassword } from '@baton/core/password';
import { signInWithRedirect } from '@baton/core/redirect';
import { act, cleanup, render, screen } from '@testing-library/react';
import { type ReactElement, type ReactNode, StrictMode } from 'react';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  BatonProvider,
  type RedirectCallbackOptions,
  RequireAuth,
  useAuth,
  useRedirectCallback,
} from '../src/index.js';
import { ALICE, Boundary, CIAM, channelName, logIn, setUrl, setup, until } from './support.js';

const env = setup();

/** A manager whose dialect can sign in by redirect, on the mock's login page. */
const redirectManager = (options: { channel?: string } = {}) =>
  env.manager({
    dialect: ciam({
      ...CIAM,
      tokenUrl: `${env.mock.url}/oauth2/token`,
      authorizeUrl: `${env.mock.url}/oauth2/authorize`,
    }),
    ...options,
  });

/** `location.assign`, watched and kept from navigating (happy-dom would load the login page). */
const watchAssign = () => vi.spyOn(window.location, 'assign').mockImplementation(() => {});
afterEach(() => vi.restoreAllMocks());

const Private = () => <p data-testid="view">{`private for ${useAuth().profile?.sub}`}</p>;
const view = () => screen.queryByTestId('view')?.textContent;

function Guarded({ manager, children }: { manager: TokenManager; children?: ReactNode }) {
  return (
    <BatonProvider manager={manager}>
      <RequireAuth fallback={<p data-testid="view">fallback</p>}>
        <Private />
      </RequireAuth>
      {children}
    </BatonProvider>
  );
}

describe('RequireAuth', () => {
  it('renders the fallback while loading, then the view with a session from another tab', async () => {
    const channel = channelName();
    const live = redirectManager({ channel });
    await live.ready;
    await signInWithPassword(live, ALICE);
    const assign = watchAssign();
    const fresh = redirectManager({ channel });
    render(<Guarded manager={fresh} />);
    expect(view()).toBe('fallback');
    await until(() => view() !== 'fallback', 'the hand-off');
    expect(view()).toBe('private for alice');
    expect(assign).not.toHaveBeenCalled();
  });

  it('signed out: leaves once (StrictMode, two guards) with the page as return-to, and comes back to it', async () => {
    setUrl('http://localhost:3000/orders/42?tab=2#notes');
    const signInsBefore = env.mock.stats().signIns;
    const manager = redirectManager();
    const assign = watchAssign();
    render(
      <StrictMode>
        <Guarded manager={manager}>
          <RequireAuth>
            <p>second guarded view</p>
          </RequireAuth>
        </Guarded>
      </StrictMode>,
    );
    expect(view()).toBe('fallback');
    await until(() => assign.mock.calls.length > 0, 'the redirect');
    const authorizeUrl = String(assign.mock.calls[0]?.[0]);
    expect(authorizeUrl.startsWith(`${env.mock.url}/oauth2/authorize?`)).toBe(true);
    // The return-to stays in this tab's storage, never in the URL.
    expect(authorizeUrl).not.toMatch(/notes|returnTo|tab%3D2/);
    expect(new URL(authorizeUrl).searchParams.get('redirect_uri')).toBe(
      'http://localhost:3000/orders/42',
    );
    expect(view()).toBe('fallback');

    // Back from the provider: the callback page hands the app state to onRedirectCallback.
    const callbackUrl = await logIn(env.mock.url, authorizeUrl);
    // By now any second redirect, started by a second effect or guard, would have left too.
    expect(assign).toHaveBeenCalledTimes(1);
    cleanup();
    setUrl(callbackUrl);
    const calls: [JsonValue | undefined, string | undefined][] = [];
    const onRedirectCallback: NonNullable<RedirectCallbackOptions['onRedirectCallback']> = (
      appState,
      returnTo,
    ) => calls.push([appState, returnTo]);
    const { unmount } = render(
      <StrictMode>
        <Guarded manager={manager}>
          <Callback onRedirectCallback={onRedirectCallback} />
        </Guarded>
      </StrictMode>,
    );
    await until(() => view() === 'private for bob', 'the exchange');
    expect(calls).toEqual([[{ returnTo: '/orders/42?tab=2#notes' }, '/orders/42?tab=2#notes']]);
    expect(assign).toHaveBeenCalledTimes(1);
    expect(env.mock.stats().signIns).toBe(signInsBefore + 1);

    // A re-mount of the callback page does not call it again.
    unmount();
    render(
      <Guarded manager={manager}>
        <Callback onRedirectCallback={onRedirectCallback} />
      </Guarded>,
    );
    await until(() => screen.getByTestId('callback').textContent === 'done', 'the re-mount');
    expect(calls).toHaveLength(1);

    // Signed out later (in any tab): the guard leaves again, once.
    await act(() => manager.signOut());
    await until(() => assign.mock.calls.length === 2, 'the second redirect');
    expect(view()).toBe('fallback');
  });

  it('does not leave while a callback is handled, nor after it failed (no loop on Deny)', async () => {
    setUrl('http://localhost:3000/callback?state=forged&error=access_denied');
    const manager = redirectManager();
    const assign = watchAssign();
    render(<Guarded manager={manager} />);
    await act(() => manager.ready);
    // The URL is a callback nobody handles yet: no redirect.
    expect(view()).toBe('fallback');
    render(
      <BatonProvider manager={manager}>
        <Callback />
      </BatonProvider>,
    );
    await until(() => screen.getByTestId('callback').textContent === 'error', 'the refusal');
    expect(window.location.search).toBe('');
    // The address bar is clean now; the refused exchange still keeps the guard from leaving.
    await act(() => manager.getAccessToken().catch(() => {}));
    expect(view()).toBe('fallback');
    expect(assign).not.toHaveBeenCalled();
  });

  it('a redirect that cannot start is thrown to the error boundary', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const manager = env.manager({ dialect: { ...env.dialect(), authorizeUrl: undefined } });
    render(
      <Boundary>
        <Guarded manager={manager} />
      </Boundary>,
    );
    await until(() => screen.queryByTestId('error') !== null, 'the error');
    expect(screen.getByTestId('error').textContent).toMatch(/^TypeError .*authorizeUrl/);
  });

  it('TypeScript before 5.1 takes it and the provider as JSX components: they return elements', () => {
    expectTypeOf(RequireAuth).returns.toEqualTypeOf<ReactElement>();
    expectTypeOf(BatonProvider).returns.toEqualTypeOf<ReactElement>();
  });
});

describe('onRedirectCallback', () => {
  it('gets any app state back; returnTo only for a path on this origin', async () => {
    const cases: [JsonValue, string | undefined][] = [
      [{ returnTo: '/a?b#c', cart: [1, 2] }, '/a?b#c'],
      [{ returnTo: '//evil.example/' }, undefined],
      [{ returnTo: '/\\evil.example/' }, undefined],
      [{ returnTo: 'https://evil.example/' }, undefined],
      [{ returnTo: 42 }, undefined],
      ['/plain-string', undefined],
    ];
    for (const [state, returnTo] of cases) {
      setUrl('http://localhost:3000/callback');
      const manager = redirectManager();
      const assign = watchAssign();
      await signInWithRedirect(manager, { state });
      const callbackUrl = await logIn(env.mock.url, String(assign.mock.calls[0]?.[0]));
      assign.mockRestore();
      setUrl(callbackUrl);
      const calls: unknown[][] = [];
      render(
        <BatonProvider manager={manager}>
          <Callback onRedirectCallback={(...args) => calls.push(args)} />
        </BatonProvider>,
      );
      await until(() => screen.getByTestId('callback').textContent === 'done', 'the exchange');
      expect(calls).toEqual([[state, returnTo]]);
      cleanup();
    }
  });
});

/** The callback page's part: the exchange's status. */
function Callback(options: RedirectCallbackOptions) {
  return <p data-testid="callback">{useRedirectCallback(options).status}</p>;
}
