import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENTS, DIALECTS, type MockServer, startMockServer } from '../src/index.js';
import {
  answer,
  decodeJwt,
  isInvalidGrant,
  me,
  refresh,
  signIn,
  TestClock,
  token,
  tokensOf,
} from './support.js';

const ACCESS_TTL = 300;
const REFRESH_TTL = 3600;
const clock = new TestClock();
let server: MockServer;
let base: string;

beforeAll(async () => {
  server = await startMockServer({
    port: 0,
    host: '127.0.0.1',
    accessTtl: ACCESS_TTL,
    refreshTtl: REFRESH_TTL,
    now: clock.now,
  });
  base = server.url;
});
afterAll(() => server.close());

describe('CIAM POST /oauth2/token (form body)', () => {
  it('signs in and refreshes with the seed shape: RS256 JWTs with kid, expires_in = TTL - 1', async () => {
    const first = await signIn(base, 'ciam');
    const a = await refresh(base, 'ciam', first.refreshToken);
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(a.headers.get('cache-control')).toBe('no-store');
    const body = a.body as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      'access_token',
      'refresh_token',
      'scope',
      'id_token',
      'token_type',
      'expires_in',
    ]);
    expect(body).toMatchObject({ scope: 'openid', token_type: 'Bearer', expires_in: 299 });
    expect(body.refresh_token).not.toBe(first.refreshToken);

    const jwks = (await answer(await fetch(`${base}/.well-known/jwks.json`))).body as {
      keys: { kid: string }[];
    };
    const keySet = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
    const access = decodeJwt(body.access_token as string);
    expect(access.header).toEqual({ kid: jwks.keys[0]?.kid, typ: 'JWT', alg: 'RS256' });
    expect(access.payload).toMatchObject({
      sub: 'alice',
      aud: 'TENANT_CLIENT_ID',
      scope: ['openid'],
      iss: base,
    });
    expect((access.payload.exp as number) - (access.payload.iat as number)).toBe(ACCESS_TTL);
    expect(access.payload.iat).toBe(Math.floor(clock.t / 1000));
    await expect(
      jwtVerify(body.access_token as string, keySet, { currentDate: new Date(clock.t) }),
    ).resolves.toBeTruthy();

    const id = await jwtVerify(body.id_token as string, keySet, {
      audience: 'TENANT_CLIENT_ID',
      issuer: base,
      currentDate: new Date(clock.t),
    });
    expect(id.payload).toMatchObject({ sub: 'alice', azp: 'TENANT_CLIENT_ID' });
  });

  it('answers the seed and RFC 6749 errors', async () => {
    const { refreshToken } = await signIn(base, 'ciam');
    const cases: [Record<string, string>, object, number, string][] = [
      [{ grant_type: 'refresh_token', refresh_token: 'nope' }, {}, 400, 'invalid_grant'],
      [{ grant_type: 'password', username: 'alice', password: 'x' }, {}, 400, 'invalid_grant'],
      [{ grant_type: 'password', username: 'mallory', password: 'x' }, {}, 400, 'invalid_grant'],
      [
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        { secret: 'bad' },
        401,
        'invalid_client',
      ],
      [
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        { secret: false },
        401,
        'invalid_client',
      ],
      [
        { grant_type: 'refresh_token', client_id: 'other', refresh_token: refreshToken },
        {},
        401,
        'invalid_client',
      ],
      [{ grant_type: 'client_credentials' }, {}, 400, 'unsupported_grant_type'],
      [{ refresh_token: refreshToken }, {}, 400, 'invalid_request'],
      [{ grant_type: 'refresh_token' }, {}, 400, 'invalid_request'],
      [{ grant_type: 'password', username: 'alice' }, {}, 400, 'invalid_request'],
    ];
    for (const [params, init, status, error] of cases) {
      const a = await token(base, 'ciam', params, init);
      expect({ params, status: a.status, body: a.body }).toEqual({
        params,
        status,
        body: { error },
      });
    }
    // None of those spent the refresh token.
    expect((await refresh(base, 'ciam', refreshToken)).status).toBe(200);
  });

  it('accepts client_secret_basic, but not two authentication methods at once', async () => {
    const basic = `Basic ${Buffer.from('TENANT_CLIENT_ID:TENANT_CLIENT_SECRET').toString('base64')}`;
    const ok = await token(
      base,
      'ciam',
      { grant_type: 'password', username: 'bob', password: 'bob-password' },
      { secret: false, headers: { Authorization: basic } },
    );
    expect(ok.status).toBe(200);
    const both = await token(
      base,
      'ciam',
      { grant_type: 'password', username: 'bob', password: 'bob-password' },
      { headers: { Authorization: basic } },
    );
    expect([both.status, both.body]).toEqual([400, { error: 'invalid_request' }]);
    const wrong = await token(
      base,
      'ciam',
      { grant_type: 'password', username: 'bob', password: 'bob-password' },
      { secret: false, headers: { Authorization: 'Basic !!!' } },
    );
    expect([wrong.status, wrong.body]).toEqual([401, { error: 'invalid_client' }]);
  });

  it('reads only the form body: parameters in the query string do not count', async () => {
    const q = new URLSearchParams({
      grant_type: 'password',
      username: 'alice',
      password: 'alice-password',
      client_id: 'TENANT_CLIENT_ID',
      client_secret: 'TENANT_CLIENT_SECRET',
    });
    const a = await answer(
      await fetch(`${base}/oauth2/token?${q}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: '',
      }),
    );
    expect([a.status, a.body]).toEqual([400, { error: 'invalid_request' }]);
  });
});

describe('EIAM POST /auth/oauth2/token (query string)', () => {
  it('signs in and refreshes with opaque tokens and the seed shape', async () => {
    const first = await signIn(base, 'eiam');
    expect(first.accessToken).toMatch(/^[0-9a-f]{32}$/);
    const a = await refresh(base, 'eiam', first.refreshToken);
    expect(a.status).toBe(200);
    const body = a.body as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['access_token', 'expires_in', 'refresh_token']);
    expect(body.expires_in).toBe(ACCESS_TTL);
    expect(body.refresh_token).toMatch(/^[0-9a-f]{32}$/);
    expect(body.refresh_token).not.toBe(first.refreshToken);
  });

  it('decodes the URL-encoded secret: "+/=" must arrive as %2B%2F%3D', async () => {
    const secret = DEMO_CLIENTS.eiam.clientSecret;
    expect(secret).toBe('eiam-demo-secret+/=');
    const q = new URLSearchParams({
      client_id: 'eiam-demo-client',
      client_secret: secret,
      grant_type: 'password',
      username: 'alice',
      password: 'alice-password',
    }).toString();
    expect(q).toContain('client_secret=eiam-demo-secret%2B%2F%3D');
    const ok = await answer(await fetch(`${base}/auth/oauth2/token?${q}`, { method: 'POST' }));
    expect(ok.status).toBe(200);
    // Unencoded, the "+" reads as a space: the secret no longer matches.
    const raw = q.replace('eiam-demo-secret%2B%2F%3D', 'eiam-demo-secret+/=');
    const bad = await answer(await fetch(`${base}/auth/oauth2/token?${raw}`, { method: 'POST' }));
    expect([bad.status, bad.body]).toEqual([
      400,
      { error: 'invalid_request', error_description: 'invalid client' },
    ]);
  });

  it('answers the seed errors exactly', async () => {
    const invalid = (d: string) => ({ error: 'invalid_request', error_description: d });
    const cases: [Record<string, string>, object, number, object][] = [
      [
        { grant_type: 'refresh_token', refresh_token: 'x' },
        { secret: 'bad' },
        400,
        invalid('invalid client'),
      ],
      [
        { grant_type: 'refresh_token', refresh_token: 'x' },
        { secret: false },
        400,
        invalid('invalid client'),
      ],
      [{ grant_type: 'client_credentials' }, {}, 400, invalid('invalid grant_type')],
      [
        {
          grant_type: 'authorization_code',
          code: 'nope',
          redirect_uri: 'http://127.0.0.1/cb',
          code_verifier: 'v'.repeat(43),
        },
        {},
        400,
        invalid('invalid code'),
      ],
      [{}, {}, 400, invalid('invalid grant_type')],
      [{ grant_type: 'refresh_token' }, {}, 400, invalid('missing refresh_token parameter')],
      [{ grant_type: 'password', password: 'p' }, {}, 400, invalid('missing username parameter')],
      [
        { grant_type: 'password', username: 'alice' },
        {},
        400,
        invalid('missing password parameter'),
      ],
      [
        { grant_type: 'password', username: 'alice', password: 'wrong' },
        {},
        403,
        { error: 'unauthorized_client', error_description: 'invalid user password' },
      ],
      [
        { grant_type: 'refresh_token', refresh_token: 'dead' },
        {},
        400,
        { error: 'invalid_grant', error_description: 'invalid refresh_token' },
      ],
    ];
    for (const [params, init, status, body] of cases) {
      const a = await token(base, 'eiam', params, init);
      expect({ params, status: a.status, body: a.body }).toEqual({ params, status, body });
    }
  });

  it('ignores the body: form parameters do not sign in', async () => {
    const body = new URLSearchParams({
      client_id: 'eiam-demo-client',
      client_secret: 'eiam-demo-secret+/=',
      grant_type: 'password',
      username: 'alice',
      password: 'alice-password',
    });
    const a = await answer(
      await fetch(`${base}/auth/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
      }),
    );
    expect(a.status).toBe(400);
    expect(a.body).toEqual({ error: 'invalid_request', error_description: 'invalid grant_type' });
  });
});

describe('UAA GET /public/uaa/oauth2/token (query string, envelope, milliseconds)', () => {
  it('signs in and refreshes with the seed envelope', async () => {
    const first = await signIn(base, 'uaa', 'bob');
    const a = await refresh(base, 'uaa', first.refreshToken);
    expect(a.status).toBe(200);
    const body = a.body as {
      rc: number;
      mc: string;
      ma: unknown[];
      result: Record<string, unknown>;
    };
    expect([body.rc, body.mc, body.ma]).toEqual([0, 'SUCCESS', []]);
    expect(Object.keys(body.result)).toEqual([
      'user_id',
      'access_token',
      'refresh_token',
      'expires_in',
      'refresh_expires_in',
      'client_id',
      'scope',
    ]);
    expect(body.result).toMatchObject({
      user_id: '10000002',
      expires_in: ACCESS_TTL * 1000 - 1,
      refresh_expires_in: REFRESH_TTL * 1000 - 1,
      client_id: '35LF2FSLHX5IRQA4',
      scope: 'userinfo',
    });
    const jwt = decodeJwt(body.result.access_token as string);
    expect(jwt.header).toEqual({ alg: 'RS256' });
    expect(jwt.payload).toMatchObject({
      sub: '2',
      'user-id': 2,
      scope: 'userinfo',
      iss: base,
      client_id: '35LF2FSLHX5IRQA4',
    });
    expect((jwt.payload.exp as number) - (jwt.payload.iat as number)).toBe(ACCESS_TTL);
  });

  it('fails with HTTP 200 and a non-zero rc', async () => {
    const env = (rc: number, mc: string, message: string) => ({
      rc,
      mc,
      ma: [message],
      result: null,
    });
    const cases: [Record<string, string>, object, object][] = [
      [
        { grant_type: 'refresh_token', refresh_token: 'x' },
        {},
        env(40001, 'INVALID_GRANT', 'refresh token is invalid'),
      ],
      [
        { grant_type: 'password', username: 'bob', password: 'x' },
        {},
        env(40001, 'INVALID_GRANT', 'invalid username or password'),
      ],
      [
        { grant_type: 'refresh_token', refresh_token: 'x' },
        { secret: 'no' },
        env(40101, 'INVALID_CLIENT', 'client authentication failed'),
      ],
      [
        { grant_type: 'refresh_token' },
        {},
        env(40000, 'INVALID_REQUEST', 'missing refresh_token parameter'),
      ],
      [{ grant_type: 'implicit' }, {}, env(40000, 'INVALID_REQUEST', 'unsupported grant_type')],
    ];
    for (const [params, init, body] of cases) {
      const a = await token(base, 'uaa', params, init);
      expect({ params, status: a.status, body: a.body }).toEqual({ params, status: 200, body });
    }
  });

  it('refuses POST and HEAD with 405 (a HEAD must not spend a refresh token)', async () => {
    const { refreshToken } = await signIn(base, 'uaa');
    const q = new URLSearchParams({
      client_id: '35LF2FSLHX5IRQA4',
      client_secret: 'uaa-demo-secret',
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    for (const method of ['POST', 'HEAD']) {
      const r = await fetch(`${base}/public/uaa/oauth2/token?${q}`, { method });
      expect(r.status).toBe(405);
      expect(r.headers.get('allow')).toBe('GET');
    }
    expect((await refresh(base, 'uaa', refreshToken)).status).toBe(200);
    expect(server.stats().byDialect.uaa.reuseDetected).toBe(0);
  });
});

describe('chat-room POST /chatroom/api/token (form body, HS256)', () => {
  it('signs in and refreshes with every required field', async () => {
    const first = await signIn(base, 'chatroom');
    const a = await refresh(base, 'chatroom', first.refreshToken);
    expect(a.status).toBe(200);
    const body = a.body as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'scope',
      'token_type',
    ]);
    expect(body).toMatchObject({
      expires_in: ACCESS_TTL,
      scope: 'user_info_read',
      token_type: 'Bearer',
    });
    const jwt = decodeJwt(body.access_token as string);
    expect(jwt.header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(jwt.payload.aud).toEqual(['000000']);
    expect(jwt.payload.sub).toBe('10000001');
    expect(jwt.payload.exp).toBe(Math.floor(clock.t / 1000) + ACCESS_TTL);
    expect(jwt.payload).not.toHaveProperty('iat');
  });

  it('answers RFC 6749 §5.2 errors', async () => {
    const cases: [Record<string, string>, object, number, string][] = [
      [{ grant_type: 'refresh_token', refresh_token: 'x' }, {}, 400, 'invalid_grant'],
      [{ grant_type: 'password', username: 'alice', password: 'x' }, {}, 400, 'invalid_grant'],
      [
        { grant_type: 'refresh_token', refresh_token: 'x' },
        { secret: '999998' },
        401,
        'invalid_client',
      ],
      [
        { grant_type: 'refresh_token', refresh_token: 'x' },
        { secret: false },
        401,
        'invalid_client',
      ],
      [
        { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer' },
        {},
        400,
        'unsupported_grant_type',
      ],
      [{ grant_type: 'refresh_token' }, {}, 400, 'invalid_request'],
    ];
    for (const [params, init, status, error] of cases) {
      const a = await token(base, 'chatroom', params, init);
      expect({ params, status: a.status, error: (a.body as { error?: unknown }).error }).toEqual({
        params,
        status,
        error,
      });
      expect(typeof (a.body as { error_description?: unknown }).error_description).toBe('string');
    }
  });
});

describe('every dialect', () => {
  it.each(DIALECTS)(
    '%s: the access token works at /api/me, and its refresh token is bound to its client',
    async (dialect) => {
      const s = await signIn(base, dialect);
      const ok = await me(base, s.accessToken);
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ ok: true, dialect, username: 'alice' });
      // Another route's client cannot spend it, and that attempt does not harm the session.
      const other = DIALECTS.find((d) => d !== dialect) ?? 'ciam';
      expect(isInvalidGrant(other, await refresh(base, other, s.refreshToken))).toBe(true);
      const a = await refresh(base, dialect, s.refreshToken);
      expect(a.status).toBe(200);
      expect(tokensOf(dialect, a.body).refreshToken).not.toBe(s.refreshToken);
    },
  );
});

describe('refresh scope (RFC 6749 §6)', () => {
  const granted = { ciam: 'openid', uaa: 'userinfo', chatroom: 'user_info_read' } as const;
  it.each(Object.entries(granted))(
    '%s: a refresh may name the granted scope, not more; the refused one spends nothing',
    async (name, scope) => {
      const dialect = name as keyof typeof granted;
      const s = await signIn(base, dialect);
      const tooMuch = await token(base, dialect, {
        grant_type: 'refresh_token',
        refresh_token: s.refreshToken,
        scope: `${scope} profile`,
      });
      expect(tooMuch.status).toBe(dialect === 'uaa' ? 200 : 400);
      expect(JSON.stringify(tooMuch.body)).toMatch(/invalid_scope/i);
      const same = await token(base, dialect, {
        grant_type: 'refresh_token',
        refresh_token: s.refreshToken,
        scope,
      });
      expect(same.status).toBe(200);
    },
  );
});

describe('proxiedRoutes', () => {
  it('lets a route behind a token proxy omit the secret, and only that route', async () => {
    const proxied = await startMockServer({ proxiedRoutes: ['chatroom'] });
    try {
      const signInParams = {
        grant_type: 'password',
        username: 'alice',
        password: 'alice-password',
      };
      expect((await token(proxied.url, 'chatroom', signInParams, { secret: false })).status).toBe(
        200,
      );
      expect((await token(proxied.url, 'chatroom', signInParams, { secret: 'bad' })).status).toBe(
        401,
      );
      expect((await token(proxied.url, 'ciam', signInParams, { secret: false })).status).toBe(401);
    } finally {
      await proxied.close();
    }
  });
});
