import { request } from 'node:http';
import { createTokenManager, type TokenManager, type TokenManagerOptions } from '@baton/core';
import { ciam } from '@baton/core/dialects';
import { type MockServer, startMockServer } from '@baton/mock-server';
import { act, cleanup } from '@testing-library/react';
import { Component, type ReactNode } from 'react';
import { afterAll, afterEach, beforeAll } from 'vitest';

export const CIAM = { clientId: 'TENANT_CLIENT_ID', clientSecret: 'TENANT_CLIENT_SECRET' };
export const ALICE = { username: 'alice', password: 'alice-password' };

/**
 * One real mock server per test file, and the managers a test made, destroyed after it.
 * `skew` moves the server's clock: past the access TTL, every issued access token is dead there.
 */
export function setup() {
  const state = { skew: 0 } as { skew: number; mock: MockServer };
  const managers: TokenManager[] = [];
  beforeAll(async () => {
    state.mock = await startMockServer({ port: 0, now: () => Date.now() + state.skew });
  });
  afterAll(() => state.mock.close());
  afterEach(() => {
    // No vitest globals here, so Testing Library cannot unmount by itself.
    cleanup();
    for (const m of managers.splice(0)) m.destroy();
  });
  const dialect = () => ciam({ tokenUrl: `${state.mock.url}/oauth2/token`, ...CIAM });
  return {
    get mock() {
      return state.mock;
    },
    dialect,
    expireServerSide() {
      state.skew += 301_000;
    },
    /** A manager on the mock (happy-dom's fetch: a browser-like one that enforces CORS). */
    manager(options: Partial<TokenManagerOptions> = {}): TokenManager {
      const m = createTokenManager({ dialect: dialect(), channel: false, ...options });
      managers.push(m);
      return m;
    },
    /** Tokens obtained outside any manager, as an app's own sign-in would. */
    async rawSignIn() {
      const d = dialect();
      const request = d.buildTokenRequest({ type: 'password', ...ALICE });
      const res = await fetch(request.url, request);
      return d.parseTokenResponse({
        status: res.status,
        headers: res.headers,
        body: await res.text(),
      });
    },
  };
}

/** happy-dom's handle on the page's address (typed here: its global types are not loaded). */
export const setUrl = (url: string) =>
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(url);

/**
 * Posts the mock's login form as a person would (user bob), returning where it redirects to:
 * the callback URL with `code` and `state`.
 */
export function logIn(mockUrl: string, authorizeUrl: string): Promise<string> {
  const form = new URLSearchParams(new URL(authorizeUrl).searchParams);
  form.set('username', 'bob');
  form.set('password', 'bob-password');
  const body = form.toString();
  return new Promise((resolve, reject) => {
    const req = request(
      `${mockUrl}/oauth2/authorize`,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      (res) => {
        res.resume();
        resolve(res.headers.location ?? '');
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A fresh BroadcastChannel name: managers on it are the tabs of one app. */
export const channelName = () => `react-test-${Math.random().toString(36).slice(2)}`;

/**
 * Resolves once `predicate` holds (polling, bounded). Each wait is its own act(): React flushes
 * its queued work (renders, Suspense retries) when an act() scope ends, not inside one.
 */
export async function until(predicate: () => boolean, what = 'condition', ms = 5000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await act(() => new Promise((resolve) => setTimeout(resolve, 5)));
  }
}

/** Shows the caught error's name, code and message. */
export class Boundary extends Component<{ children?: ReactNode }, { error?: unknown }> {
  override state: { error?: unknown } = {};
  static getDerivedStateFromError(error: unknown) {
    return { error };
  }
  override render() {
    const { error } = this.state;
    if (error === undefined) return this.props.children;
    const e = error as { name?: string; code?: string; message?: string };
    return <p data-testid="error">{`${e.name} ${e.code} ${e.message}`}</p>;
  }
}
