import { DEMO_CLIENTS, DIALECTS, type DialectName } from '@baton/mock-server';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dialects } from '../src/dialects/index.js';
import { BatonError } from '../src/errors.js';
import { codeChallenge } from '../src/pkce.js';
import {
  checkNonce,
  cleanCallbackUrl,
  createAuthorizeRequest,
  parseRedirectCallback,
  type TransactionStorage,
} from '../src/redirectSignIn.js';
import { requestTokens } from '../src/tokenEndpoint.js';
import type { Dialect } from '../src/types.js';
import { mockServer } from './support.js';

/** A Map-backed stand-in for sessionStorage. */
class MapStorage implements TransactionStorage {
  readonly map = new Map<string, string>();
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.map.set(key, String(value));
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
}

const REDIRECT = 'http://127.0.0.1:5173/callback';
const APP = 'http://127.0.0.1:5173';

const local = (name: DialectName, extra: { authorizeUrl?: string; scope?: string } = {}) =>
  dialects[name]({ clientId: DEMO_CLIENTS[name].clientId, ...extra });

/** Thrown error, checked to be a BatonError. */
function caught(fn: () => unknown): BatonError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BatonError);
    return e as BatonError;
  }
  throw new Error('expected a BatonError');
}

/** Starts a sign-in; returns its URL's parameters and the storage. */
async function start(
  dialect: Dialect,
  options: Partial<Parameters<typeof createAuthorizeRequest>[1]> = {},
) {
  const storage = new MapStorage();
  const { url } = await createAuthorizeRequest(
    dialect,
    { redirectUri: REDIRECT, ...options },
    storage,
  );
  const parsed = new URL(url, APP);
  return { url, parsed, params: parsed.searchParams, storage };
}

const callback = (params: Record<string, string>) => `${REDIRECT}?${new URLSearchParams(params)}`;

/** An unsigned JWT carrying these claims. */
const jwt = (claims: object) =>
  ['{"alg":"none"}', JSON.stringify(claims), 'sig']
    .map((p, i) => (i < 2 ? Buffer.from(p).toString('base64url') : p))
    .join('.');

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('createAuthorizeRequest', () => {
  it.each(DIALECTS)('%s: the authorize URL (RFC 6749 §4.1.1, RFC 7636 §4.3)', async (name) => {
    const { url, parsed, params, storage } = await start(local(name));
    expect(url.startsWith('/oauth2/authorize?')).toBe(true);
    const [key, raw] = [...storage.map][0] ?? [];
    const stored = JSON.parse(raw ?? '{}');
    const state = params.get('state') ?? '';
    expect(Object.fromEntries(params)).toEqual({
      response_type: 'code',
      client_id: DEMO_CLIENTS[name].clientId,
      redirect_uri: REDIRECT,
      state,
      code_challenge: await codeChallenge(stored.verifier),
      code_challenge_method: 'S256',
      // OpenID Connect (ciam): scope openid and a nonce; the others send neither by default.
      ...(name === 'ciam' && { scope: 'openid', nonce: stored.nonce }),
    });
    expect(parsed.pathname).toBe('/oauth2/authorize');
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(stored.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    if (name === 'ciam') expect(stored.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key).toBe(`baton:baton:pkce:${state}`);
    expect(stored.redirectUri).toBe(REDIRECT);
    expect(Math.abs(stored.createdAt - Date.now())).toBeLessThan(5000);
    expect(storage.map.size).toBe(1);
  });

  it('scope: the caller’s, else the dialect’s; nonce: forced on or off; extraParams never override', async () => {
    const { params } = await start(local('eiam', { scope: 'userinfo' }), {
      nonce: true,
      extraParams: {
        prompt: 'login',
        state: 'mine',
        client_id: 'evil',
        nonce: 'n',
        redirect_uri: 'x',
        code_challenge_method: 'plain',
      },
    });
    expect(params.get('scope')).toBe('userinfo');
    expect(params.get('prompt')).toBe('login');
    expect(params.get('client_id')).toBe(DEMO_CLIENTS.eiam.clientId);
    expect(params.get('redirect_uri')).toBe(REDIRECT);
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.getAll('state')).toHaveLength(1);
    expect(params.get('state')).not.toBe('mine');
    expect(params.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const ciam = await start(local('ciam'), { scope: 'openid profile', nonce: false });
    expect(ciam.params.get('scope')).toBe('openid profile');
    expect(ciam.params.has('nonce')).toBe(false);
  });

  it('an authorizeUrl with a query keeps it', async () => {
    const { url } = await start(
      local('uaa', { authorizeUrl: 'https://idp.example/auth?tenant=a' }),
    );
    expect(url).toMatch(/^https:\/\/idp\.example\/auth\?tenant=a&response_type=code&/);
  });

  it('app state stays in storage, never in the URL', async () => {
    const { url, storage } = await start(local('chatroom'), { state: '/orders/42?tab=2' });
    expect(url).not.toContain('orders');
    expect([...storage.map.values()][0]).toContain('/orders/42?tab=2');
  });

  it('app state may be any JSON data, kept in storage and handed back as it was', async () => {
    const appState = { returnTo: '/orders/42?tab=2#notes', n: [1, 2.5, true, null, 'x'] };
    const { url, params, storage } = await start(local('ciam'), {
      state: { ...appState, dropped: undefined },
    });
    expect(url).not.toContain('orders');
    const cb = parseRedirectCallback(
      callback({ code: 'c', state: params.get('state') ?? '' }),
      storage,
    );
    expect(cb.state).toEqual(appState);
  });

  it('app state that JSON would change is a TypeError, and nothing is stored', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const notJson: unknown[] = [
      () => 1,
      { go: () => 1 },
      new Date(0),
      new Map(),
      Number.NaN,
      { n: Number.POSITIVE_INFINITY },
      [undefined],
      10n,
      Symbol('s'),
      cyclic,
      [[cyclic]],
    ];
    for (const state of notJson) {
      const storage = new MapStorage();
      await expect(
        createAuthorizeRequest(
          local('ciam'),
          { redirectUri: REDIRECT, state: state as never },
          storage,
        ),
      ).rejects.toThrow(TypeError);
      expect(storage.map.size).toBe(0);
    }
    // The same object twice (not a cycle) is fine.
    const shared = { a: 1 };
    await expect(
      start(local('ciam'), { state: { x: shared, y: [shared] } }),
    ).resolves.toBeDefined();
  });

  it('fresh state, verifier and nonce every time', async () => {
    const a = await start(local('ciam'));
    const b = await start(local('ciam'));
    for (const p of ['state', 'code_challenge', 'nonce'])
      expect(a.params.get(p)).not.toBe(b.params.get(p));
  });

  it('defaults to sessionStorage, and writes nothing anywhere else', async () => {
    const session = new MapStorage();
    const localStore = new MapStorage();
    vi.stubGlobal('sessionStorage', session);
    vi.stubGlobal('localStorage', localStore);
    const { url } = await createAuthorizeRequest(local('ciam'), { redirectUri: REDIRECT });
    expect(session.map.size).toBe(1);
    expect(localStore.map.size).toBe(0);
    const state = new URL(url, APP).searchParams.get('state') ?? '';
    const cb = parseRedirectCallback(callback({ code: 'c', state }));
    expect(cb.code).toBe('c');
    expect(session.map.size).toBe(0);
  });

  it('a dialect without an authorize endpoint cannot start one', async () => {
    const bare: Dialect = { ...local('ciam'), authorizeUrl: undefined };
    const started = createAuthorizeRequest(bare, { redirectUri: REDIRECT }, new MapStorage());
    await expect(started).rejects.toThrow(TypeError);
    await expect(started).rejects.toThrow(/authorizeUrl/);
  });
});

describe('parseRedirectCallback', () => {
  it('gives the grant, the nonce and the app state; the transaction is gone at once', async () => {
    const { params, storage } = await start(local('ciam'), { state: 'back-to' });
    const stored = JSON.parse([...storage.map.values()][0] ?? '{}');
    const url = callback({ code: 'the-code', state: params.get('state') ?? '', iss: 'x' });
    expect(parseRedirectCallback(url, storage)).toEqual({
      type: 'authorization_code',
      code: 'the-code',
      redirectUri: REDIRECT,
      codeVerifier: stored.verifier,
      nonce: stored.nonce,
      state: 'back-to',
    });
    expect(storage.map.size).toBe(0);
    // A reload of the callback URL.
    const again = caught(() => parseRedirectCallback(url, storage));
    expect([again.code, again.terminal]).toEqual(['invalid_state', true]);
  });

  it('no nonce or app state: none in the result', async () => {
    const { params, storage } = await start(local('uaa'));
    const cb = parseRedirectCallback(
      callback({ code: 'c', state: params.get('state') ?? '' }),
      storage,
    );
    expect([cb.nonce, cb.state]).toEqual([undefined, undefined]);
  });

  it('missing, unknown or another app’s state: invalid_state, and the real sign-in is kept', async () => {
    const { params, storage } = await start(local('ciam'), { channel: 'app-a' });
    const state = params.get('state') ?? '';
    for (const url of [
      callback({ code: 'c' }),
      callback({ code: 'c', state: '' }),
      callback({ code: 'c', state: 'forged' }),
      callback({ code: 'c', state: state.slice(1) }),
    ]) {
      expect(caught(() => parseRedirectCallback(url, storage, 'app-a')).code).toBe('invalid_state');
    }
    expect(
      caught(() => parseRedirectCallback(callback({ code: 'c', state }), storage, 'app-b')).code,
    ).toBe('invalid_state');
    expect(storage.map.size).toBe(1);
    expect(parseRedirectCallback(callback({ code: 'c', state }), storage, 'app-a').code).toBe('c');
  });

  it('an error redirect is a typed error with the provider’s words; the transaction is gone', async () => {
    for (const error of ['access_denied', 'login_required', 'invalid_scope', 'server_error']) {
      const { params, storage } = await start(local('chatroom'));
      const state = params.get('state') ?? '';
      const e = caught(() =>
        parseRedirectCallback(
          callback({ error, error_description: 'the user said no', state }),
          storage,
        ),
      );
      expect({ code: e.code, terminal: e.terminal, providerCode: e.providerCode }).toEqual({
        code: 'access_denied',
        terminal: true,
        providerCode: error,
      });
      expect(e.description).toBe('the user said no');
      expect(storage.map.size).toBe(0);
    }
    const { params, storage } = await start(local('ciam'));
    const long = caught(() =>
      parseRedirectCallback(
        callback({ error: 'x'.repeat(500), state: params.get('state') ?? '' }),
        storage,
      ),
    );
    expect([long.providerCode?.length, long.description]).toEqual([200, undefined]);
  });

  it('an error redirect without our state is invalid_state', async () => {
    const { storage } = await start(local('ciam'));
    expect(
      caught(() => parseRedirectCallback(callback({ error: 'access_denied' }), storage)).code,
    ).toBe('invalid_state');
  });

  it('a sign-in older than 10 minutes is refused', async () => {
    const t0 = Date.now();
    const now = vi.spyOn(Date, 'now').mockReturnValue(t0);
    const fresh = await start(local('eiam'));
    const stale = await start(local('eiam'));
    now.mockReturnValue(t0 + 599_000);
    const ok = callback({ code: 'c', state: fresh.params.get('state') ?? '' });
    expect(parseRedirectCallback(ok, fresh.storage).code).toBe('c');
    now.mockReturnValue(t0 + 600_000);
    const late = callback({ code: 'c', state: stale.params.get('state') ?? '' });
    expect(caught(() => parseRedirectCallback(late, stale.storage)).code).toBe('invalid_state');
    expect(stale.storage.map.size).toBe(0);
  });

  it('a corrupt transaction is invalid_state; a callback without a code is invalid_request', async () => {
    const storage = new MapStorage();
    storage.setItem('baton:baton:pkce:s1', '{not json');
    storage.setItem('baton:baton:pkce:s2', '{"redirectUri":"x","createdAt":0}');
    expect(
      caught(() => parseRedirectCallback(callback({ code: 'c', state: 's1' }), storage)).code,
    ).toBe('invalid_state');
    expect(
      caught(() => parseRedirectCallback(callback({ code: 'c', state: 's2' }), storage)).code,
    ).toBe('invalid_state');
    const { params, storage: s } = await start(local('ciam'));
    expect(
      caught(() => parseRedirectCallback(callback({ state: params.get('state') ?? '' }), s)).code,
    ).toBe('invalid_request');
  });

  it('a transaction of the wrong shape is invalid_state, never a crash', () => {
    const good = { verifier: 'v', redirectUri: REDIRECT, createdAt: Date.now() };
    const junk = [
      'null',
      '[]',
      '5',
      '"text"',
      'true',
      JSON.stringify({ ...good, verifier: 42 }),
      JSON.stringify({ ...good, verifier: '' }),
      JSON.stringify({ ...good, redirectUri: ['x'] }),
      JSON.stringify({ ...good, createdAt: String(good.createdAt) }),
      JSON.stringify({ ...good, createdAt: null }),
      JSON.stringify(good).replace(/"createdAt":\d+/, '"createdAt":1e999'),
      JSON.stringify({ ...good, nonce: 7 }),
    ];
    for (const raw of junk) {
      const storage = new MapStorage();
      storage.setItem('baton:baton:pkce:s', raw);
      const error = caught(() =>
        parseRedirectCallback(callback({ code: 'c', state: 's' }), storage),
      );
      expect([raw, error.code]).toEqual([raw, 'invalid_state']);
      expect(storage.map.size).toBe(0);
    }
    // The same shape, well typed, goes through.
    const storage = new MapStorage();
    storage.setItem('baton:baton:pkce:s', JSON.stringify({ ...good, state: { returnTo: '/' } }));
    expect(parseRedirectCallback(callback({ code: 'c', state: 's' }), storage).state).toEqual({
      returnTo: '/',
    });
  });
});

describe('nothing is sent for a bad callback, and a code is never sent twice', () => {
  const tokenAnswer = () =>
    new Response(
      JSON.stringify({
        access_token: 'at',
        refresh_token: 'rt',
        expires_in: 300,
        scope: 's',
        token_type: 'Bearer',
      }),
      {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      },
    );

  it('state mismatch: typed error, no request', async () => {
    const fetch = vi.fn(async () => tokenAnswer());
    const dialect = local('ciam');
    const { storage } = await start(dialect);
    const complete = async (url: string) =>
      requestTokens(dialect, parseRedirectCallback(url, storage), { fetch });
    await expect(complete(callback({ code: 'c', state: 'evil' }))).rejects.toMatchObject({
      code: 'invalid_state',
    });
    expect(fetch).not.toHaveBeenCalled();
  });

  it('reload: the second attempt fails before sending', async () => {
    const fetch = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => tokenAnswer());
    const dialect = local('chatroom');
    const { params, storage } = await start(dialect);
    const url = callback({ code: 'once', state: params.get('state') ?? '' });
    const complete = async () =>
      requestTokens(dialect, parseRedirectCallback(url, storage), { fetch });
    expect((await complete()).result.accessToken).toBe('at');
    await expect(complete()).rejects.toMatchObject({ code: 'invalid_state' });
    expect(fetch).toHaveBeenCalledOnce();
    expect(String(fetch.mock.calls[0]?.[1]?.body)).toContain('code=once');
  });
});

describe('checkNonce (OIDC Core §3.1.3.7)', () => {
  it('passes when the id token carries the nonce sent', () => {
    expect(() => checkNonce(jwt({ sub: 'a', nonce: 'n1' }), 'n1')).not.toThrow();
  });

  it('a different, missing or unreadable nonce is invalid_nonce', () => {
    for (const idToken of [jwt({ nonce: 'n2' }), jwt({ sub: 'a' }), jwt({ nonce: 1 }), 'opaque']) {
      const e = caught(() => checkNonce(idToken, 'n1'));
      expect([e.code, e.terminal]).toEqual(['invalid_nonce', true]);
    }
  });

  it('nothing to check without a nonce sent or an id token', () => {
    expect(() => checkNonce(jwt({ nonce: 'x' }), undefined)).not.toThrow();
    expect(() => checkNonce(undefined, 'n1')).not.toThrow();
  });
});

describe('cleanCallbackUrl', () => {
  it('strips the callback parameters with history.replaceState, keeping the rest', () => {
    const replaceState = vi.fn();
    vi.stubGlobal('location', {
      href: `${REDIRECT}?tab=2&code=c&state=s&session_state=x&iss=https%3A%2F%2Fidp&error=e&error_description=d&error_uri=u#frag`,
    });
    vi.stubGlobal('history', { state: { keep: 1 }, replaceState });
    cleanCallbackUrl();
    expect(replaceState).toHaveBeenCalledWith({ keep: 1 }, '', `${REDIRECT}?tab=2#frag`);
  });
});

describe('round trip against the mock server over HTTP', () => {
  const mock = mockServer();
  beforeAll(() => mock.start());
  afterAll(() => mock.stop());

  const dialectFor = (name: DialectName): Dialect => {
    const { url } = mock.server;
    const client = DEMO_CLIENTS[name];
    return dialects[name]({
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      tokenUrl: url + client.path,
      authorizeUrl: `${url}/oauth2/authorize`,
    });
  };

  /** Starts a sign-in, signs alice in on the login page, and returns the callback URL. */
  async function signInAtProvider(dialect: Dialect, storage: MapStorage): Promise<string> {
    const { url } = await createAuthorizeRequest(
      dialect,
      { redirectUri: REDIRECT, state: 'app-state' },
      storage,
    );
    const page = await fetch(url);
    expect([page.status, (await page.text()).includes('Deny')]).toEqual([200, true]);
    const form = new URLSearchParams(new URL(url).searchParams);
    form.set('username', 'alice');
    form.set('password', 'alice-password');
    form.set('action', 'allow');
    const login = await fetch(`${mock.server.url}/oauth2/authorize`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form,
      redirect: 'manual',
    });
    expect(login.status).toBe(302);
    return login.headers.get('location') ?? '';
  }

  it.each(DIALECTS)(
    '%s: authorize, log in, parse the callback, exchange the code',
    async (name) => {
      const dialect = dialectFor(name);
      const storage = new MapStorage();
      const location = await signInAtProvider(dialect, storage);
      expect(location.startsWith(`${REDIRECT}?code=`)).toBe(true);
      const cb = parseRedirectCallback(location, storage);
      expect(cb.state).toBe('app-state');
      const { result } = await requestTokens(dialect, cb);
      expect(result.accessToken).toBeTruthy();
      expect(result.refreshToken).toBeTruthy();
      if (name === 'ciam') {
        expect(cb.nonce).toBeTruthy();
        checkNonce(result.idToken, cb.nonce);
        expect(caught(() => checkNonce(result.idToken, 'another')).code).toBe('invalid_nonce');
      }
      const me = await fetch(`${mock.server.url}/api/me`, {
        headers: { Authorization: `Bearer ${result.accessToken}` },
      });
      expect(await me.json()).toMatchObject({ ok: true, dialect: name, username: 'alice' });
      // The reload cannot send the code again.
      expect(caught(() => parseRedirectCallback(location, storage)).code).toBe('invalid_state');
      expect(mock.server.stats().byDialect[name].signIns).toBe(1);
    },
  );

  it.each(DIALECTS)(
    '%s: a wrong verifier is a terminal error that carries no secret',
    async (name) => {
      const dialect = dialectFor(name);
      const storage = new MapStorage();
      const cb = parseRedirectCallback(await signInAtProvider(dialect, storage), storage);
      const verifier = 'W'.repeat(43);
      const e = await requestTokens(dialect, { ...cb, codeVerifier: verifier }).catch((x) => x);
      expect(e).toBeInstanceOf(BatonError);
      expect((e as BatonError).terminal).toBe(true);
      expect(name === 'eiam' ? e.description : e.code).toBe(
        name === 'eiam' ? 'invalid code challenge' : 'invalid_grant',
      );
      const text = JSON.stringify({ ...e, message: e.message });
      expect(text).not.toContain(cb.code);
      expect(text).not.toContain(verifier);
    },
  );

  it('Deny on the login page comes back as access_denied', async () => {
    const dialect = dialectFor('ciam');
    const storage = new MapStorage();
    const { url } = await createAuthorizeRequest(dialect, { redirectUri: REDIRECT }, storage);
    const form = new URLSearchParams(new URL(url).searchParams);
    form.set('action', 'deny');
    const r = await fetch(`${mock.server.url}/oauth2/authorize`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form,
      redirect: 'manual',
    });
    const e = caught(() => parseRedirectCallback(r.headers.get('location') ?? '', storage));
    expect([e.code, e.providerCode]).toEqual(['access_denied', 'access_denied']);
  });
});
