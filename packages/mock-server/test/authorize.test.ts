import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENTS,
  DIALECTS,
  type DialectName,
  type MockServer,
  startMockServer,
} from '../src/index.js';
import { type Answer, decodeJwt, me, refresh, TestClock, token, tokensOf } from './support.js';

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 200);
/** One real HTTP round trip a case: the timeout grows with FUZZ_RUNS (see junk.test.ts). */
const FUZZ_TIMEOUT_MS = 20_000 + FUZZ_RUNS * 20;

const clock = new TestClock();
let server: MockServer;
let base: string;
let authorizeUrl: string;

beforeAll(async () => {
  server = await startMockServer({ now: clock.now });
  base = server.url;
  authorizeUrl = `${base}/oauth2/authorize`;
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const REDIRECT = 'http://127.0.0.1:5173/callback';

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** An authorization request's parameters; `undefined` in `overrides` leaves one out. */
function authParams(
  dialect: DialectName,
  challenge: string,
  overrides: Record<string, string | undefined> = {},
): Record<string, string> {
  const all: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: DEMO_CLIENTS[dialect].clientId,
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'st-123',
    ...overrides,
  };
  return Object.fromEntries(
    Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined),
  );
}

const authorize = (params: Record<string, string>) =>
  fetch(`${authorizeUrl}?${new URLSearchParams(params)}`, { redirect: 'manual' });

/** Submits the login form as the page would. */
const submit = (params: Record<string, string>, form: Record<string, string> = {}) =>
  fetch(authorizeUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      ...params,
      username: 'alice',
      password: 'alice-password',
      action: 'allow',
      ...form,
    }),
    redirect: 'manual',
  });

const locationOf = (r: Response) => new URL(r.headers.get('location') ?? 'about:blank');

/** Signs alice in at the authorization endpoint: a fresh code and its verifier. */
async function getCode(dialect: DialectName, overrides: Record<string, string | undefined> = {}) {
  const { verifier, challenge } = pkce();
  const r = await submit(authParams(dialect, challenge, overrides));
  expect(r.status).toBe(302);
  const code = locationOf(r).searchParams.get('code');
  if (!code) throw new Error('no code');
  return { code, verifier };
}

function exchange(
  dialect: DialectName,
  code: string,
  verifier: string,
  redirectUri = REDIRECT,
): Promise<Answer> {
  return token(base, dialect, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier,
  });
}

/** The dialect's own answer to a failed authorization_code grant. */
function expectCodeError(
  dialect: DialectName,
  a: Answer,
  reason: 'code' | 'redirect_uri' | 'code_verifier',
): void {
  const body = a.body as Record<string, unknown>;
  if (dialect === 'eiam') {
    const description = {
      code: 'invalid code',
      redirect_uri: 'invalid redirect_uri',
      code_verifier: 'invalid code challenge',
    }[reason];
    expect([a.status, body]).toEqual([
      400,
      { error: 'invalid_request', error_description: description },
    ]);
  } else if (dialect === 'uaa') {
    expect([a.status, body.rc, body.mc, body.result]).toEqual([200, 40001, 'INVALID_GRANT', null]);
  } else if (dialect === 'ciam') {
    expect([a.status, body]).toEqual([400, { error: 'invalid_grant' }]);
  } else {
    expect([a.status, body.error]).toEqual([400, 'invalid_grant']);
  }
}

describe('GET /oauth2/authorize', () => {
  it('serves the login page: demo users, Sign in and Deny, the request in hidden fields', async () => {
    const { challenge } = pkce();
    const r = await authorize(authParams('ciam', challenge, { nonce: 'n-1' }));
    const text = await r.text();
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(text).toContain('<form method="post" action="authorize">');
    expect(text).toContain('name="password" type="password"');
    expect(text).toContain('value="deny"');
    expect(text).toContain('alice / alice-password');
    expect(text).toContain('bob / bob-password');
    expect(text).toContain(`name="code_challenge" value="${challenge}"`);
    expect(text).toContain('name="state" value="st-123"');
    expect(text).toContain('name="nonce" value="n-1"');
    expect(text).toContain('TENANT_CLIENT_ID');
  });

  it('escapes what it echoes', async () => {
    const { challenge } = pkce();
    const evil = '"><script>alert(1)</script>';
    const text = await (await authorize(authParams('uaa', challenge, { state: evil }))).text();
    expect(text).not.toContain('<script>');
    expect(text).toContain('&#34;&#62;&#60;script&#62;');
  });

  it('accepts every demo client, and no other', async () => {
    const { challenge } = pkce();
    for (const d of DIALECTS) expect((await authorize(authParams(d, challenge))).status).toBe(200);
  });

  it('refuses a bad client or redirect URI with a page, never a redirect (RFC 6749 §4.1.2.1)', async () => {
    const { challenge } = pkce();
    const cases: Record<string, string | undefined>[] = [
      { client_id: undefined },
      { client_id: 'someone-else' },
      { redirect_uri: undefined },
      { redirect_uri: 'https://evil.example/callback' },
      { redirect_uri: 'http://127.0.0.1.evil.example/callback' },
      { redirect_uri: 'ftp://127.0.0.1/callback' },
      { redirect_uri: 'javascript:alert(1)' },
      { redirect_uri: 'http://127.0.0.1:5173/callback#fragment' },
      { redirect_uri: 'http://user:pw@localhost/callback' },
      { redirect_uri: '/callback' },
    ];
    for (const overrides of cases) {
      const r = await authorize(authParams('ciam', challenge, overrides));
      expect({ overrides, status: r.status, location: r.headers.get('location') }).toEqual({
        overrides,
        status: 400,
        location: null,
      });
      expect(await r.text()).toContain('Sign-in request refused');
    }
    // A repeated parameter: nothing in the request can be trusted.
    const r = await fetch(
      `${authorizeUrl}?${new URLSearchParams(authParams('ciam', challenge))}&redirect_uri=x`,
      { redirect: 'manual' },
    );
    expect(r.status).toBe(400);
  });

  it('accepts localhost, [::1], https, a port and a query in the redirect URI', async () => {
    const { challenge } = pkce();
    for (const redirect_uri of [
      'http://localhost/cb',
      'https://127.0.0.1:8443/a/b?x=1',
      'http://[::1]:5173/',
    ]) {
      const r = await authorize(authParams('eiam', challenge, { redirect_uri }));
      expect({ redirect_uri, status: r.status }).toEqual({ redirect_uri, status: 200 });
    }
  });

  it('sends the other errors back to the client, with the state', async () => {
    const { challenge } = pkce();
    const cases: [Record<string, string | undefined>, string][] = [
      [{ response_type: undefined }, 'invalid_request'],
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ code_challenge: undefined }, 'invalid_request'],
      [{ code_challenge: 'too-short' }, 'invalid_request'],
      [{ code_challenge_method: undefined }, 'invalid_request'],
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
    ];
    for (const [overrides, error] of cases) {
      const r = await authorize(authParams('chatroom', challenge, overrides));
      const loc = locationOf(r);
      expect({
        overrides,
        status: r.status,
        target: `${loc.origin}${loc.pathname}`,
        error: loc.searchParams.get('error'),
        state: loc.searchParams.get('state'),
        code: loc.searchParams.get('code'),
      }).toEqual({ overrides, status: 302, target: REDIRECT, error, state: 'st-123', code: null });
      expect(loc.searchParams.get('error_description')).toBeTruthy();
    }
  });

  it('answers 405 to other methods', async () => {
    const r = await fetch(authorizeUrl, { method: 'PUT' });
    expect([r.status, r.headers.get('allow')]).toEqual([405, 'GET, POST']);
  });
});

describe('POST /oauth2/authorize (the login form)', () => {
  it('right password: 302 to the redirect URI with a code and the state', async () => {
    const { challenge } = pkce();
    const r = await submit(
      authParams('ciam', challenge, { redirect_uri: 'http://localhost:3000/cb?keep=1' }),
    );
    expect(r.status).toBe(302);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const loc = locationOf(r);
    expect(`${loc.origin}${loc.pathname}`).toBe('http://localhost:3000/cb');
    expect(loc.searchParams.get('keep')).toBe('1');
    expect(loc.searchParams.get('state')).toBe('st-123');
    expect(loc.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('no state asked for: none sent back', async () => {
    const { challenge } = pkce();
    const loc = locationOf(await submit(authParams('ciam', challenge, { state: undefined })));
    expect(loc.searchParams.has('state')).toBe(false);
    expect(loc.searchParams.has('code')).toBe(true);
  });

  it('wrong password or unknown user: the page again, with an error, and no code', async () => {
    const { challenge } = pkce();
    for (const form of [{ password: 'nope' }, { username: 'mallory' }, { password: '' }]) {
      const r = await submit(authParams('eiam', challenge), form);
      const text = await r.text();
      expect([r.status, r.headers.get('location')]).toEqual([200, null]);
      expect(text).toContain('Wrong username or password.');
      expect(text).toContain(`name="code_challenge" value="${challenge}"`);
    }
    expect(server.stats().byDialect.eiam.signInFailures).toBe(3);
  });

  it('Deny: 302 with error=access_denied and the state', async () => {
    const { challenge } = pkce();
    const r = await submit(authParams('uaa', challenge), { action: 'deny', password: '' });
    const loc = locationOf(r);
    expect(r.status).toBe(302);
    expect(loc.searchParams.get('error')).toBe('access_denied');
    expect(loc.searchParams.get('error_description')).toBe('the user denied the request');
    expect(loc.searchParams.get('state')).toBe('st-123');
    expect(loc.searchParams.has('code')).toBe(false);
  });

  it('checks the submitted request again (a tampered form is refused)', async () => {
    const { challenge } = pkce();
    const tampered = await submit(
      authParams('ciam', challenge, { redirect_uri: 'https://evil.example/' }),
    );
    expect([tampered.status, tampered.headers.get('location')]).toEqual([400, null]);
    const plain = await submit(authParams('ciam', challenge, { code_challenge_method: 'plain' }));
    expect(locationOf(plain).searchParams.get('error')).toBe('invalid_request');
    const json = await fetch(authorizeUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(authParams('ciam', challenge)),
      redirect: 'manual',
    });
    expect(json.status).toBe(400);
  });
});

describe.each(DIALECTS)('grant_type=authorization_code on the %s token route', (dialect) => {
  it('exchanges a code for tokens in the dialect’s shape: a new session family, a sign-in', async () => {
    const { code, verifier } = await getCode(dialect);
    const a = await exchange(dialect, code, verifier);
    expect(a.status).toBe(200);
    expect(a.headers.get('cache-control')).toBe('no-store');
    const tokens = tokensOf(dialect, a.body);
    expect((await me(base, tokens.accessToken)).body).toMatchObject({
      ok: true,
      dialect,
      username: 'alice',
    });
    expect(server.stats().byDialect[dialect].signIns).toBe(1);
    // The family refreshes like a password sign-in's.
    const r = await refresh(base, dialect, tokens.refreshToken);
    expect(tokensOf(dialect, r.body).accessToken).not.toBe(tokens.accessToken);
  });

  it('a code is single use: presented again it is refused and revokes what it issued', async () => {
    const { code, verifier } = await getCode(dialect);
    const tokens = tokensOf(dialect, (await exchange(dialect, code, verifier)).body);
    expectCodeError(dialect, await exchange(dialect, code, verifier), 'code');
    expect((await me(base, tokens.accessToken)).status).toBe(401);
    const r = await refresh(base, dialect, tokens.refreshToken);
    expect(r.status === 400 || (r.body as { rc?: number }).rc === 40001).toBe(true);
    expect(server.stats().byDialect[dialect].signInFailures).toBe(1);
  });

  it('a wrong verifier is refused, and spends the code', async () => {
    const { code, verifier } = await getCode(dialect);
    expectCodeError(dialect, await exchange(dialect, code, pkce().verifier), 'code_verifier');
    expectCodeError(dialect, await exchange(dialect, code, 'short'), 'code');
    expectCodeError(dialect, await exchange(dialect, code, verifier), 'code');
    const second = await getCode(dialect);
    expectCodeError(dialect, await exchange(dialect, second.code, 'short'), 'code_verifier');
  });

  it('an unknown code is refused', async () => {
    expectCodeError(dialect, await exchange(dialect, 'not-a-code', pkce().verifier), 'code');
  });

  it('a mismatched redirect URI is refused', async () => {
    const { code, verifier } = await getCode(dialect);
    const other = 'http://127.0.0.1:5173/other';
    expectCodeError(dialect, await exchange(dialect, code, verifier, other), 'redirect_uri');
  });

  it('a code lives 60 s on the server clock', async () => {
    const early = await getCode(dialect);
    const late = await getCode(dialect);
    clock.advance(59);
    expect((await exchange(dialect, early.code, early.verifier)).status).toBe(200);
    clock.advance(1);
    expectCodeError(dialect, await exchange(dialect, late.code, late.verifier), 'code');
  });

  it('a code is bound to its client', async () => {
    const other = DIALECTS.find((d) => d !== dialect) ?? 'ciam';
    const { code, verifier } = await getCode(other);
    expectCodeError(dialect, await exchange(dialect, code, verifier), 'code');
  });

  it('code, redirect_uri and code_verifier are required (the code is not spent)', async () => {
    const { code, verifier } = await getCode(dialect);
    const noVerifier = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT };
    for (const a of [
      await token(base, dialect, noVerifier),
      await token(base, dialect, { ...noVerifier, redirect_uri: '', code_verifier: verifier }),
      await token(base, dialect, { ...noVerifier, code: '', code_verifier: verifier }),
    ]) {
      const body = a.body as Record<string, unknown>;
      if (dialect === 'uaa') expect([a.status, body.rc]).toEqual([200, 40000]);
      else expect([a.status, body.error]).toEqual([400, 'invalid_request']);
    }
    expect((await exchange(dialect, code, verifier)).status).toBe(200);
  });
});

describe('OIDC nonce (CIAM)', () => {
  it('goes into the id token of the exchange only', async () => {
    const { code, verifier } = await getCode('ciam', { nonce: 'nonce-42' });
    const body = (await exchange('ciam', code, verifier)).body as Record<string, string>;
    expect(decodeJwt(body.id_token ?? '').payload.nonce).toBe('nonce-42');
    const again = (await refresh(base, 'ciam', body.refresh_token ?? '')).body as Record<
      string,
      string
    >;
    expect(decodeJwt(again.id_token ?? '').payload).not.toHaveProperty('nonce');
    const plain = await getCode('ciam');
    const noNonce = (await exchange('ciam', plain.code, plain.verifier)).body as Record<
      string,
      string
    >;
    expect(decodeJwt(noNonce.id_token ?? '').payload).not.toHaveProperty('nonce');
  });
});

describe('discovery', () => {
  it('advertises the authorization endpoint, code and S256', async () => {
    const config = (await (await fetch(`${base}/.well-known/openid-configuration`)).json()) as {
      [k: string]: unknown;
    };
    expect(config.authorization_endpoint).toBe(authorizeUrl);
    expect(config.response_types_supported).toEqual(['code']);
    expect(config.code_challenge_methods_supported).toEqual(['S256']);
    expect(config.grant_types_supported).toContain('authorization_code');
  });
});

describe('junk at /oauth2/authorize', () => {
  it(
    'never a 5xx; a redirect only ever goes to a local http(s) URL',
    async () => {
      const { challenge } = pkce();
      const names = [
        'client_id',
        'redirect_uri',
        'response_type',
        'code_challenge',
        'code_challenge_method',
        'state',
        'nonce',
        'username',
        'password',
        'action',
      ];
      const value = fc.oneof(
        fc.constantFrom(
          DEMO_CLIENTS.ciam.clientId,
          REDIRECT,
          'https://evil.example/',
          'code',
          challenge,
          'S256',
          'alice',
          'alice-password',
          'deny',
          '',
        ),
        fc.string({ maxLength: 40 }),
      );
      const query = fc
        .array(fc.tuple(fc.constantFrom(...names), value), { maxLength: 10 })
        .map((pairs) => new URLSearchParams(pairs).toString());
      const raw = fc.oneof(query, fc.string({ maxLength: 80 }));
      const method = fc.constantFrom('GET', 'POST', 'PUT', 'HEAD', 'DELETE');
      const type = fc.constantFrom(
        'application/x-www-form-urlencoded',
        'text/plain',
        'application/json',
      );
      await fc.assert(
        fc.asyncProperty(method, raw, raw, type, async (m, q, b, t) => {
          const r = await fetch(`${authorizeUrl}?${q}`, {
            method: m,
            headers: { 'Content-Type': t },
            ...(m !== 'GET' && m !== 'HEAD' && { body: b }),
            redirect: 'manual',
          });
          await r.arrayBuffer();
          expect(r.status, `${m} ?${q} ${b}`).toBeGreaterThanOrEqual(200);
          expect(r.status, `${m} ?${q} ${b}`).toBeLessThan(500);
          if (r.status === 302) {
            const to = locationOf(r);
            expect(['127.0.0.1', 'localhost', '[::1]']).toContain(to.hostname);
            expect(['http:', 'https:']).toContain(to.protocol);
          }
        }),
        { numRuns: FUZZ_RUNS },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
