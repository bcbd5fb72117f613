import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type MockServer, startMockServer } from '@baton/mock-server';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAuthFetch } from '../src/authFetch.js';
import { dialects } from '../src/dialects/index.js';
import {
  BatonError,
  createTokenManager,
  type TokenManager,
  type TokenManagerOptions,
} from '../src/index.js';
import { signInWithPassword } from '../src/password.js';

const CIAM = { clientId: 'TENANT_CLIENT_ID', clientSecret: 'TENANT_CLIENT_SECRET' };
const ALICE = { username: 'alice', password: 'alice-password' };
const CHALLENGE = { 'www-authenticate': 'Bearer error="invalid_token"' };

/** Server clock offset: moving it past the access TTL kills every access token server side. */
let skew = 0;
let mock: MockServer;

/** What the echo server received. */
interface Seen {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: string;
}
let echo: Server;
let echoOrigin: string;
let seen: Seen[] = [];
/** Access tokens the echo server answers 401 invalid_token to. */
let revoked = new Set<string>();

const readBody = async (req: IncomingMessage) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
};

beforeAll(async () => {
  mock = await startMockServer({ port: 0, now: () => Date.now() + skew });
  // A resource server on another origin that records what it receives and echoes the body.
  echo = createServer(async (req, res) => {
    const authorization = req.headers.authorization;
    const entry = { path: req.url ?? '', authorization, body: await readBody(req) };
    seen.push(entry);
    if (req.url === '/plain-401') res.writeHead(401).end();
    else if (revoked.has(authorization?.replace(/^Bearer /, '') ?? ''))
      res.writeHead(401, CHALLENGE).end();
    else res.writeHead(200, { 'content-type': 'text/plain' }).end(entry.body);
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoOrigin = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
});

afterAll(async () => {
  echo.closeAllConnections();
  await new Promise((resolve) => echo.close(resolve));
  await mock.close();
});

const managers: TokenManager[] = [];
afterEach(() => {
  for (const m of managers.splice(0)) m.destroy();
  seen = [];
  revoked = new Set();
  vi.unstubAllGlobals();
});

const dialect = () => dialects.ciam({ tokenUrl: `${mock.url}/oauth2/token`, ...CIAM });

function manager(options: Partial<TokenManagerOptions> = {}): TokenManager {
  const m = createTokenManager({ dialect: dialect(), channel: false, ...options });
  managers.push(m);
  return m;
}

async function signedIn(options: Partial<TokenManagerOptions> = {}): Promise<TokenManager> {
  const m = manager(options);
  await signInWithPassword(m, ALICE);
  return m;
}

const token = (m: TokenManager): string => m.getSnapshot().accessToken ?? '';

/** Every access token the mock issued before now is expired from the server's point of view. */
const expireServerSide = () => {
  skew += 301_000;
};

/** Counter changes since `before`. */
const delta = (before: ReturnType<MockServer['stats']>) => {
  const now = mock.stats();
  return {
    refreshes: now.refreshes - before.refreshes,
    apiOk: now.apiOk - before.apiOk,
    api401: now.api401 - before.api401,
  };
};

/** A `fetch` that never reaches the network: records the Authorization header it was given. */
function recordingFetch() {
  const calls: { url: string; authorization: string | null }[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    calls.push({ url: request.url, authorization: request.headers.get('authorization') });
    return new Response('ok');
  };
  return { calls, fetch };
}

/** Asserts that no secret appears anywhere in what an error shows. */
function expectNoSecrets(error: unknown, secrets: readonly string[]) {
  const shown = [
    String(error),
    error instanceof Error ? `${error.message}\n${error.stack}` : '',
    JSON.stringify(error),
    JSON.stringify(error instanceof Error ? { ...error, cause: String(error.cause) } : null),
  ].join('\n');
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8);
    expect(shown).not.toContain(secret);
  }
}

const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );

describe('which requests get the token', () => {
  it('adds the bearer token to an allowed origin, as the server receives it', async () => {
    const m = await signedIn();
    const authFetch = createAuthFetch(m, { allowedOrigins: [echoOrigin, mock.url] });
    const before = mock.stats();

    const response = await authFetch(`${echoOrigin}/hello`);
    expect(response.status).toBe(200);
    expect(seen).toEqual([{ path: '/hello', authorization: `Bearer ${token(m)}`, body: '' }]);

    const me = await authFetch(new URL('/api/me', mock.url));
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ ok: true, sub: 'alice' });
    expect(delta(before)).toEqual({ refreshes: 0, apiOk: 1, api401: 0 });
  });

  it('sends nothing to another origin on the same server (localhost vs 127.0.0.1)', async () => {
    const m = await signedIn();
    const authFetch = createAuthFetch(m, { allowedOrigins: [echoOrigin] });
    const other = echoOrigin.replace('127.0.0.1', 'localhost');
    expect((await authFetch(`${other}/x`)).status).toBe(200);
    expect(seen).toEqual([{ path: '/x', authorization: undefined, body: '' }]);
  });

  const denied = [
    'https://api.example.com.evil.com/v1',
    'http://api.example.com/v1',
    'https://evil.com\\@api.example.com/v1',
    'https://evil.com/https://api.example.com/v1',
    'https://evil.com/?next=https://api.example.com',
    'https://api.example.com:8443/v1',
    'https://api.example.com./v1',
    'https://xapi.example.com/v1',
    'https://sub.api.example.com/v1',
    'https://example.com/v1',
    'https://\u0430pi.example.com/v1', // Cyrillic "а": xn--pi-7kc.example.com
    'https://api.example.co/v1',
    'data:text/plain,hello',
  ];
  it.each(denied)('sends no token to %s and asks for none', async (url) => {
    const m = await signedIn();
    const getAccessToken = vi.spyOn(m, 'getAccessToken');
    const { calls, fetch } = recordingFetch();
    const authFetch = createAuthFetch(m, { allowedOrigins: ['https://api.example.com'], fetch });
    await authFetch(url);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.authorization).toBeNull();
    expect(getAccessToken).not.toHaveBeenCalled();
  });

  it.each([
    'https://api.example.com@evil.com/v1',
    'https://api.example.com:secret@evil.com/v1',
    'https://user@api.example.com/v1',
  ])('rejects %s like fetch (a URL with credentials), sending nothing', async (url) => {
    const m = await signedIn();
    const { calls, fetch } = recordingFetch();
    const authFetch = createAuthFetch(m, { allowedOrigins: ['https://api.example.com'], fetch });
    expect(await rejection(authFetch(url))).toBeInstanceOf(TypeError);
    expect(calls).toEqual([]);
  });

  const granted = [
    'https://api.example.com/v1',
    'https://API.Example.COM/v1',
    'https://api.example.com:443/v1?x=1#frag',
    new URL('https://api.example.com/v2'),
  ];
  it.each(granted)('sends the token to %s (the same origin, normalized)', async (url) => {
    const m = await signedIn();
    const { calls, fetch } = recordingFetch();
    const authFetch = createAuthFetch(m, { allowedOrigins: ['https://api.example.com/'], fetch });
    await authFetch(url);
    expect(calls.map((c) => c.authorization)).toEqual([`Bearer ${token(m)}`]);
  });

  it('allows nothing by default without a page, and the page origin by default with one', async () => {
    const m = await signedIn();
    const { calls, fetch } = recordingFetch();
    await createAuthFetch(m, { fetch })('https://app.example.com/api');
    vi.stubGlobal('location', new URL('https://app.example.com/some/page'));
    await createAuthFetch(m, { fetch })('https://app.example.com/api');
    await createAuthFetch(m, { fetch })('https://api.example.com/api');
    expect(calls.map((c) => c.authorization)).toEqual([null, `Bearer ${token(m)}`, null]);
  });

  it('never sends the token to the token endpoint, even on an allowed origin', async () => {
    const m = await signedIn();
    const getAccessToken = vi.spyOn(m, 'getAccessToken');
    const { calls, fetch } = recordingFetch();
    const authFetch = createAuthFetch(m, { allowedOrigins: [mock.url], fetch });
    await authFetch(`${mock.url}/oauth2/token`, { method: 'POST', body: 'grant_type=x' });
    await authFetch(`${mock.url}/oauth2/token?x=1#y`);
    await authFetch(`${mock.url}/api/me`);
    expect(calls.map((c) => c.authorization)).toEqual([null, null, `Bearer ${token(m)}`]);
    expect(getAccessToken).toHaveBeenCalledTimes(1);
  });

  it('resolves a relative token URL against the page', async () => {
    vi.stubGlobal('location', new URL('https://app.example.com/deep/page'));
    const m = createTokenManager({
      dialect: dialects.ciam({ ...CIAM, tokenUrl: '/oauth2/token' }),
      channel: false,
      // The page is not real: send its token requests to the mock.
      fetch: (input, init) => {
        const { pathname, search } = new URL(String(input));
        return globalThis.fetch(`${mock.url}${pathname}${search}`, init);
      },
    });
    managers.push(m);
    await signInWithPassword(m, ALICE);
    const { calls, fetch } = recordingFetch();
    const authFetch = createAuthFetch(m, { fetch });
    await authFetch('https://app.example.com/oauth2/token');
    await authFetch('https://app.example.com/api/me');
    expect(calls.map((c) => c.authorization)).toEqual([null, `Bearer ${token(m)}`]);
  });

  it("keeps the caller's own Authorization header", async () => {
    const m = await signedIn();
    const getAccessToken = vi.spyOn(m, 'getAccessToken');
    const authFetch = createAuthFetch(m, { allowedOrigins: [echoOrigin] });
    await authFetch(`${echoOrigin}/own`, { headers: { Authorization: 'Basic YWxpY2U6eA==' } });
    await authFetch(
      new Request(`${echoOrigin}/own`, { headers: { authorization: 'Bearer mine' } }),
    );
    expect(seen.map((s) => s.authorization)).toEqual(['Basic YWxpY2U6eA==', 'Bearer mine']);
    expect(getAccessToken).not.toHaveBeenCalled();
  });
});

describe('401: one refresh, one replay', () => {
  it('refreshes once and replays once when the server rejects the token', async () => {
    const m = await signedIn();
    const authFetch = createAuthFetch(m, { allowedOrigins: [mock.url] });
    const generation = m.getSnapshot().generation;
    expireServerSide();
    const before = mock.stats();
    const response = await authFetch(`${mock.url}/api/me`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true });
    expect(delta(before)).toEqual({ refreshes: 1, apiOk: 1, api401: 1 });
    expect(m.getSnapshot().generation).toBe(generation + 1);
  });

  it('returns a second 401 as is', async () => {
    const m = await signedIn();
    const authFetch = createAuthFetch(m, { allowedOrigins: [mock.url] });
    mock.faults({ route: 'api', status: 401, count: 2 });
    const before = mock.stats();
    const response = await authFetch(`${mock.url}/api/me`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(CHALLENGE['www-authenticate']);
    expect(await response.json()).toEqual({ error: 'invalid_token' });
    expect(delta(before).refreshes).toBe(1);
    expect(mock.pendingFaults()).toEqual([]);
  });

  it('replays only on invalid_token by default; on any 401 with retryOn401: always', async () => {
    const m = await signedIn();
    const before = mock.stats();
    const plain = createAuthFetch(m, { allowedOrigins: [echoOrigin] });
    expect((await plain(`${echoOrigin}/plain-401`)).status).toBe(401);
    expect(seen).toHaveLength(1);
    expect(delta(before).refreshes).toBe(0);

    const always = createAuthFetch(m, { allowedOrigins: [echoOrigin], retryOn401: 'always' });
    expect((await always(`${echoOrigin}/plain-401`)).status).toBe(401);
    expect(seen).toHaveLength(3);
    expect(delta(before).refreshes).toBe(1);
    expect(seen[2]?.authorization).toBe(`Bearer ${token(m)}`);
    expect(seen[1]?.authorization).not.toBe(seen[2]?.authorization);
  });

  const json = JSON.stringify({ hello: 'wörld', n: [1, 2, 3] });
  const bodies: [string, () => [RequestInfo | URL, RequestInit?], string][] = [
    ['a JSON string', () => [`${echoOrigin}/post`, { method: 'POST', body: json }], json],
    [
      'a plain string',
      () => [`${echoOrigin}/post`, { method: 'PUT', body: 'x'.repeat(5000) }],
      'x'.repeat(5000),
    ],
    [
      'URLSearchParams',
      () => [`${echoOrigin}/post`, { method: 'POST', body: new URLSearchParams({ a: '1 2' }) }],
      'a=1+2',
    ],
    [
      'bytes',
      () => [`${echoOrigin}/post`, { method: 'POST', body: new TextEncoder().encode(json) }],
      json,
    ],
    ['a Request', () => [new Request(`${echoOrigin}/post`, { method: 'POST', body: json })], json],
  ];
  it.each(bodies)('replays a POST with %s body, with the same body', async (_, args, expected) => {
    const m = await signedIn();
    const authFetch = createAuthFetch(m, { allowedOrigins: [echoOrigin] });
    const first = token(m);
    revoked.add(first);
    const before = mock.stats();
    const response = await authFetch(...args());
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(expected);
    expect(delta(before).refreshes).toBe(1);
    expect(seen).toEqual([
      { path: '/post', authorization: `Bearer ${first}`, body: expected },
      { path: '/post', authorization: `Bearer ${token(m)}`, body: expected },
    ]);
    expect(token(m)).not.toBe(first);
  });

  it('does not replay a ReadableStream body: returns the 401, but refreshes for the next call', async () => {
    const m = await signedIn();
    const authFetch = createAuthFetch(m, { allowedOrigins: [echoOrigin] });
    const first = token(m);
    revoked.add(first);
    const before = mock.stats();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    const init = { method: 'POST', body, duplex: 'half' } as RequestInit;
    const response = await authFetch(`${echoOrigin}/stream`, init);
    expect(response.status).toBe(401);
    expect(seen).toEqual([{ path: '/stream', authorization: `Bearer ${first}`, body: 'streamed' }]);
    expect(delta(before).refreshes).toBe(1);
    expect((await authFetch(`${echoOrigin}/after`)).status).toBe(200);
    expect(seen[1]?.authorization).toBe(`Bearer ${token(m)}`);
  });

  it('sends no refresh of its own when the token was rotated while the request was out', async () => {
    const m = await signedIn();
    const first = token(m);
    revoked.add(first);
    // Another caller (or tab) rotates while the first request is in flight.
    const rotating = async (input: RequestInfo | URL, init?: RequestInit) => {
      if (seen.length === 0) await m.refresh();
      return fetch(input, init);
    };
    const authFetch = createAuthFetch(m, { allowedOrigins: [echoOrigin], fetch: rotating });
    const before = mock.stats();
    expect((await authFetch(`${echoOrigin}/raced`)).status).toBe(200);
    expect(delta(before).refreshes).toBe(1);
    expect(seen.map((s) => s.authorization)).toEqual([`Bearer ${first}`, `Bearer ${token(m)}`]);
  });

  it('knows the token it sent is older when a newer one arrived before it read the snapshot', async () => {
    const m = await signedIn();
    const first = token(m);
    await m.refresh();
    revoked.add(first);
    // The token handed out just before a rotation landed: its generation is the older one.
    vi.spyOn(m, 'getAccessToken').mockResolvedValueOnce(first);
    const authFetch = createAuthFetch(m, { allowedOrigins: [echoOrigin] });
    const before = mock.stats();
    expect((await authFetch(`${echoOrigin}/late`)).status).toBe(200);
    expect(delta(before).refreshes).toBe(0);
    expect(seen.map((s) => s.authorization)).toEqual([`Bearer ${first}`, `Bearer ${token(m)}`]);
  });

  it('refreshes exactly once for 50 concurrent requests that all get a 401', async () => {
    const m = await signedIn();
    const authFetch = createAuthFetch(m, { allowedOrigins: [mock.url] });
    expireServerSide();
    const before = mock.stats();
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => authFetch(`${mock.url}/api/me`)),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(delta(before)).toEqual({ refreshes: 1, apiOk: 50, api401: 50 });
  });

  it('rejects with the terminal refresh error, signs out, and leaks no token', async () => {
    const m = await signedIn();
    const authFetch = createAuthFetch(m, { allowedOrigins: [mock.url] });
    const accessToken = token(m);
    expireServerSide();
    mock.faults({ route: 'token', grant: 'refresh_token', status: 400, error: 'invalid_grant' });
    const error = await rejection(authFetch(`${mock.url}/api/me`));
    expect(error).toBeInstanceOf(BatonError);
    expect(error).toMatchObject({ code: 'invalid_grant', terminal: true });
    expect(m.getSnapshot().status).toBe('signed-out');
    expectNoSecrets(error, [accessToken]);
  });
});

describe('AbortSignal', () => {
  const isAbortError = (error: unknown) => expect(error).toMatchObject({ name: 'AbortError' });

  it('rejects before sending when already aborted (with the reason, like fetch)', async () => {
    const m = await signedIn();
    const { calls, fetch } = recordingFetch();
    const authFetch = createAuthFetch(m, { allowedOrigins: [mock.url], fetch });
    const controller = new AbortController();
    controller.abort();
    isAbortError(await rejection(authFetch(`${mock.url}/api/me`, { signal: controller.signal })));
    const reason = new Error('navigated away');
    const error = await rejection(
      authFetch(`${mock.url}/api/me`, { signal: AbortSignal.abort(reason) }),
    );
    expect(error).toBe(reason);
    expect(calls).toEqual([]);
  });

  it('rejects while waiting for the token (a refresh in flight)', async () => {
    // Tokens obtained outside the manager, whose access token has already expired.
    const d = dialect();
    const request = d.buildTokenRequest({ type: 'password', ...ALICE });
    const res = await fetch(request.url, request);
    const result = d.parseTokenResponse({
      status: res.status,
      headers: res.headers,
      body: await res.text(),
    });
    const refreshToken = result.refreshToken ?? '';
    const m = manager({ minRefreshIntervalMs: 0 });
    mock.faults({ route: 'token', latencyMs: 10_000 });
    m.setTokens({ accessToken: 'expired-token-value', refreshToken, expiresAt: Date.now() - 1 });
    const { calls, fetch: recorder } = recordingFetch();
    const authFetch = createAuthFetch(m, { allowedOrigins: [mock.url], fetch: recorder });
    const controller = new AbortController();
    m.onEvent((event) => {
      if (event.type === 'refresh-start') controller.abort();
    });
    const started = Date.now();
    const error = await rejection(authFetch(`${mock.url}/api/me`, { signal: controller.signal }));
    isAbortError(error);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(m.getSnapshot().status).toBe('refreshing');
    expect(calls).toEqual([]);
    expectNoSecrets(error, [refreshToken, result.accessToken]);
  });

  it('rejects while the refresh after a 401 is in flight', async () => {
    const m = await signedIn();
    const authFetch = createAuthFetch(m, { allowedOrigins: [mock.url] });
    expireServerSide();
    mock.faults({ route: 'token', latencyMs: 10_000 });
    const controller = new AbortController();
    m.onEvent((event) => {
      if (event.type === 'refresh-start') setTimeout(() => controller.abort(), 10);
    });
    const before = mock.stats();
    isAbortError(await rejection(authFetch(`${mock.url}/api/me`, { signal: controller.signal })));
    expect(delta(before)).toEqual({ refreshes: 0, apiOk: 0, api401: 1 });
  });

  it('rejects during the fetch itself', async () => {
    const m = await signedIn();
    const authFetch = createAuthFetch(m, { allowedOrigins: [mock.url] });
    mock.faults({ route: 'api', latencyMs: 10_000 });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    isAbortError(await rejection(authFetch(`${mock.url}/api/me`, { signal: controller.signal })));
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('without a session', () => {
  it('rejects with BatonError(signed_out) and sends nothing', async () => {
    const { calls, fetch } = recordingFetch();
    const never = createAuthFetch(manager(), { allowedOrigins: [mock.url], fetch });
    const error = await rejection(never(`${mock.url}/api/me`));
    expect(error).toBeInstanceOf(BatonError);
    expect(error).toMatchObject({ code: 'signed_out', terminal: true });

    const m = await signedIn();
    const accessToken = token(m);
    await m.signOut();
    const after = createAuthFetch(m, { allowedOrigins: [mock.url], fetch });
    const again = await rejection(after(`${mock.url}/api/me`, { method: 'POST', body: 'x' }));
    expect(again).toMatchObject({ code: 'signed_out' });
    expect(calls).toEqual([]);
    expectNoSecrets(again, [accessToken]);
  });
});
