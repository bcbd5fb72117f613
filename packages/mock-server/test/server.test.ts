import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENTS, DIALECTS, type MockServer, startMockServer } from '../src/index.js';
import { answer, me, refresh, signIn, TestClock, tokensOf } from './support.js';

const clock = new TestClock();
const lines: string[] = [];
let server: MockServer;
let base: string;

beforeAll(async () => {
  server = await startMockServer({ now: clock.now, log: (line) => lines.push(line) });
  base = server.url;
});
afterAll(() => server.close());

describe('startMockServer', () => {
  it('listens on a free port of 127.0.0.1 and reports its URL', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('refuses nonsense settings', async () => {
    await expect(startMockServer({ accessTtl: 0 })).rejects.toThrow(RangeError);
    await expect(startMockServer({ reuseGrace: -1 })).rejects.toThrow(RangeError);
    await expect(startMockServer({ proxiedRoutes: ['okta' as never] })).rejects.toThrow(RangeError);
  });
});

describe('GET /__mock/stats', () => {
  it('has the contract counters in total and per dialect', async () => {
    const stats = (await answer(await fetch(`${base}/__mock/stats`))).body as Record<
      string,
      unknown
    >;
    const contract = ['refreshes', 'signIns', 'reuseDetected', 'invalidGrant', 'apiOk', 'api401'];
    for (const name of contract) expect(stats[name]).toBeTypeOf('number');
    const byDialect = stats.byDialect as Record<string, Record<string, unknown>>;
    expect(Object.keys(byDialect)).toEqual([...DIALECTS]);
    for (const d of DIALECTS) for (const name of contract) expect(byDialect[d]?.[name]).toBe(0);
  });
});

describe('/api/me', () => {
  it('answers ok with the subject and dialect of a valid bearer token', async () => {
    const s = await signIn(base, 'uaa', 'bob');
    const a = await me(base, s.accessToken);
    expect([a.status, a.body]).toEqual([
      200,
      { ok: true, sub: '2', dialect: 'uaa', username: 'bob' },
    ]);
  });

  it('answers 401 with the challenge for anything else', async () => {
    const s = await signIn(base, 'ciam');
    const [h, p, sig] = s.accessToken.split('.');
    const tampered = `${h}.${p}.${sig?.slice(0, -4)}AAAA`;
    // Claims changed, signature kept: must fail on the signature, not on a lookup miss alone.
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'bob' })).toString('base64url')}.${sig}`;
    const headers: (string | undefined)[] = [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `Basic ${s.accessToken}`,
      `Bearer ${s.accessToken} extra`,
      `Bearer ${tampered}`,
      `Bearer ${forged}`,
      `Bearer ${s.refreshToken}`,
      'Bearer deadbeefdeadbeefdeadbeefdeadbeef',
      'Bearer a.b.c',
      `Bearer ${'x'.repeat(5000)}`,
    ];
    for (const authorization of headers) {
      const r = await fetch(`${base}/api/me`, {
        headers: authorization === undefined ? {} : { Authorization: authorization },
      });
      const a = await answer(r);
      expect({ authorization, status: a.status }).toEqual({ authorization, status: 401 });
      expect(a.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      expect(a.body).toMatchObject({ error: 'invalid_token' });
    }
    expect((await me(base, s.accessToken)).status).toBe(200);
  });

  it('refuses other methods with 405', async () => {
    const r = await fetch(`${base}/api/me`, { method: 'POST' });
    expect(r.status).toBe(405);
    expect(await r.json()).toMatchObject({ error: 'invalid_request' });
  });
});

describe('CORS', () => {
  it.each([
    'http://localhost:5173',
    'http://127.0.0.1:4173',
    'http://localhost',
    'https://[::1]:8443',
  ])('answers a preflight from %s', async (origin) => {
    const r = await fetch(`${base}/oauth2/token`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type, authorization',
      },
    });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe(origin);
    expect(r.headers.get('access-control-allow-methods')).toContain('POST');
    expect(r.headers.get('access-control-allow-headers')?.toLowerCase()).toBe(
      'content-type,authorization',
    );
    expect(r.headers.get('vary')).toContain('Origin');
  });

  it('exposes Date, Retry-After and WWW-Authenticate on real answers', async () => {
    const r = await fetch(`${base}/api/me`, { headers: { Origin: 'http://localhost:5173' } });
    expect(r.status).toBe(401);
    expect(r.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(r.headers.get('access-control-expose-headers')?.split(',')).toEqual([
      'Date',
      'Retry-After',
      'WWW-Authenticate',
    ]);
  });

  it('does not allow other origins', async () => {
    for (const origin of ['https://evil.example', 'http://localhost.evil.example', 'null']) {
      const r = await fetch(`${base}/api/me`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' },
      });
      expect(r.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
});

describe('Date header', () => {
  it('is on every answer and follows the server clock', async () => {
    for (const path of ['/api/me', '/__mock/stats', '/nope', '/.well-known/jwks.json']) {
      const r = await fetch(base + path);
      expect(r.headers.get('date')).toBe(new Date(clock.t).toUTCString());
    }
    clock.advance(3600);
    const r = await fetch(`${base}/api/me`);
    expect(new Date(r.headers.get('date') ?? '').getTime()).toBe(Math.floor(clock.t / 1000) * 1000);
  });
});

describe('OIDC discovery and JWKS', () => {
  it('lets a standard OIDC client find the token endpoint and check signatures', async () => {
    const config = (await answer(await fetch(`${base}/.well-known/openid-configuration`)))
      .body as Record<string, unknown>;
    expect(config).toMatchObject({
      issuer: base,
      token_endpoint: `${base}/oauth2/token`,
      jwks_uri: `${base}/.well-known/jwks.json`,
    });
    expect(config.grant_types_supported).toContain('refresh_token');

    const s = await signIn(base, 'ciam');
    // Refresh the way a standard client does: client_secret_basic against token_endpoint.
    const basic = Buffer.from('TENANT_CLIENT_ID:TENANT_CLIENT_SECRET').toString('base64');
    const r = await fetch(config.token_endpoint as string, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${basic}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: s.refreshToken }),
    });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { access_token: string; id_token: string };
    const jwks = createRemoteJWKSet(new URL(config.jwks_uri as string));
    const verified = await jwtVerify(body.id_token, jwks, {
      issuer: base,
      audience: 'TENANT_CLIENT_ID',
      currentDate: new Date(clock.t),
    });
    expect(verified.protectedHeader.kid).toBeTruthy();
  });
});

describe('unknown routes', () => {
  it('answer 404 JSON', async () => {
    const a = await answer(await fetch(`${base}/oauth2/token/extra`));
    expect([a.status, a.body]).toEqual([404, { error: 'not_found' }]);
  });
});

describe('the request log', () => {
  it('has one line a request and never a token or secret', async () => {
    lines.length = 0;
    const secrets: string[] = DIALECTS.map((d) => DEMO_CLIENTS[d].clientSecret);
    secrets.push('alice-password', encodeURIComponent(DEMO_CLIENTS.eiam.clientSecret));
    let requests = 0;
    for (const dialect of DIALECTS) {
      const s = await signIn(base, dialect);
      const r = await refresh(base, dialect, s.refreshToken);
      const t = tokensOf(dialect, r.body);
      await me(base, t.accessToken);
      await refresh(base, dialect, s.refreshToken); // reuse
      secrets.push(s.accessToken, s.refreshToken, t.accessToken, t.refreshToken);
      requests += 4;
    }
    await fetch(`${base}/${secrets[0]}`); // a token-ish path is not echoed either
    requests += 1;
    expect(lines).toHaveLength(requests);
    for (const line of lines) for (const secret of secrets) expect(line).not.toContain(secret);
    expect(lines.some((l) => /POST \/oauth2\/token 400 .*reused/.test(l))).toBe(true);
  });
});
