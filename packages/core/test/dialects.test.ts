import { describe, expect, it } from 'vitest';
import { defineDialect, readTokenBody } from '../src/dialect.js';
import { dialects } from '../src/dialects/index.js';
import { BatonError, type ErrorCode } from '../src/errors.js';
import type { Dialect, TokenResponse } from '../src/types.js';
import {
  chatroomRequestExample,
  chatroomSuccessExample,
  ciamErrorExample,
  ciamRequestExample,
  ciamSuccessExample,
  eiamErrorTable,
  eiamRequestExample,
  eiamSuccessExample,
  parseHttpMessage,
  uaaRequestUrl,
  uaaSuccessExample,
  uaaSuccessExampleAsDocumented,
} from './fixtures/seeds.js';

// The clients of the seeds' own examples.
const EIAM_SECRET = 'oG412Uk6****gUWlwJfvWUdJht1j+q';
const all = {
  ciam: dialects.ciam({ clientId: 'TENANT_CLIENT_ID', clientSecret: 'TENANT_CLIENT_SECRET' }),
  eiam: dialects.eiam({
    clientId: 'ODQyNGJlYmFjYWFm****WE4YjkwNjU4MzMxOThkMGU',
    clientSecret: EIAM_SECRET,
  }),
  uaa: dialects.uaa({ clientId: '35LF2FSLHX5IRQA4', clientSecret: 'uaa-demo-secret' }),
  chatroom: dialects.chatroom({ clientId: '000000', clientSecret: '999999' }),
} satisfies Record<Exclude<keyof typeof dialects, 'oidc' | 'oauth2'>, Dialect>;
type Name = keyof typeof all;
const names = Object.keys(all) as Name[];

const response = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): TokenResponse => ({
  status,
  headers: new Headers(headers),
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/** Wraps a flat token body (JSON text) the way the dialect's endpoint sends it. */
const wrap = (name: Name, inner: string): string =>
  name === 'uaa' ? `{"rc":0,"mc":"SUCCESS","ma":[],"result":${inner}}` : inner;

const failure = (dialect: Dialect, res: TokenResponse): BatonError => {
  try {
    dialect.parseTokenResponse(res);
  } catch (e) {
    expect(e).toBeInstanceOf(BatonError);
    return e as BatonError;
  }
  throw new Error('expected the answer to be rejected');
};

/** Upper-cases percent escapes: `%2b` and `%2B` are the same byte. */
const normalize = (url: string) => url.replace(/%[0-9a-f]{2}/gi, (m) => m.toUpperCase());
const paramsOf = (dialect: Dialect, grant: Parameters<Dialect['buildTokenRequest']>[0]) => {
  const req = dialect.buildTokenRequest(grant);
  return new URLSearchParams(req.body ?? req.url.split('?')[1]);
};

describe('requests, byte for byte as the seeds show them', () => {
  it('ciam: POST form body in the seed order, with the seed Content-Type', () => {
    const seed = parseHttpMessage(ciamRequestExample);
    const req = all.ciam.buildTokenRequest({
      type: 'refresh_token',
      refreshToken: 'MOCK_REFRESH_TOKEN',
    });
    expect(`${req.method} ${req.url} HTTP/1.1`).toBe(seed.start);
    expect(req.headers['Content-Type']).toBe(seed.headers['content-type']);
    expect(req.headers.Accept).toBe('application/json');
    expect(req.body).toBe(seed.body);
  });

  it('eiam: POST with every parameter in the query string (seed order) and no body', () => {
    const req = all.eiam.buildTokenRequest({
      type: 'refresh_token',
      refreshToken: 'a6a40b185c5****58eaed0f59509b567',
    });
    const seed = new URL(eiamRequestExample.replace('<auth_domain>', 'auth.example'));
    expect(req.method).toBe('POST');
    expect(normalize(req.url)).toBe(normalize(seed.pathname + seed.search));
    expect(req.body).toBeUndefined();
    expect(req.headers).toEqual({ Accept: 'application/json' });
    expect(new URLSearchParams(req.url.split('?')[1]).get('client_secret')).toBe(EIAM_SECRET);
  });

  it('uaa: GET with the query of the documented template', () => {
    const req = all.uaa.buildTokenRequest({ type: 'refresh_token', refreshToken: 'RT' });
    const expected = uaaRequestUrl({
      client_id: '35LF2FSLHX5IRQA4',
      client_secret: 'uaa-demo-secret',
      grant_type: 'refresh_token',
      refresh_token: 'RT',
    });
    expect(req).toEqual({ method: 'GET', url: expected, headers: { Accept: 'application/json' } });
  });

  it('chatroom: POST form body in the OpenAPI property order', () => {
    const req = all.chatroom.buildTokenRequest({
      type: 'refresh_token',
      refreshToken: chatroomRequestExample.refresh_token,
    });
    expect(req).toEqual({
      method: 'POST',
      url: '/chatroom/api/token',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(chatroomRequestExample).toString(),
    });
  });

  it.each(names)('%s: default token URLs are the seed paths, page-relative', (name) => {
    const paths = {
      ciam: '/oauth2/token',
      eiam: '/auth/oauth2/token',
      uaa: '/public/uaa/oauth2/token',
      chatroom: '/chatroom/api/token',
    };
    expect(all[name].tokenUrl).toBe(paths[name]);
    expect(all[name].name).toBe(name);
    const custom = dialects[name]({ clientId: 'c', tokenUrl: 'https://idp.example/t' });
    expect(custom.tokenUrl).toBe('https://idp.example/t');
    expect(custom.buildTokenRequest({ type: 'refresh_token', refreshToken: 'r' }).url).toMatch(
      /^https:\/\/idp\.example\/t(\?|$)/,
    );
  });

  it.each(names)('%s: client_secret is sent only when configured', (name) => {
    const req = dialects[name]({ clientId: 'public-spa' }).buildTokenRequest({
      type: 'refresh_token',
      refreshToken: 'r',
    });
    expect(`${req.url} ${req.body ?? ''}`).not.toContain('client_secret');
    expect(
      paramsOf(dialects[name]({ clientId: 'c' }), { type: 'refresh_token', refreshToken: 'r' }).get(
        'client_id',
      ),
    ).toBe('c');
  });

  it.each(names)('%s: a secret such as a+b/c= survives the encoding', (name) => {
    const dialect = dialects[name]({ clientId: 'id', clientSecret: 'a+b/c= &x' });
    const req = dialect.buildTokenRequest({ type: 'refresh_token', refreshToken: 'r+/=' });
    expect(`${req.url}${req.body ?? ''}`).toContain('client_secret=a%2Bb%2Fc%3D+%26x');
    expect(
      paramsOf(dialect, { type: 'refresh_token', refreshToken: 'r+/=' }).get('client_secret'),
    ).toBe('a+b/c= &x');
    expect(
      paramsOf(dialect, { type: 'refresh_token', refreshToken: 'r+/=' }).get('refresh_token'),
    ).toBe('r+/=');
  });

  it.each(names)('%s: password grant and scope (grant scope over the dialect default)', (name) => {
    const dialect = dialects[name]({ clientId: 'id', scope: 'openid profile' });
    const params = paramsOf(dialect, {
      type: 'password',
      username: 'alice',
      password: 'p&ss=w+rd',
    });
    expect(Object.fromEntries(params)).toEqual({
      client_id: 'id',
      grant_type: 'password',
      username: 'alice',
      password: 'p&ss=w+rd',
      scope: 'openid profile',
    });
    expect(
      paramsOf(dialect, { type: 'refresh_token', refreshToken: 'r', scope: 'openid' }).get('scope'),
    ).toBe('openid');
    // RFC 6749 §6: a refresh sends no scope unless the caller narrows it; the dialect's default
    // is what sign-in asked for, and the provider may have granted less.
    expect(paramsOf(dialect, { type: 'refresh_token', refreshToken: 'r' }).has('scope')).toBe(
      false,
    );
  });
});

describe('the seeds’ success examples', () => {
  it('ciam: flat JSON, expires_in in seconds, id_token', () => {
    const seed = parseHttpMessage(ciamSuccessExample);
    const result = all.ciam.parseTokenResponse(response(200, seed.body, seed.headers));
    const json = JSON.parse(seed.body);
    expect(result).toEqual({
      accessToken: json.access_token,
      refreshToken: 'MOCK_REFRESH_TOKEN',
      scope: 'openid',
      idToken: json.id_token,
      tokenType: 'Bearer',
      expiresIn: 299_000,
    });
  });

  it('eiam: opaque token; refresh_token optional (absent, not undefined)', () => {
    expect(all.eiam.parseTokenResponse(response(200, eiamSuccessExample))).toEqual({
      accessToken: 'c6a40b1****e35058eaed0f59509b541',
      refreshToken: '6865e****2501df8081e4562e26c82',
      expiresIn: 7_200_000,
      tokenType: 'Bearer',
    });
    const withoutRefresh = all.eiam.parseTokenResponse(
      response(200, { access_token: 'c6a40b1', expires_in: 7200 }),
    );
    expect(Object.keys(withoutRefresh).sort()).toEqual(['accessToken', 'expiresIn', 'tokenType']);
  });

  it('uaa: envelope, lifetimes in milliseconds', () => {
    const result = all.uaa.parseTokenResponse(response(200, uaaSuccessExample));
    const inner = JSON.parse(uaaSuccessExample).result;
    expect(result).toEqual({
      accessToken: inner.access_token,
      refreshToken: inner.refresh_token,
      expiresIn: 15_551_999,
      refreshExpiresIn: 18_143_999,
      scope: 'userinfo',
      tokenType: 'Bearer',
    });
  });

  it('uaa: the example as printed (with // comments) is not JSON: invalid_response, transient', () => {
    const error = failure(all.uaa, response(200, uaaSuccessExampleAsDocumented));
    expect([error.code, error.terminal]).toEqual(['invalid_response', false]);
  });

  it('chatroom: all five fields', () => {
    expect(all.chatroom.parseTokenResponse(response(200, chatroomSuccessExample))).toEqual({
      accessToken: chatroomSuccessExample.access_token,
      refreshToken: chatroomSuccessExample.refresh_token,
      expiresIn: 7_200_000,
      scope: 'user_info_read',
      tokenType: 'Bearer',
    });
  });

  it.each(Object.keys(chatroomSuccessExample))(
    'chatroom: missing or null %s → invalid_response',
    (field) => {
      for (const value of [undefined, null]) {
        const body = { ...chatroomSuccessExample, [field]: value };
        const error = failure(all.chatroom, response(200, body));
        expect([error.code, error.terminal]).toEqual(['invalid_response', false]);
        expect(error.message).toContain(field);
      }
    },
  );

  it('the other dialects do not require what chatroom requires', () => {
    for (const name of ['ciam', 'eiam'] as const) {
      expect(all[name].parseTokenResponse(response(200, { access_token: 'a' }))).toEqual({
        accessToken: 'a',
        tokenType: 'Bearer',
      });
    }
  });
});

describe('the seeds’ documented errors', () => {
  it('ciam: 400 invalid_grant → terminal', () => {
    const seed = parseHttpMessage(ciamErrorExample);
    const error = failure(all.ciam, response(400, seed.body, seed.headers));
    expect(error).toMatchObject({
      code: 'invalid_grant',
      terminal: true,
      status: 400,
      providerCode: 'invalid_grant',
    });
    expect(seed.start).toBe('HTTP/1.1 400 Bad Request');
  });

  it.each(eiamErrorTable)(
    'eiam: %i %s → terminal with its code and description',
    (status, body) => {
      const json = JSON.parse(body);
      expect(failure(all.eiam, response(status, body))).toMatchObject({
        code: json.error,
        terminal: true,
        status,
        providerCode: json.error,
        description: json.error_description,
      });
    },
  );

  it.each([
    [{ rc: 40001, mc: 'INVALID_GRANT', ma: ['refresh token expired'] }, 'invalid_grant'],
    [{ rc: 40002, mc: 'invalid_client', ma: [] }, 'invalid_client'],
    [{ rc: 40003, mc: 'Unauthorized-Client' }, 'unauthorized_client'],
    [{ rc: 40004, mc: 'INVALID_REQUEST', ma: 'one message' }, 'invalid_request'],
    [{ rc: 40005, mc: 'INVALID_SCOPE' }, 'invalid_scope'],
    [{ rc: 1001, mc: 'TOKEN_EXPIRED', ma: ['expired', 'sign in'] }, 'invalid_grant'],
    [{ rc: -1, mc: 'FAIL' }, 'invalid_grant'],
    [{ rc: '40001', mc: 'INVALID_GRANT' }, 'invalid_grant'],
    [{ rc: 7 }, 'invalid_grant'],
  ] as [{ rc: unknown; mc?: string; ma?: unknown }, ErrorCode][])(
    'uaa: HTTP 200 with %j → %s, terminal',
    (body, code) => {
      const error = failure(all.uaa, response(200, body));
      expect(error).toMatchObject({ code, terminal: true, status: 200 });
      expect(error.providerCode).toBe(body.mc ?? String(body.rc));
    },
  );

  it('uaa: ma joined into the description', () => {
    const error = failure(
      all.uaa,
      response(200, { rc: 1001, mc: 'X', ma: ['expired', 3, 'sign in'] }),
    );
    expect(error.description).toBe('expired; sign in');
    expect(failure(all.uaa, response(200, { rc: 1, mc: 'X', ma: [] })).description).toBeUndefined();
  });

  it.each([
    [200, { rc: 1, mc: 'TEMPORARILY_UNAVAILABLE' }, 'server_error', false],
    [500, { rc: 500, mc: 'SYSTEM_ERROR', ma: ['busy'] }, 'server_error', false],
    [429, { rc: 429, mc: 'TOO_MANY' }, 'rate_limited', false],
    [400, { rc: 400, mc: 'INVALID_CLIENT' }, 'invalid_client', true],
    [401, { rc: 401, mc: 'UNKNOWN_THING' }, 'invalid_request', true],
    [200, { rc: 0, mc: 'SUCCESS', ma: [] }, 'invalid_response', false],
    [200, { mc: 'SUCCESS', result: { access_token: 'a' } }, 'invalid_response', false],
    [200, { rc: true, result: { access_token: 'a' } }, 'invalid_response', false],
    [200, { rc: 0, result: { expires_in: 5 } }, 'invalid_response', false],
  ])('uaa: HTTP %i %j → %s (terminal %s)', (status, body, code, terminal) => {
    expect(failure(all.uaa, response(status, body))).toMatchObject({ code, terminal, status });
  });

  it.each([
    [400, 'invalid_request'],
    [401, 'invalid_client'],
    [400, 'invalid_grant'],
    [400, 'unauthorized_client'],
    [400, 'unsupported_grant_type'],
    [400, 'invalid_scope'],
  ])('chatroom: RFC 6749 §5.2 %i %s → terminal', (status, code) => {
    const body = { error: code, error_description: 'why', error_uri: 'https://x' };
    expect(failure(all.chatroom, response(status, body))).toMatchObject({
      code,
      terminal: true,
      providerCode: code,
      description: 'why',
    });
  });
});

// status, headers, body (flat JSON text is wrapped per dialect), code, terminal, retryAfterMs
type Row = [string, number, Record<string, string>, string, ErrorCode, boolean, number?];
const DATE = 'Wed, 21 Oct 2015 07:28:00 GMT';
const classification: Row[] = [
  ['HTML on 200', 200, {}, '<!doctype html><html>Sign in</html>', 'invalid_response', false],
  ['empty 200', 200, {}, '', 'invalid_response', false],
  ['truncated JSON', 200, {}, '{"access_token":"abc","expires_in":30', 'invalid_response', false],
  ['JSON null', 200, {}, 'null', 'invalid_response', false],
  ['JSON array', 200, {}, '[{"access_token":"a"}]', 'invalid_response', false],
  ['JSON number', 200, {}, '42', 'invalid_response', false],
  ['JSON string', 200, {}, '"token"', 'invalid_response', false],
  ['missing access_token', 200, {}, '{"expires_in":60}', 'invalid_response', false],
  ['numeric access_token', 200, {}, '{"access_token":42}', 'invalid_response', false],
  ['empty access_token', 200, {}, '{"access_token":""}', 'invalid_response', false],
  ['access_token with a newline', 200, {}, '{"access_token":"a\\nb"}', 'invalid_response', false],
  [
    'negative expires_in',
    200,
    {},
    '{"access_token":"a","expires_in":-1}',
    'invalid_response',
    false,
  ],
  [
    'infinite expires_in',
    200,
    {},
    '{"access_token":"a","expires_in":1e400}',
    'invalid_response',
    false,
  ],
  [
    'huge expires_in',
    200,
    {},
    '{"access_token":"a","expires_in":1e300}',
    'invalid_response',
    false,
  ],
  [
    'word expires_in',
    200,
    {},
    '{"access_token":"a","expires_in":"soon"}',
    'invalid_response',
    false,
  ],
  [
    'boolean expires_in',
    200,
    {},
    '{"access_token":"a","expires_in":true}',
    'invalid_response',
    false,
  ],
  [
    'object refresh_token',
    200,
    {},
    '{"access_token":"a","refresh_token":{}}',
    'invalid_response',
    false,
  ],
  ['numeric token_type', 200, {}, '{"access_token":"a","token_type":1}', 'invalid_response', false],
  ['array scope', 200, {}, '{"access_token":"a","scope":["x"]}', 'invalid_response', false],
  ['RFC error object on 200', 200, {}, '{"error":"invalid_grant"}', 'invalid_response', false],
  ['204 No Content', 204, {}, '', 'invalid_response', false],
  ['302 redirect', 302, { location: '/login' }, '', 'invalid_response', false],
  ['opaque redirect (status 0)', 0, {}, '', 'invalid_response', false],
  ['100 Continue', 100, {}, '', 'invalid_response', false],
  ['400 invalid_grant', 400, {}, '{"error":"invalid_grant"}', 'invalid_grant', true],
  ['401 invalid_client', 401, {}, '{"error":"invalid_client"}', 'invalid_client', true],
  ['400 unknown code', 400, {}, '{"error":"something_new"}', 'invalid_request', true],
  ['400 numeric code', 400, {}, '{"error":42}', 'invalid_request', true],
  [
    '400 temporarily_unavailable',
    400,
    {},
    '{"error":"temporarily_unavailable"}',
    'server_error',
    false,
  ],
  ['400 HTML from a WAF', 400, {}, '<html>Request blocked</html>', 'invalid_request', true],
  ['403 HTML', 403, {}, '<html>Forbidden</html>', 'invalid_request', true],
  ['404 empty', 404, {}, '', 'invalid_request', true],
  ['408', 408, {}, '', 'timeout', false],
  ['429', 429, {}, '', 'rate_limited', false],
  ['429 Retry-After seconds', 429, { 'retry-after': '30' }, '', 'rate_limited', false, 30_000],
  ['429 Retry-After capped', 429, { 'retry-after': '86400' }, '', 'rate_limited', false, 600_000],
  [
    '429 Retry-After date vs Date',
    429,
    { date: DATE, 'retry-after': 'Wed, 21 Oct 2015 07:29:30 GMT' },
    '',
    'rate_limited',
    false,
    90_000,
  ],
  [
    '429 Retry-After in the past',
    429,
    { date: DATE, 'retry-after': 'Wed, 21 Oct 2015 07:00:00 GMT' },
    '',
    'rate_limited',
    false,
    0,
  ],
  ['429 unreadable Retry-After', 429, { 'retry-after': 'soon' }, '', 'rate_limited', false],
  ['500 with invalid_grant', 500, {}, '{"error":"invalid_grant"}', 'server_error', false],
  ['502 HTML', 502, {}, '<html>Bad Gateway</html>', 'server_error', false],
  ['503 without Retry-After', 503, {}, '', 'server_error', false],
  ['503 Retry-After', 503, { 'retry-after': '5' }, '', 'rate_limited', false, 5_000],
  ['504', 504, {}, '', 'server_error', false],
];

describe.each(names)('error-code classification table: %s', (name) => {
  it.each(classification)('%s', (_, status, headers, body, code, terminal, retryAfterMs) => {
    const error = failure(
      all[name],
      response(status, status === 200 ? wrap(name, body) : body, headers),
    );
    expect({ code: error.code, terminal: error.terminal, status: error.status }).toEqual({
      code,
      terminal,
      status,
    });
    expect(error.retryAfterMs).toBe(retryAfterMs);
    expect(error.message).not.toMatch(/Error:/);
  });
});

describe('readTokenBody and defineDialect', () => {
  it('accepts numeric strings and null optional fields; truncates descriptions', () => {
    expect(
      readTokenBody({ access_token: 'a', expires_in: '3600', scope: null, id_token: null }),
    ).toEqual({
      accessToken: 'a',
      tokenType: 'Bearer',
      expiresIn: 3_600_000,
    });
    expect(readTokenBody({ access_token: 'a', expires_in: '1.5' }).expiresIn).toBe(1500);
    expect(readTokenBody({ access_token: 'a', expires_in: 2.0009 }, 's').expiresIn).toBe(2000);
    for (const bad of [' 60', '1e3', '-5', '0x10', '']) {
      expect(() => readTokenBody({ access_token: 'a', expires_in: bad })).toThrow(BatonError);
    }
    const long = failure(
      all.ciam,
      response(400, { error: 'invalid_grant', error_description: 'x'.repeat(5000) }),
    );
    expect(long.description?.length).toBeLessThanOrEqual(200);
  });

  it('describes a new endpoint in a few lines', () => {
    const custom = defineDialect({
      name: 'custom',
      tokenUrl: 'https://idp.example/token?tenant=a',
      clientId: 'id',
      params: 'query',
      order: ['grant_type', 'audience'],
      extraParams: { audience: 'api', grant_type: 'ignored' },
      expiresInUnit: 'ms',
      require: ['refresh_token'],
    });
    const req = custom.buildTokenRequest({ type: 'refresh_token', refreshToken: 'r' });
    expect(req).toEqual({
      method: 'POST',
      url: 'https://idp.example/token?tenant=a&grant_type=refresh_token&audience=api&client_id=id&refresh_token=r',
      headers: { Accept: 'application/json' },
    });
    expect(
      custom.parseTokenResponse(
        response(200, { access_token: 'a', refresh_token: 'b', expires_in: 5 }),
      ),
    ).toEqual({
      accessToken: 'a',
      refreshToken: 'b',
      tokenType: 'Bearer',
      expiresIn: 5,
    });
    expect(failure(custom, response(200, { access_token: 'a' })).code).toBe('invalid_response');
  });

  it('a hook that throws a TypeError still yields a BatonError', () => {
    const broken = defineDialect({
      name: 'broken',
      tokenUrl: '/t',
      clientId: 'id',
      unwrap: () => {
        throw new TypeError('boom');
      },
    });
    const error = failure(broken, response(200, '{}'));
    expect([error.code, error.terminal]).toEqual(['invalid_response', false]);
  });
});

describe('authorization_code grant (RFC 6749 §4.1.3, RFC 7636 §4.5) and redirect sign-in data', () => {
  const grant = {
    type: 'authorization_code',
    code: 'C0DE+/=',
    redirectUri: 'http://127.0.0.1:5173/callback?x=1',
    codeVerifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
  } as const;
  const encoded =
    'code=C0DE%2B%2F%3D&redirect_uri=http%3A%2F%2F127.0.0.1%3A5173%2Fcallback%3Fx%3D1&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
  const form = { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' };

  it('ciam: form body, in its refresh order, no scope', () => {
    const dialect = dialects.ciam({
      clientId: 'TENANT_CLIENT_ID',
      clientSecret: 'TENANT_CLIENT_SECRET',
      scope: 'openid profile',
    });
    expect(dialect.buildTokenRequest(grant)).toEqual({
      method: 'POST',
      url: '/oauth2/token',
      headers: form,
      body: `client_id=TENANT_CLIENT_ID&client_secret=TENANT_CLIENT_SECRET&grant_type=authorization_code&${encoded}`,
    });
  });

  it('eiam: every parameter in the query string, client_id and grant_type first, no body', () => {
    expect(all.eiam.buildTokenRequest(grant)).toEqual({
      method: 'POST',
      url: `/auth/oauth2/token?client_id=ODQyNGJlYmFjYWFm****WE4YjkwNjU4MzMxOThkMGU&grant_type=authorization_code&client_secret=oG412Uk6****gUWlwJfvWUdJht1j%2Bq&${encoded}`,
      headers: { Accept: 'application/json' },
    });
  });

  it('uaa: GET with the query', () => {
    expect(all.uaa.buildTokenRequest(grant)).toEqual({
      method: 'GET',
      url: `/public/uaa/oauth2/token?client_id=35LF2FSLHX5IRQA4&client_secret=uaa-demo-secret&grant_type=authorization_code&${encoded}`,
      headers: { Accept: 'application/json' },
    });
  });

  it('chatroom: form body, grant_type first', () => {
    expect(all.chatroom.buildTokenRequest(grant)).toEqual({
      method: 'POST',
      url: '/chatroom/api/token',
      headers: form,
      body: `grant_type=authorization_code&client_id=000000&client_secret=999999&${encoded}`,
    });
  });

  it.each(names)('%s: the grant’s values round-trip; no secret when none is set', (name) => {
    const params = paramsOf(dialects[name]({ clientId: 'spa' }), grant);
    expect(Object.fromEntries(params)).toEqual({
      client_id: 'spa',
      grant_type: 'authorization_code',
      code: grant.code,
      redirect_uri: grant.redirectUri,
      code_verifier: grant.codeVerifier,
    });
  });

  it.each(names)(
    '%s: authorizeUrl defaults to the mock’s /oauth2/authorize, page-relative',
    (name) => {
      const dialect = dialects[name]({ clientId: 'id', scope: 's' });
      expect(dialect.authorizeUrl).toBe('/oauth2/authorize');
      expect([dialect.clientId, dialect.scope]).toEqual(['id', 's']);
      expect(dialect.oidc === true).toBe(name === 'ciam');
      const custom = dialects[name]({
        clientId: 'id',
        authorizeUrl: 'https://idp.example/authorize',
      });
      expect(custom.authorizeUrl).toBe('https://idp.example/authorize');
    },
  );

  it('defineDialect: no authorize endpoint unless described; oidc when said', () => {
    expect(
      defineDialect({ name: 'x', tokenUrl: '/t', clientId: 'id' }).authorizeUrl,
    ).toBeUndefined();
    const oidc = defineDialect({
      name: 'x',
      tokenUrl: '/t',
      clientId: 'id',
      authorizeUrl: '/authorize',
      oidc: true,
    });
    expect([oidc.authorizeUrl, oidc.oidc]).toEqual(['/authorize', true]);
  });
});
