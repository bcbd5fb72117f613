import { DEMO_CLIENTS, DIALECTS } from '@baton/mock-server';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { dialects } from '../src/dialects/index.js';
import { createTokenManager } from '../src/index.js';
import { handleRedirectCallback, signInWithRedirect } from '../src/redirect.js';
import { mockServer } from './support.js';

const mock = mockServer();
beforeAll(() => mock.start());
afterAll(() => mock.stop());
afterEach(() => vi.unstubAllGlobals());

it.each(DIALECTS)('%s: wired manager round trip', async (name) => {
  const store = new Map<string, string>();
  vi.stubGlobal('sessionStorage', {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => store.set(k, v),
    removeItem: (k: string) => store.delete(k),
  });
  const loc = {
    href: 'http://127.0.0.1:5173/app?x=1',
    origin: 'http://127.0.0.1:5173',
    pathname: '/app',
    assign: vi.fn(),
  };
  vi.stubGlobal('location', loc);
  const replaceState = vi.fn((_s: unknown, _t: string, u: string) => {
    loc.href = u;
  });
  vi.stubGlobal('history', { state: null, replaceState });
  const { url } = mock.server;
  const client = DEMO_CLIENTS[name];
  const manager = createTokenManager({
    dialect: dialects[name]({
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      tokenUrl: url + client.path,
      authorizeUrl: `${url}/oauth2/authorize`,
    }),
    channel: false,
  });
  await manager.ready;
  // App state: any JSON data (an object here), handed back as it went.
  const appState = { returnTo: '/orders/42?tab=2#notes', tried: [1, { again: false }], note: null };
  await signInWithRedirect(manager, { state: appState });
  const authorize = new URL(loc.assign.mock.calls[0]?.[0]);
  expect(authorize.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:5173/app');
  const form = new URLSearchParams(authorize.searchParams);
  form.set('username', 'bob');
  form.set('password', 'bob-password');
  const r = await fetch(`${url}/oauth2/authorize`, {
    method: 'POST',
    body: form,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  const back = r.headers.get('location') ?? '';
  loc.href = back;
  expect(await handleRedirectCallback(manager)).toEqual({ state: appState });
  expect(loc.href).toBe('http://127.0.0.1:5173/app');
  expect(manager.getSnapshot().status).toBe('valid');
  const me = await fetch(`${url}/api/me`, {
    headers: { Authorization: `Bearer ${await manager.getAccessToken()}` },
  });
  expect(await me.json()).toMatchObject({ username: 'bob', dialect: name });
  await expect(handleRedirectCallback(manager, back)).rejects.toMatchObject({
    code: 'invalid_state',
  });
  expect(mock.server.stats().byDialect[name].signIns).toBe(1);
  expect(store.size).toBe(0);
  manager.destroy();
});

it('refuses, without leaving, an authorizeUrl that led back to this app (a dev server loop)', async () => {
  vi.stubGlobal('sessionStorage', new Map());
  // The dev server answered the page-relative default with the app itself, which signs in again.
  const loc = {
    href: 'http://127.0.0.1:5173/oauth2/authorize?response_type=code&state=s',
    origin: 'http://127.0.0.1:5173',
    pathname: '/oauth2/authorize',
    assign: vi.fn(),
  };
  vi.stubGlobal('location', loc);
  const manager = createTokenManager({
    dialect: dialects.ciam({ clientId: 'app' }),
    channel: false,
  });
  await manager.ready;
  const refused = signInWithRedirect(manager);
  await expect(refused).rejects.toThrow(TypeError);
  await expect(refused).rejects.toThrow(
    /authorizeUrl \(\/oauth2\/authorize\) led back to this app/,
  );
  expect(loc.assign).not.toHaveBeenCalled();
  // From any other page of the app, the same dialect leaves for its authorizeUrl.
  Object.assign(loc, { href: 'http://127.0.0.1:5173/app', pathname: '/app' });
  vi.stubGlobal('sessionStorage', { setItem: vi.fn() });
  await signInWithRedirect(manager);
  expect(new URL(loc.assign.mock.calls[0]?.[0], loc.href).pathname).toBe('/oauth2/authorize');
  manager.destroy();
});
