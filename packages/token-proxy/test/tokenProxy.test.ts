import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTokenProxy, type TokenProxyOptions } from '../src/index.js';
import { close, listen, nodeHandler, okJson, read, recordingUpstream } from './support.js';

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const SECRET = 'eiam-demo-secret+/=';
/** Every way the secret could show up in a body: raw, and URL-encoded both ways. */
const SECRET_FORMS = [SECRET, encodeURIComponent(SECRET), 'eiam-demo-secret%2B%2F%3D'];
const APP = 'https://app.example.com';
const REFRESH = 'RT-browser-refresh-token-1';
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

let upstream: Awaited<ReturnType<typeof recordingUpstream>>;

beforeAll(async () => {
  upstream = await recordingUpstream();
});
afterAll(() => upstream.close());
beforeEach(() => upstream.reset());

function proxy(options: Partial<TokenProxyOptions> = {}) {
  return createTokenProxy({
    upstream: `${upstream.url}/oauth2/token`,
    clientSecret: SECRET,
    allowedOrigins: [APP],
    ...options,
  });
}

interface Call {
  readonly method?: string;
  /** The query string, without `?`. */
  readonly query?: string;
  readonly body?: string | Uint8Array<ArrayBuffer>;
  /** `null`: no Origin header. Default: the allowed app origin. */
  readonly origin?: string | null;
  readonly headers?: Record<string, string>;
}

/** A browser's request to the proxy, as a runtime hands it to the handler. */
function request(call: Call = {}): Request {
  const { method = 'POST', query, body, origin = APP, headers = {} } = call;
  return new Request(`https://proxy.example.com/token-proxy${query ? `?${query}` : ''}`, {
    method,
    headers: {
      ...(body !== undefined && typeof body === 'string' && FORM),
      ...(origin !== null && { Origin: origin }),
      ...headers,
    },
    ...(body !== undefined && { body }),
  });
}

const refreshForm = (extra: Record<string, string> = {}) =>
  new URLSearchParams({
    client_id: 'TENANT_CLIENT_ID',
    grant_type: 'refresh_token',
    refresh_token: REFRESH,
    ...extra,
  }).toString();

describe('forwarding in the provider shape', () => {
  it('adds the secret to a form body (CIAM, chat-room), after client_id, and nothing else', async () => {
    const res = await proxy()(
      request({
        body: refreshForm(),
        headers: { Cookie: 'session=1', Authorization: 'Basic eDp5', 'X-Forwarded-For': '1.2.3.4' },
      }),
    );
    expect(res.status).toBe(200);
    const [got] = upstream.received;
    expect(got?.method).toBe('POST');
    expect(got?.target).toBe('/oauth2/token');
    expect(got?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect([...new URLSearchParams(got?.body)]).toEqual([
      ['client_id', 'TENANT_CLIENT_ID'],
      ['client_secret', SECRET],
      ['grant_type', 'refresh_token'],
      ['refresh_token', REFRESH],
    ]);
    // The browser's cookies, credentials, origin and addresses stay with the proxy.
    for (const h of ['cookie', 'authorization', 'origin', 'x-forwarded-for']) {
      expect(got?.headers[h]).toBeUndefined();
    }
  });

  it("URL-encodes EIAM's secret into the query string of a POST with no body", async () => {
    const handler = proxy({ upstream: `${upstream.url}/auth/oauth2/token`, params: 'query' });
    const query = new URLSearchParams({
      client_id: 'eiam-demo-client',
      grant_type: 'refresh_token',
      refresh_token: REFRESH,
    });
    // As the core's eiam dialect sends it: POST, every parameter in the query, no body.
    expect((await handler(request({ query: query.toString() }))).status).toBe(200);
    const [got] = upstream.received;
    expect(got?.method).toBe('POST');
    expect(got?.body).toBe('');
    expect(got?.headers['content-type']).toBeUndefined();
    // `+/=` escaped: a raw `+` would read as a space and the secret would no longer match.
    expect(got?.target).toBe(
      '/auth/oauth2/token?client_id=eiam-demo-client&client_secret=eiam-demo-secret%2B%2F%3D' +
        `&grant_type=refresh_token&refresh_token=${REFRESH}`,
    );
    expect(upstream.lastParams().get('client_secret')).toBe(SECRET);
  });

  it('sends UAA a GET with a query string, whether the browser used GET or a form POST', async () => {
    const handler = proxy({ upstream: `${upstream.url}/public/uaa/oauth2/token`, method: 'GET' });
    const params = 'client_id=35LF2FSLHX5IRQA4&grant_type=refresh_token&refresh_token=a%20b';
    await handler(request({ method: 'GET', query: params }));
    await handler(request({ body: params }));
    expect(upstream.received).toHaveLength(2);
    for (const got of upstream.received) {
      expect(got.method).toBe('GET');
      expect(got.target).toBe(
        '/public/uaa/oauth2/token?client_id=35LF2FSLHX5IRQA4' +
          '&client_secret=eiam-demo-secret%2B%2F%3D&grant_type=refresh_token&refresh_token=a+b',
      );
    }
  });

  it("keeps the upstream's own query and puts a secret-less request's secret at the end", async () => {
    const handler = proxy({ upstream: `${upstream.url}/token?tenant=t1`, params: 'query' });
    await handler(request({ body: 'grant_type=refresh_token&refresh_token=r' }));
    expect(upstream.received[0]?.target).toBe(
      '/token?tenant=t1&grant_type=refresh_token&refresh_token=r' +
        '&client_secret=eiam-demo-secret%2B%2F%3D',
    );
  });

  it('takes parameters from the query and the body together, and drops empty ones', async () => {
    await proxy()(
      request({ query: 'grant_type=refresh_token&scope=', body: `refresh_token=${REFRESH}&x=` }),
    );
    expect([...upstream.lastParams()]).toEqual([
      ['grant_type', 'refresh_token'],
      ['refresh_token', REFRESH],
      ['client_secret', SECRET],
    ]);
  });

  it('fills in clientId when the browser names none, and refuses another one', async () => {
    const handler = proxy({ clientId: 'TENANT_CLIENT_ID' });
    await handler(request({ body: `grant_type=refresh_token&refresh_token=${REFRESH}` }));
    expect([...upstream.lastParams()].slice(0, 2)).toEqual([
      ['client_id', 'TENANT_CLIENT_ID'],
      ['client_secret', SECRET],
    ]);
    const other = await read(await handler(request({ body: refreshForm({ client_id: 'evil' }) })));
    expect([other.status, other.body]).toEqual([
      401,
      { error: 'invalid_client', error_description: 'unknown client_id' },
    ]);
    expect(upstream.received).toHaveLength(1);
  });
});

describe('grant types', () => {
  it('forwards only refresh_token by default', async () => {
    const handler = proxy();
    const password = await read(
      await handler(
        request({ body: 'grant_type=password&username=alice&password=alice-password' }),
      ),
    );
    expect([password.status, (password.body as { error: string }).error]).toEqual([
      400,
      'unsupported_grant_type',
    ]);
    const missing = await read(await handler(request({ body: `refresh_token=${REFRESH}` })));
    expect([missing.status, missing.body]).toEqual([
      400,
      { error: 'invalid_request', error_description: 'missing grant_type parameter' },
    ]);
    expect(upstream.received).toHaveLength(0);
  });

  it('forwards the grant types it is given', async () => {
    const handler = proxy({ grantTypes: ['authorization_code', 'refresh_token'] });
    const code =
      'grant_type=authorization_code&code=c1&code_verifier=v1&redirect_uri=https%3A%2F%2Fa';
    expect((await handler(request({ body: code }))).status).toBe(200);
    expect(upstream.lastParams().get('code_verifier')).toBe('v1');
    const pw = await handler(request({ body: 'grant_type=password&username=a&password=b' }));
    expect(pw.status).toBe(400);
    expect(upstream.received).toHaveLength(1);
  });
});

describe('Origin', () => {
  it('answers an allowed origin with CORS headers that expose Date and Retry-After', async () => {
    const res = await proxy()(request({ body: refreshForm() }));
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-expose-headers')).toBe('Date, Retry-After');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('vary')).toBe('Origin');
  });

  it('refuses every origin but the exact ones listed, before anything else', async () => {
    const handler = proxy();
    const refused = [
      'https://app.example.com.evil.com',
      'https://evil.com',
      'http://app.example.com',
      'https://app.example.com:8443',
      'https://app.example.com/',
      'https://APP.example.com',
      'https://sub.app.example.com',
      'null',
      '',
      '*',
    ];
    for (const origin of refused) {
      for (const call of [
        { origin, body: refreshForm() },
        { origin, method: 'OPTIONS', headers: { 'Access-Control-Request-Method': 'POST' } },
        { origin, method: 'DELETE' },
      ]) {
        const a = await read(await handler(request(call)));
        expect([origin, a.status, a.body]).toEqual([
          origin,
          403,
          { error: 'invalid_request', error_description: 'origin not allowed' },
        ]);
        expect(a.headers.get('access-control-allow-origin')).toBeNull();
      }
    }
    expect(upstream.received).toHaveLength(0);
  });

  it('refuses a request without Origin unless told, or unless the browser says same-origin', async () => {
    const body = refreshForm();
    expect((await proxy()(request({ origin: null, body }))).status).toBe(403);
    const crossSite = { 'Sec-Fetch-Site': 'cross-site' };
    expect((await proxy()(request({ origin: null, body, headers: crossSite }))).status).toBe(403);
    expect((await proxy()(request({ origin: null, method: 'GET', query: body }))).status).toBe(403);

    // A same-origin GET carries no Origin (Fetch standard); the uaa dialect sends one.
    const sameOrigin = { 'Sec-Fetch-Site': 'same-origin' };
    const get = await proxy()(
      request({ origin: null, method: 'GET', query: body, headers: sameOrigin }),
    );
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
    // A same-origin POST from a page with Referrer-Policy: no-referrer says `Origin: null`.
    const nullSame = await proxy()(request({ origin: 'null', body, headers: sameOrigin }));
    expect(nullSame.status).toBe(200);

    const loose = proxy({ allowNoOrigin: true });
    expect((await loose(request({ origin: null, body }))).status).toBe(200);
    // `null` is an opaque origin (sandboxed frame, file:, data:): never "no origin".
    expect((await loose(request({ origin: 'null', body }))).status).toBe(403);
    expect(upstream.received).toHaveLength(3);
  });

  it('can let a function decide', async () => {
    const seen: string[] = [];
    const handler = proxy({
      allowedOrigins: (origin) => {
        seen.push(origin);
        return origin.endsWith('.example.com');
      },
    });
    expect(
      (await handler(request({ origin: 'https://a.example.com', body: refreshForm() }))).status,
    ).toBe(200);
    expect(
      (await handler(request({ origin: 'https://example.org', body: refreshForm() }))).status,
    ).toBe(403);
    expect((await handler(request({ origin: 'null', body: refreshForm() }))).status).toBe(403);
    expect(seen).toEqual(['https://a.example.com', 'https://example.org']);
  });
});

describe('CORS preflight', () => {
  it('answers an allowed origin without calling the provider', async () => {
    const res = await proxy()(
      request({
        method: 'OPTIONS',
        headers: {
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type',
        },
      }),
    );
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(Object.fromEntries(res.headers)).toMatchObject({
      'access-control-allow-origin': APP,
      'access-control-allow-methods': 'POST, GET',
      'access-control-allow-headers': 'Accept, Content-Type',
      'access-control-max-age': '600',
    });
    expect(res.headers.get('vary')).toContain('Origin');
    expect(upstream.received).toHaveLength(0);
  });
});

describe('bad requests', () => {
  it('caps the body at 8 kB by default (413) and the query string too (414)', async () => {
    const handler = proxy();
    const pad = (n: number) => `grant_type=refresh_token&refresh_token=${'r'.repeat(n - 39)}`;
    expect(pad(8192)).toHaveLength(8192);
    expect((await handler(request({ body: pad(8192) }))).status).toBe(200);
    const big = await read(await handler(request({ body: pad(8193) })));
    expect([big.status, big.body]).toEqual([
      413,
      { error: 'invalid_request', error_description: 'request body too large' },
    ]);
    // A declared length far past the limit is refused without reading.
    const huge = new Uint8Array(2 * 1024 * 1024);
    expect((await handler(request({ body: huge, headers: FORM }))).status).toBe(413);
    expect((await handler(request({ method: 'GET', query: pad(8193) }))).status).toBe(414);
    expect((await proxy({ maxBodyBytes: 100 })(request({ body: pad(101) }))).status).toBe(413);
    expect(upstream.received).toHaveLength(1);
  });

  it('refuses a client_secret from the browser, wherever it is, and never echoes it', async () => {
    const handler = proxy();
    const leaked = 'the-secret-the-browser-should-not-have';
    for (const call of [
      { body: refreshForm({ client_secret: leaked }) },
      { query: `client_secret=${leaked}`, body: refreshForm() },
      { method: 'GET', query: refreshForm({ client_secret: leaked }) },
    ]) {
      const a = await read(await handler(request(call)));
      expect([a.status, a.body]).toEqual([
        400,
        {
          error: 'invalid_request',
          error_description:
            'client_secret must not come from the browser: the token proxy adds it',
        },
      ]);
      expect(a.text).not.toContain(leaked);
      expect(a.headers.get('access-control-allow-origin')).toBe(APP);
    }
    expect(upstream.received).toHaveLength(0);
    // Sent empty, it counts as omitted (RFC 6749 §3.2): the browser has none, all is well.
    expect((await handler(request({ body: refreshForm({ client_secret: '' }) }))).status).toBe(200);
    expect(upstream.lastParams().getAll('client_secret')).toEqual([SECRET]);
  });

  it('refuses junk with an RFC 6749 §5.2 answer', async () => {
    const handler = proxy();
    const cases: [Call, number, string][] = [
      [
        { body: 'grant_type=refresh_token&refresh_token=%E0%A4%A' },
        400,
        'malformed percent-encoding',
      ],
      [{ body: `${refreshForm()}&grant_type=refresh_token` }, 400, 'repeated grant_type parameter'],
      [
        { query: 'refresh_token=a', body: 'grant_type=refresh_token&refresh_token=b' },
        400,
        'repeated refresh_token parameter',
      ],
      [{ body: `${refreshForm()}&zz=1&zz=2` }, 400, 'repeated parameter'],
      [
        { body: refreshForm(), headers: { 'Content-Type': 'application/json' } },
        400,
        'Content-Type must be application/x-www-form-urlencoded',
      ],
      [
        {
          body: refreshForm(),
          headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=latin1' },
        },
        400,
        'Content-Type must be application/x-www-form-urlencoded',
      ],
      [
        { body: new Uint8Array([0x67, 0x3d, 0xff]), headers: FORM },
        400,
        'request body is not UTF-8',
      ],
      [{ method: 'PUT', body: refreshForm() }, 405, 'method must be POST or GET'],
      [{ method: 'HEAD' }, 405, 'method must be POST or GET'],
    ];
    for (const [call, status, description] of cases) {
      const res = await handler(request(call));
      const a = await read(res);
      expect([a.status, call.method === 'HEAD' ? description : a.body]).toEqual([
        status,
        call.method === 'HEAD'
          ? description
          : { error: 'invalid_request', error_description: description },
      ]);
      expect(res.headers.get('cache-control')).toBe('no-store');
      if (status === 405) expect(res.headers.get('allow')).toBe('POST, GET, OPTIONS');
    }
    // Charset UTF-8, any case, quoted or not, is fine.
    const utf8 = { 'Content-Type': 'Application/X-WWW-Form-URLEncoded; Charset="UTF-8"' };
    expect((await handler(request({ body: refreshForm(), headers: utf8 }))).status).toBe(200);
    expect(upstream.received).toHaveLength(1);
  });
});

describe("the provider's answer", () => {
  it('comes back with its status, its JSON byte for byte, Date, Retry-After and no-store', async () => {
    const body = '{ "access_token" : "AT-9",\n  "expires_in" : 299 }';
    upstream.answer(() => ({
      status: 200,
      body,
      headers: {
        'Content-Type': 'application/json;charset=UTF-8',
        'Cache-Control': 'max-age=3600',
        'Set-Cookie': 'provider=1',
        'X-Provider-Internal': 'yes',
        Date: 'Tue, 01 Jan 2030 12:00:00 GMT',
      },
    }));
    const res = await proxy()(request({ body: refreshForm() }));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(body);
    expect(res.headers.get('date')).toBe('Tue, 01 Jan 2030 12:00:00 GMT');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('x-provider-internal')).toBeNull();
  });

  it('passes error answers through: status, body, Retry-After', async () => {
    const cases = [
      { status: 400, body: { error: 'invalid_grant' } },
      {
        status: 403,
        body: { error: 'unauthorized_client', error_description: 'invalid user password' },
      },
      {
        status: 200,
        body: { rc: 40001, mc: 'INVALID_GRANT', ma: ['refresh token is invalid'], result: null },
      },
      { status: 429, body: { error: 'slow_down' }, retryAfter: '7' },
      { status: 503, body: { error: 'temporarily_unavailable' }, retryAfter: '2' },
    ];
    for (const c of cases) {
      upstream.answer(() => ({
        status: c.status,
        body: JSON.stringify(c.body),
        headers: {
          'Content-Type': 'application/json',
          'WWW-Authenticate': 'Basic realm="x"',
          ...(c.retryAfter && { 'Retry-After': c.retryAfter }),
        },
      }));
      const a = await read(await proxy()(request({ body: refreshForm() })));
      expect([a.status, a.body, a.headers.get('retry-after')]).toEqual([
        c.status,
        c.body,
        c.retryAfter ?? null,
      ]);
      // A browser must never be asked for Basic credentials by its token proxy.
      expect(a.headers.get('www-authenticate')).toBeNull();
    }
  });

  it('scrubs the client secret out of an error body that echoes the request', async () => {
    upstream.answer((r) =>
      okJson(
        {
          error: 'invalid_client',
          error_description: `bad client_secret ${SECRET} in ${r.target} ${r.body}`,
          echo: { [SECRET]: [encodeURIComponent(SECRET)] },
        },
        401,
      ),
    );
    for (const params of ['body', 'query'] as const) {
      const a = await read(await proxy({ params })(request({ body: refreshForm() })));
      expect(a.status).toBe(401);
      expect((a.body as { error: string }).error).toBe('invalid_client');
      for (const form of SECRET_FORMS) expect(a.text).not.toContain(form);
      expect(a.text).toContain('[redacted]');
    }
  });

  it('answers 502 for a redirect, which it never follows', async () => {
    let followed = 0;
    upstream.answer((r) => {
      if (r.target.startsWith('/elsewhere')) followed++;
      return { status: 307, body: '', headers: { Location: `${upstream.url}/elsewhere` } };
    });
    const a = await read(await proxy()(request({ body: refreshForm() })));
    expect([a.status, (a.body as { error: string }).error]).toEqual([502, 'server_error']);
    expect(a.headers.get('location')).toBeNull();
    expect(followed).toBe(0);
  });

  it('never relays a body that is not JSON: 502 for a 2xx, its own §5.2 body otherwise', async () => {
    const html = '<html><body>502 Bad Gateway <script>alert(1)</script></body></html>';
    const cases: [number, string, number, string][] = [
      [200, html, 502, 'server_error'],
      [200, '{"access_token":"AT', 502, 'server_error'],
      [204, '', 502, 'server_error'],
      [503, html, 503, 'server_error'],
      [400, html, 400, 'invalid_request'],
    ];
    for (const [status, body, expected, error] of cases) {
      upstream.answer(() => ({
        status,
        body,
        headers: { 'Content-Type': 'text/html', 'Retry-After': '3' },
      }));
      const a = await read(await proxy()(request({ body: refreshForm() })));
      expect([a.status, (a.body as { error: string }).error]).toEqual([expected, error]);
      expect(a.headers.get('content-type')).toBe('application/json;charset=UTF-8');
      expect(a.headers.get('retry-after')).toBe('3');
      expect(a.text).not.toContain('<');
    }
  });

  it('answers 502 for an answer too large to be a token response', async () => {
    upstream.answer(() => okJson({ access_token: 'x'.repeat(1024 * 1024) }));
    const a = await read(await proxy()(request({ body: refreshForm() })));
    expect(a.status).toBe(502);
  });
});

describe('upstream failures', () => {
  it('answers 502 server_error when the provider cannot be reached or hangs up', async () => {
    const closed = createServer();
    const url = await listen(closed);
    await close(closed);
    const unreachable = await read(
      await proxy({ upstream: `${url}/oauth2/token` })(request({ body: refreshForm() })),
    );
    expect([unreachable.status, unreachable.body]).toEqual([
      502,
      { error: 'server_error', error_description: 'token endpoint unreachable' },
    ]);
    expect(unreachable.headers.get('access-control-allow-origin')).toBe(APP);

    upstream.answer(() => ({ destroy: true }));
    const dropped = await read(await proxy()(request({ body: refreshForm() })));
    expect(dropped.status).toBe(502);
  });

  it('answers 504 when the provider is too slow, also mid-body', async () => {
    upstream.answer(() => ({ ...okJson({ access_token: 'late' }), delayMs: 1000 }));
    const started = Date.now();
    const a = await read(await proxy({ timeoutMs: 100 })(request({ body: refreshForm() })));
    expect([a.status, a.body]).toEqual([
      504,
      { error: 'server_error', error_description: 'token endpoint timed out' },
    ]);
    expect(Date.now() - started).toBeLessThan(900);

    // Headers at once, body never: the timeout bounds the whole exchange.
    const slowBody = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"access_token":');
    });
    const url = await listen(slowBody);
    const b = await proxy({ upstream: url, timeoutMs: 100 })(request({ body: refreshForm() }));
    expect(b.status).toBe(504);
    await close(slowBody);
  });

  it('answers 504 even through a fetch that ignores its signal', async () => {
    const handler = proxy({ timeoutMs: 50, fetch: () => new Promise<Response>(() => {}) });
    expect((await handler(request({ body: refreshForm() }))).status).toBe(504);
  });

  it('puts no error message of the runtime into its answer (it may hold the URL)', async () => {
    const handler = proxy({
      params: 'query',
      fetch: async (input) => {
        throw new TypeError(`fetch failed: ${String(input)}`);
      },
    });
    const a = await read(await handler(request({ body: refreshForm() })));
    expect(a.status).toBe(502);
    for (const form of SECRET_FORMS) expect(a.text).not.toContain(form);
    expect(a.text).not.toContain(REFRESH);
  });
});

describe('secrets and tokens in error answers', () => {
  it('never puts the secret, a refresh token, a password or a code into an answer it makes', async () => {
    const handler = proxy({ clientId: 'TENANT_CLIENT_ID', maxBodyBytes: 600 });
    const values = [REFRESH, 'hunter2-password', 'code-abc-123', 'AT-secret-access'];
    const body = (extra: Record<string, string>) =>
      new URLSearchParams({
        refresh_token: REFRESH,
        password: 'hunter2-password',
        code: 'code-abc-123',
        access_token: 'AT-secret-access',
        ...extra,
      }).toString();
    const calls: Call[] = [
      { body: body({ grant_type: 'password' }) },
      { body: body({}) },
      { body: body({ grant_type: 'refresh_token', client_id: 'other' }) },
      { body: body({ grant_type: 'refresh_token', client_secret: 'leaked' }) },
      { body: `${body({ grant_type: 'refresh_token' })}&refresh_token=again` },
      { body: `${body({ grant_type: 'refresh_token' })}&bad=%zz` },
      { body: body({ grant_type: 'refresh_token', pad: 'x'.repeat(600) }) },
      { origin: 'https://evil.com', body: body({ grant_type: 'refresh_token' }) },
      { method: 'PATCH', body: body({ grant_type: 'refresh_token' }) },
      { body: body({ grant_type: 'refresh_token' }), headers: { 'Content-Type': 'text/plain' } },
    ];
    for (const call of calls) {
      const a = await read(await handler(request(call)));
      expect(a.status).toBeGreaterThanOrEqual(400);
      expect(a.body).toMatchObject({
        error: expect.any(String),
        error_description: expect.any(String),
      });
      for (const v of [...values, 'leaked', ...SECRET_FORMS]) expect(a.text).not.toContain(v);
    }
    expect(upstream.received).toHaveLength(0);
  });
});

describe('options', () => {
  it('refuses nonsense at creation, without naming the secret', () => {
    const base = {
      upstream: 'https://idp.example.com/token',
      clientSecret: SECRET,
      allowedOrigins: [APP],
    };
    const bad: Partial<TokenProxyOptions>[] = [
      { upstream: '/relative/token' },
      { upstream: 'ftp://idp.example.com/token' },
      { upstream: 'https://user:pass@idp.example.com/token' },
      { upstream: 'https://idp.example.com/token#x' },
      { clientSecret: '' },
      { clientId: '' },
      { allowedOrigins: ['*'] },
      { allowedOrigins: ['https://app.example.com/'] },
      { allowedOrigins: ['app.example.com'] },
      { allowedOrigins: ['null'] },
      { allowedOrigins: 'https://app.example.com' as never },
      { method: 'GET', params: 'body' },
      { method: 'PUT' as never },
      { params: 'header' as never },
      { grantTypes: [''] },
      { maxBodyBytes: 0 },
      { maxBodyBytes: 1.5 },
      { timeoutMs: 0 },
      { timeoutMs: Number.NaN },
    ];
    for (const options of bad) {
      let error: unknown;
      try {
        createTokenProxy({ ...base, ...options });
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(options)).toBeInstanceOf(Error);
      for (const form of SECRET_FORMS) expect(String(error)).not.toContain(form);
    }
    expect(() => createTokenProxy(base)).not.toThrow();
  });
});

describe('web-standard only', () => {
  it('imports nothing from Node and uses no Node global', () => {
    const files = readdirSync(new URL('../src/', import.meta.url)).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('tokenProxy.ts');
    for (const file of files.map((f) => `../src/${f}`)) {
      const source = readFileSync(new URL(file, import.meta.url), 'utf8');
      const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(code).not.toMatch(/from\s+['"]node:|require\(|\bprocess\.|\bBuffer\b|\bglobal\./);
      const imports = [...code.matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
      for (const spec of imports) expect(spec).toMatch(/^\.\//);
    }
  });
});

describe('mounted on a real server', () => {
  let servers: Server[] = [];
  afterAll(async () => {
    await Promise.all(servers.map(close));
    servers = [];
  });

  for (const [name, serve] of [
    [
      '@hono/node-server',
      (h: ReturnType<typeof proxy>) =>
        createAdaptorServer({ fetch: h, overrideGlobalObjects: false }) as Server,
    ],
    [
      'the node:http adapter of the README',
      (h: ReturnType<typeof proxy>) => createServer(nodeHandler(h)),
    ],
  ] as const) {
    it(`works behind ${name}: forwards, caps the body, answers preflight`, async () => {
      const server = serve(proxy());
      servers.push(server);
      const url = `${await listen(server)}/token-proxy`;
      const ok = await fetch(url, {
        method: 'POST',
        headers: { ...FORM, Origin: APP },
        body: refreshForm(),
      });
      expect([ok.status, await ok.json()]).toEqual([
        200,
        { access_token: 'AT-1', refresh_token: 'RT-2', expires_in: 300 },
      ]);
      expect(upstream.lastParams().get('client_secret')).toBe(SECRET);

      const big = await fetch(url, {
        method: 'POST',
        headers: { ...FORM, Origin: APP },
        body: `grant_type=refresh_token&refresh_token=${'r'.repeat(100_000)}`,
      });
      expect(big.status).toBe(413);
      const pre = await fetch(url, {
        method: 'OPTIONS',
        headers: { Origin: APP, 'Access-Control-Request-Method': 'POST' },
      });
      expect([pre.status, pre.headers.get('access-control-allow-origin')]).toEqual([204, APP]);
      expect(upstream.received).toHaveLength(1);
    });
  }
});

describe('random requests (property)', () => {
  it(
    'always answer JSON with no-store, never a 5xx the provider did not cause, never the secret',
    async () => {
      // Two proxies that differ only in their timeout, each with a wide margin, so that no case
      // depends on the machine's speed (a 60-ms timeout once turned a prompt `ok` answer into a
      // 504 on a loaded machine). Every fault but `slow` goes through one with a 5-s timeout: a
      // merely late answer is never a 504. The `slow` provider answers 3 s after it has the request,
      // through a proxy that gives up after 1 s: the request has a whole second to reach the
      // provider (so it counts as forwarded), and the answer comes 2 s after the 504 at the
      // earliest. A forwarded slow case costs its 1 s; they are about 2.5 % of the cases.
      const options = {
        grantTypes: ['refresh_token', 'password'],
        clientId: 'TENANT_CLIENT_ID',
        maxBodyBytes: 512,
      };
      const patient = proxy({ ...options, timeoutMs: 5_000 });
      const hasty = proxy({ ...options, timeoutMs: 1_000 });
      type Fault = 'ok' | 'error' | 'html' | 'echo' | 'drop' | 'slow' | 'redirect' | 'unavailable';
      const name = fc.oneof(
        fc.constantFrom(
          'grant_type',
          'refresh_token',
          'client_id',
          'client_secret',
          'username',
          'password',
          'scope',
        ),
        fc.string({ maxLength: 8 }),
      );
      const value = fc.oneof(
        fc.constantFrom(
          'refresh_token',
          'password',
          'authorization_code',
          'TENANT_CLIENT_ID',
          SECRET,
          '',
          '%',
          '%zz',
          '+',
        ),
        fc.string({ maxLength: 24 }),
        fc.string({ unit: 'binary', maxLength: 24 }),
      );
      const encoded = fc
        .array(fc.tuple(name, value), { maxLength: 6 })
        .map((pairs) =>
          pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'),
        );
      // Often a well-formed grant with random extras, so that many requests do reach the provider.
      const grant = fc
        .tuple(fc.constantFrom('refresh_token', 'password'), encoded)
        .map(([g, extra]) => `grant_type=${g}&refresh_token=r1${extra ? `&${extra}` : ''}`);
      const raw = fc.oneof(
        grant,
        grant,
        encoded,
        fc.string({ maxLength: 60 }),
        fc.string({ unit: 'binary', maxLength: 60 }),
      );
      const fault = fc.constantFrom<Fault>(
        'ok',
        'ok',
        'error',
        'html',
        'echo',
        'drop',
        'slow',
        'redirect',
        'unavailable',
      );
      const wild = fc.record({
        method: fc.constantFrom('POST', 'POST', 'GET', 'OPTIONS', 'PUT', 'DELETE', 'PATCH', 'HEAD'),
        origin: fc.constantFrom<string | null>(
          APP,
          APP,
          APP,
          null,
          'null',
          'https://evil.com',
          'http://app.example.com',
        ),
        fetchSite: fc.constantFrom<string | null>(null, 'same-origin', 'cross-site', 'none'),
        query: fc.oneof(fc.constant(''), raw),
        body: fc.oneof(
          fc.constant(''),
          raw,
          fc.uint8Array({ maxLength: 40 }),
          fc.constant('g='.padEnd(600, 'x')),
        ),
        contentType: fc.constantFrom<string | null>(
          'application/x-www-form-urlencoded',
          'application/x-www-form-urlencoded; charset=utf-8',
          'application/json',
          'text/plain;charset=ISO-8859-1',
          null,
        ),
        fault,
      });
      // What a browser app sends: a grant in the body of a POST or the query of a GET.
      const plausible = fc
        .record({ get: fc.boolean(), params: grant, sameOrigin: fc.boolean(), fault })
        .map(({ get, params, sameOrigin, fault }) => ({
          method: get ? 'GET' : 'POST',
          origin: sameOrigin && get ? null : APP,
          fetchSite: sameOrigin ? 'same-origin' : 'cross-site',
          query: get ? params : '',
          body: get ? '' : params,
          contentType: get ? null : 'application/x-www-form-urlencoded',
          fault,
        }));
      const arbitrary = fc.oneof(wild, plausible);

      let forwardedRuns = 0;
      await fc.assert(
        fc.asyncProperty(arbitrary, async (r) => {
          upstream.answer((got) => {
            switch (r.fault) {
              case 'ok':
                return okJson({ access_token: 'AT', expires_in: 1 });
              case 'error':
                return okJson({ error: 'invalid_grant' }, 400);
              case 'html':
                return { status: 200, body: '<html>', headers: { 'Content-Type': 'text/html' } };
              case 'echo':
                return okJson({ error: 'invalid_client', echo: `${got.target} ${got.body}` }, 401);
              case 'drop':
                return { destroy: true };
              case 'slow':
                return { ...okJson({ access_token: 'late' }), delayMs: 3_000 };
              case 'redirect':
                return { status: 302, body: '', headers: { Location: '/x' } };
              case 'unavailable':
                return okJson({ error: 'temporarily_unavailable' }, 503);
            }
          });
          const before = upstream.received.length;
          const headers = new Headers();
          if (r.origin !== null) headers.set('Origin', r.origin);
          if (r.fetchSite !== null) headers.set('Sec-Fetch-Site', r.fetchSite);
          if (r.contentType !== null) headers.set('Content-Type', r.contentType);
          const hasBody = r.method !== 'GET' && r.method !== 'HEAD' && r.body !== '';
          const handler = r.fault === 'slow' ? hasty : patient;
          const res = await handler(
            new Request(`https://proxy.example.com/t?${r.query}`, {
              method: r.method,
              headers,
              ...(hasBody && { body: r.body }),
            }),
          );
          const text = await res.text();
          const forwarded = upstream.received.length > before;
          // A 5xx only when the provider was asked and misbehaved (its 5xx, none, late, odd).
          if (res.status >= 500) {
            expect(forwarded || r.fault === 'drop').toBe(true);
            expect(r.fault).not.toBe('ok');
            expect(r.fault).not.toBe('error');
            expect(r.fault).not.toBe('echo');
            expect([502, 503, 504]).toContain(res.status);
            if (res.status === 503) expect(r.fault).toBe('unavailable');
          }
          // A provider that answers long after the proxy's timeout is always a 504.
          if (forwarded && r.fault === 'slow') expect(res.status).toBe(504);
          if (forwarded) {
            forwardedRuns++;
            const sent = upstream.lastParams();
            expect(sent.getAll('client_secret')).toEqual([SECRET]);
            expect(['refresh_token', 'password']).toContain(sent.get('grant_type'));
            expect(sent.get('client_id')).toBe('TENANT_CLIENT_ID');
          }
          if (res.status !== 204 && r.method !== 'HEAD') {
            expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
            expect(() => JSON.parse(text)).not.toThrow();
          }
          expect(res.headers.get('cache-control')).toBe('no-store');
          for (const form of SECRET_FORMS) expect(text).not.toContain(form);
        }),
        { numRuns: FUZZ_RUNS },
      );
      // The generator is worth something only if a fair share of requests got through.
      expect(forwardedRuns).toBeGreaterThan(FUZZ_RUNS / 20);
      // About 1 ms a case plus 1 s a forwarded slow one (2.5 % of the cases), so some 26 ms a
      // case on average on an idle machine: 30 s + 60 ms a case, 630 s for 10,000 cases.
    },
    30_000 + FUZZ_RUNS * 60,
  );
});
