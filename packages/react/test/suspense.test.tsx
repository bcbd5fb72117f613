import type { TokenManager } from '@baton/core';
import { signInWithPassword } from '@baton/core/password';
import { act, cleanup, render, screen } from '@testing-library/react';
import { Suspense } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { BatonProvider, useSuspenseAccessToken } from '../src/index.js';
import { ALICE, Boundary, channelName, setup, until } from './support.js';

const env = setup();

function Token({ renders }: { renders?: string[] }) {
  const token = useSuspenseAccessToken();
  renders?.push(token);
  return <p data-testid="token">{token}</p>;
}

function app(manager: TokenManager, renders?: string[]) {
  return (
    <BatonProvider manager={manager}>
      <Boundary>
        <Suspense fallback={<p data-testid="fallback">loading</p>}>
          {renders ? <Token renders={renders} /> : <Token />}
        </Suspense>
      </Boundary>
    </BatonProvider>
  );
}
const shown = (id: string) => screen.queryByTestId(id)?.textContent;

describe('useSuspenseAccessToken', () => {
  it('renders at once when a valid token is there', async () => {
    const manager = env.manager();
    await signInWithPassword(manager, ALICE);
    render(app(manager));
    expect(shown('token')).toBe(manager.getSnapshot().accessToken);
  });

  it('suspends until a new tab has the session from another tab, then renders it', async () => {
    const channel = channelName();
    const first = env.manager({ channel });
    await first.ready;
    await signInWithPassword(first, ALICE);
    const newTab = env.manager({ channel });
    render(app(newTab));
    expect(shown('fallback')).toBe('loading');
    await until(() => shown('token') !== undefined, 'the token');
    expect(shown('token')).toBe(first.getSnapshot().accessToken);
    expect(newTab.getSnapshot().generation).toBe(1);
  });

  it('suspends while an expired token is refreshed, once, and renders the new one', async () => {
    const { refreshToken = '' } = await env.rawSignIn();
    const manager = env.manager({ minRefreshIntervalMs: 0 });
    env.mock.faults({ route: 'token', latencyMs: 200 });
    manager.setTokens({ accessToken: 'expired.token', refreshToken, expiresAt: Date.now() - 1 });
    const before = env.mock.stats().refreshes;
    const getAccessToken = vi.spyOn(manager, 'getAccessToken');
    const renders: string[] = [];
    render(app(manager, renders));
    expect(shown('fallback')).toBe('loading');
    await until(() => shown('token') !== undefined, 'the token');
    expect(shown('token')).toBe(manager.getSnapshot().accessToken);
    expect(shown('token')).not.toBe('expired.token');
    expect(env.mock.stats().refreshes).toBe(before + 1);
    expect(renders).not.toContain('expired.token');
    // Suspended components share one attempt per snapshot: no loop of token requests.
    expect(getAccessToken.mock.calls.length).toBeLessThanOrEqual(3);
  });

  it('keeps showing a valid token while a refresh runs (no fallback flash)', async () => {
    const manager = env.manager();
    await signInWithPassword(manager, ALICE);
    const renders: string[] = [];
    render(app(manager, renders));
    env.mock.faults({ route: 'token', latencyMs: 100 });
    const refreshed = manager.refresh();
    await until(() => manager.getSnapshot().status === 'refreshing', 'refreshing');
    expect(shown('fallback')).toBeUndefined();
    await act(() => refreshed);
    expect(shown('token')).toBe(await refreshed);
    expect(renders[0]).not.toBe(renders.at(-1));
  });

  it('throws signed_out to the error boundary when there is no session', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const manager = env.manager();
    render(app(manager));
    await until(() => shown('error') !== undefined, 'the error boundary');
    expect(shown('error')).toMatch(/^BatonError signed_out /);
    vi.restoreAllMocks();
  });

  it('throws a terminal refresh error (invalid_grant) to the error boundary', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const manager = env.manager({ minRefreshIntervalMs: 0 });
    const before = env.mock.stats().invalidGrant;
    manager.setTokens({ accessToken: 'a.b', refreshToken: 'revoked-long-ago', expiresAt: 0 });
    render(app(manager));
    await until(() => shown('error') !== undefined, 'the error boundary');
    expect(shown('error')).toMatch(/^BatonError invalid_grant /);
    expect(env.mock.stats().invalidGrant).toBe(before + 1);
    expect(manager.getSnapshot().status).toBe('signed-out');
    // Mounted after the session ended: the boundary still learns why, not just signed_out.
    cleanup();
    render(app(manager));
    await until(() => shown('error') !== undefined, 'the error boundary again');
    expect(shown('error')).toMatch(/^BatonError invalid_grant /);
    vi.restoreAllMocks();
  });

  it('stays suspended through a transient failure and renders once the retry succeeds', async () => {
    const { refreshToken = '' } = await env.rawSignIn();
    const manager = env.manager({
      minRefreshIntervalMs: 0,
      retry: { baseDelayMs: 50, maxDelayMs: 100 },
    });
    env.mock.faults({ route: 'token', status: 503, count: 2 });
    manager.setTokens({ accessToken: 'x.y', refreshToken, expiresAt: Date.now() - 1 });
    render(app(manager));
    expect(shown('fallback')).toBe('loading');
    await until(() => shown('token') !== undefined, 'the token after retries');
    expect(shown('token')).toBe(manager.getSnapshot().accessToken);
    expect(shown('error')).toBeUndefined();
  });
});
