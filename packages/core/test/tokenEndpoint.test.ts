import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dialects } from '../src/dialects/index.js';
import { BatonError } from '../src/errors.js';
import { requestTokens } from '../src/tokenEndpoint.js';
import type { Dialect, TokenGrant } from '../src/types.js';
import {
  chatroomRequestExample,
  chatroomSuccessExample,
  ciamRequestExample,
  ciamSuccessExample,
  eiamRequestExample,
  eiamSuccessExample,
  parseHttpMessage,
  uaaRequestUrl,
  uaaSuccessExample,
} from './fixtures/seeds.js';

interface Captured {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
type Handler = (req: IncomingMessage, res: ServerResponse, captured: Captured) => void;

const captured: Captured[] = [];
let handler: Handler = (_req, res) => res.end();
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const c = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('latin1'),
    };
    captured.push(c);
    // No keep-alive: a socket a test destroys is never reused by the next one.
    res.setHeader('connection', 'close');
    handler(req, res, c);
  });
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  captured.length = 0;
  handler = (_req, res) => res.end();
  vi.unstubAllGlobals();
  // No closeAllConnections here: a hanging answer ends when the client aborts, and killing the
  // idle socket undici keeps ready would fail the next test's POST ("other side closed").
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
const refresh = (refreshToken: string): TokenGrant => ({ type: 'refresh_token', refreshToken });
const rejection = async (promise: Promise<unknown>): Promise<BatonError> => {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(BatonError);
    return e as BatonError;
  }
  throw new Error('expected a rejection');
};
const normalize = (url: string) => url.replace(/%[0-9a-f]{2}/gi, (m) => m.toUpperCase());

describe('the exact bytes each dialect sends', () => {
  it('ciam', async () => {
    handler = json(200, parseHttpMessage(ciamSuccessExample).body);
    const dialect = dialects.ciam({
      clientId: 'TENANT_CLIENT_ID',
      clientSecret: 'TENANT_CLIENT_SECRET',
      tokenUrl: `${base}/oauth2/token`,
    });
    const { result } = await requestTokens(dialect, refresh('MOCK_REFRESH_TOKEN'));
    const seed = parseHttpMessage(ciamRequestExample);
    const [req] = captured;
    expect(`${req?.method} ${req?.url} HTTP/1.1`).toBe(seed.start);
    expect(req?.headers['content-type']).toBe(seed.headers['content-type']);
    expect(req?.headers.accept).toBe('application/json');
    expect(req?.headers.cookie).toBeUndefined();
    expect(req?.headers.authorization).toBeUndefined();
    expect(req?.body).toBe(seed.body);
    expect(result.refreshToken).toBe('MOCK_REFRESH_TOKEN');
  });

  it('eiam: everything in the query, no body, no Content-Type', async () => {
    handler = json(200, eiamSuccessExample);
    const dialect = dialects.eiam({
      clientId: 'ODQyNGJlYmFjYWFm****WE4YjkwNjU4MzMxOThkMGU',
      clientSecret: 'oG412Uk6****gUWlwJfvWUdJht1j+q',
      tokenUrl: `${base}/auth/oauth2/token`,
    });
    const { result } = await requestTokens(dialect, refresh('a6a40b185c5****58eaed0f59509b567'));
    const seed = new URL(eiamRequestExample.replace('<auth_domain>', 'auth.example'));
    const [req] = captured;
    expect(req?.method).toBe('POST');
    expect(normalize(req?.url ?? '')).toBe(normalize(seed.pathname + seed.search));
    expect(req?.body).toBe('');
    expect(req?.headers['content-type']).toBeUndefined();
    expect(result.expiresIn).toBe(7_200_000);
  });

  it('uaa: GET with the documented query', async () => {
    handler = json(200, uaaSuccessExample);
    const dialect = dialects.uaa({
      clientId: '35LF2FSLHX5IRQA4',
      clientSecret: 'uaa-demo-secret',
      tokenUrl: `${base}/public/uaa/oauth2/token`,
    });
    const { result } = await requestTokens(dialect, refresh('RT'));
    const [req] = captured;
    expect(req?.method).toBe('GET');
    expect(req?.url).toBe(
      uaaRequestUrl({
        client_id: '35LF2FSLHX5IRQA4',
        client_secret: 'uaa-demo-secret',
        grant_type: 'refresh_token',
        refresh_token: 'RT',
      }),
    );
    expect(req?.body).toBe('');
    expect(result.refreshExpiresIn).toBe(18_143_999);
  });

  it('chatroom', async () => {
    handler = json(200, chatroomSuccessExample);
    const dialect = dialects.chatroom({
      clientId: '000000',
      clientSecret: '999999',
      tokenUrl: `${base}/chatroom/api/token`,
    });
    await requestTokens(dialect, refresh(chatroomRequestExample.refresh_token));
    const [req] = captured;
    expect([req?.method, req?.url, req?.headers['content-type']]).toEqual([
      'POST',
      '/chatroom/api/token',
      'application/x-www-form-urlencoded',
    ]);
    expect(req?.body).toBe(new URLSearchParams(chatroomRequestExample).toString());
  });

  it('a password grant; a secret with + / = arrives intact', async () => {
    handler = json(200, { access_token: 'a', expires_in: 60 });
    const dialect = dialects.ciam({
      clientId: 'id',
      clientSecret: 'eiam-demo-secret+/=',
      tokenUrl: `${base}/oauth2/token`,
    });
    await requestTokens(dialect, {
      type: 'password',
      username: 'alice',
      password: 'alice-password',
    });
    const params = new URLSearchParams(captured[0]?.body);
    expect(captured[0]?.body).toContain('client_secret=eiam-demo-secret%2B%2F%3D');
    expect(Object.fromEntries(params)).toEqual({
      client_id: 'id',
      client_secret: 'eiam-demo-secret+/=',
      grant_type: 'password',
      username: 'alice',
      password: 'alice-password',
    });
  });

  it('resolves a page-relative token URL against location.href', async () => {
    handler = json(200, { access_token: 'a', expires_in: 60 });
    vi.stubGlobal('location', { href: `${base}/app/page?x=1` });
    await requestTokens(dialects.ciam({ clientId: 'id' }), refresh('r'));
    expect(captured[0]?.url).toBe('/oauth2/token');
  });
});

describe('the answer', () => {
  const ciam = () => dialects.ciam({ clientId: 'id', tokenUrl: `${base}/oauth2/token` });

  it('sentAt is taken right before sending; serverDate from the Date header', async () => {
    let serverSawAt = 0;
    handler = (req, res, c) => {
      serverSawAt = Date.now();
      setTimeout(
        () =>
          json(
            200,
            { access_token: 'a', expires_in: 60 },
            { date: 'Wed, 21 Oct 2015 07:28:00 GMT' },
          )(req, res, c),
        100,
      );
    };
    const before = Date.now();
    const answer = await requestTokens(ciam(), refresh('r'));
    expect(answer.sentAt).toBeGreaterThanOrEqual(before);
    expect(answer.sentAt).toBeLessThanOrEqual(serverSawAt);
    expect(answer.serverDate).toBe(Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'));
    expect(answer.result).toEqual({ accessToken: 'a', expiresIn: 60_000, tokenType: 'Bearer' });
  });

  it('uses the injected clock, and leaves serverDate out when the Date header does not parse', async () => {
    handler = json(200, { access_token: 'a' }, { date: 'not a date' });
    const answer = await requestTokens(ciam(), refresh('r'), { now: () => 42 });
    expect(answer.sentAt).toBe(42);
    expect('serverDate' in answer).toBe(false);
  });

  it('503 with Retry-After → rate_limited with retryAfterMs, transient', async () => {
    handler = json(503, '<html>busy</html>', { 'retry-after': '7' });
    const error = await rejection(requestTokens(ciam(), refresh('r')));
    expect(error).toMatchObject({
      code: 'rate_limited',
      terminal: false,
      status: 503,
      retryAfterMs: 7_000,
    });
  });

  it('400 invalid_grant → terminal', async () => {
    handler = json(400, { error: 'invalid_grant' });
    expect(await rejection(requestTokens(ciam(), refresh('r')))).toMatchObject({
      code: 'invalid_grant',
      terminal: true,
    });
  });

  it('sends no cookies and asks for no cache', async () => {
    const seen: RequestInit[] = [];
    const fakeFetch: typeof fetch = async (_url, init) => {
      seen.push(init ?? {});
      return new Response('{"access_token":"a","expires_in":1}', { status: 200 });
    };
    await requestTokens(ciam(), refresh('r'), { fetch: fakeFetch });
    expect(seen[0]).toMatchObject({ method: 'POST', credentials: 'omit', cache: 'no-store' });
    expect(seen[0]?.signal).toBeInstanceOf(AbortSignal);
  });
});

describe('failures before an answer', () => {
  const ciam = () => dialects.ciam({ clientId: 'id', tokenUrl: `${base}/oauth2/token` });

  it('connection destroyed → network, transient', async () => {
    handler = (req) => req.socket.destroy();
    expect(await rejection(requestTokens(ciam(), refresh('r')))).toMatchObject({
      code: 'network',
      terminal: false,
    });
  });

  it('nobody listening → network', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const dialect = dialects.ciam({
      clientId: 'id',
      tokenUrl: `http://127.0.0.1:${port}/oauth2/token`,
    });
    expect(await rejection(requestTokens(dialect, refresh('r')))).toMatchObject({
      code: 'network',
      terminal: false,
    });
  });

  it('body cut off mid-way → network', async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"access_token":"a"', () => req.socket.destroy());
    };
    expect(await rejection(requestTokens(ciam(), refresh('r')))).toMatchObject({ code: 'network' });
  });

  it('fetch rejecting with a non-Error → network', async () => {
    const fakeFetch = (() => Promise.reject(Object.create(null))) as typeof fetch;
    expect(
      await rejection(requestTokens(ciam(), refresh('r'), { fetch: fakeFetch })),
    ).toMatchObject({ code: 'network' });
  });

  it('server never answers → timeout, transient', async () => {
    handler = () => {};
    const started = Date.now();
    const error = await rejection(requestTokens(ciam(), refresh('r'), { timeoutMs: 100 }));
    expect(error).toMatchObject({ code: 'timeout', terminal: false });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('body never finishes → timeout', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"access_token":');
    };
    expect(await rejection(requestTokens(ciam(), refresh('r'), { timeoutMs: 150 }))).toMatchObject({
      code: 'timeout',
    });
  });

  it('a fetch that ignores its signal is still bounded', async () => {
    const fakeFetch = (() => new Promise<Response>(() => {})) as typeof fetch;
    expect(
      await rejection(requestTokens(ciam(), refresh('r'), { fetch: fakeFetch, timeoutMs: 50 })),
    ).toMatchObject({
      code: 'timeout',
    });
  });

  it('aborted before sending → aborted, and nothing is sent', async () => {
    const controller = new AbortController();
    controller.abort();
    const fakeFetch = vi.fn<typeof fetch>();
    const error = await rejection(
      requestTokens(ciam(), refresh('r'), { signal: controller.signal, fetch: fakeFetch }),
    );
    expect(error).toMatchObject({ code: 'aborted', terminal: false });
    await rejection(requestTokens(ciam(), refresh('r'), { signal: controller.signal }));
    expect(fakeFetch).not.toHaveBeenCalled();
    expect(captured).toHaveLength(0);
  });

  it('aborted while waiting for the answer → aborted', async () => {
    const controller = new AbortController();
    // Aborted once the server has the request, which it never answers.
    handler = () => controller.abort();
    const error = await rejection(
      requestTokens(ciam(), refresh('r'), { signal: controller.signal, timeoutMs: 5_000 }),
    );
    expect(error.code).toBe('aborted');
    expect(captured).toHaveLength(1);
  });

  it('aborted while reading the body → aborted', async () => {
    const controller = new AbortController();
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"access_token":', () => setTimeout(() => controller.abort(), 20));
    };
    const error = await rejection(
      requestTokens(ciam(), refresh('r'), { signal: controller.signal }),
    );
    expect(error.code).toBe('aborted');
  });
});

describe('redaction: no error carries a token or secret', () => {
  const REFRESH = 'RT-9f8e7d6c5b4a39281706f5e4d3c2b1a0-secret';
  const SECRET = 'cs+/=Sup3rS3cret';
  const PASSWORD = 'alice-password-xyz';
  const secrets = [REFRESH, SECRET, PASSWORD, encodeURIComponent(SECRET), 'cs%2B%2F%3DSup3rS3cret'];
  const everything = (e: BatonError) =>
    [
      e.message,
      e.description,
      e.providerCode,
      JSON.stringify(e),
      String(e),
      inspect(e, { depth: 5 }),
    ].join('\n');
  const expectClean = (e: BatonError) => {
    const text = everything(e);
    for (const s of secrets) expect(text).not.toContain(s);
    // Not even a part cut at a truncation point.
    for (const s of [REFRESH, SECRET, PASSWORD]) expect(text).not.toContain(s.slice(0, 8));
  };
  const make = (name: 'ciam' | 'eiam' | 'uaa' | 'chatroom', path: string): Dialect =>
    dialects[name]({ clientId: 'id', clientSecret: SECRET, tokenUrl: `${base}${path}` });
  /** Echoes every parameter the client sent, raw and URL-encoded. */
  const echo = (c: Captured) =>
    `${c.url} ${c.body} ${[...new URLSearchParams(c.body || c.url.split('?')[1])].join(' ')}`;

  it.each([
    ['ciam', '/oauth2/token'],
    ['eiam', '/auth/oauth2/token'],
    ['chatroom', '/chatroom/api/token'],
  ] as const)(
    '%s: a 400 that echoes the request in error and error_description',
    async (name, path) => {
      handler = (req, res, c) =>
        json(400, { error: `bad ${REFRESH}`, error_description: `got ${echo(c)}` })(req, res, c);
      const error = await rejection(requestTokens(make(name, path), refresh(REFRESH)));
      expect(error).toMatchObject({ code: 'invalid_request', terminal: true, status: 400 });
      expect(error.description).toContain('[redacted]');
      expectClean(error);
    },
  );

  it('uaa: a 200 envelope error that echoes the request in ma and mc', async () => {
    handler = (req, res, c) =>
      json(200, { rc: 40001, mc: REFRESH, ma: [echo(c), SECRET] })(req, res, c);
    const error = await rejection(
      requestTokens(make('uaa', '/public/uaa/oauth2/token'), refresh(REFRESH)),
    );
    expect(error).toMatchObject({ code: 'invalid_grant', terminal: true });
    expectClean(error);
  });

  it('a secret straddling the 200-character cut, JSON-escaped as \\/', async () => {
    for (let pad = 180; pad < 200; pad++) {
      const body = `{"error":"invalid_grant","error_description":"${'x'.repeat(pad)}${SECRET.replace('/', '\\/')} ${REFRESH}"}`;
      handler = json(400, body);
      const error = await rejection(requestTokens(make('ciam', '/oauth2/token'), refresh(REFRESH)));
      expect(error.code).toBe('invalid_grant');
      expect(error.description?.length).toBeLessThanOrEqual(200);
      expectClean(error);
    }
  });

  it('a password grant whose password is echoed', async () => {
    handler = (req, res, c) =>
      json(401, { error: 'invalid_grant', error_description: echo(c) })(req, res, c);
    const error = await rejection(
      requestTokens(make('eiam', '/auth/oauth2/token'), {
        type: 'password',
        username: 'alice',
        password: PASSWORD,
      }),
    );
    expect(error.code).toBe('invalid_grant');
    expectClean(error);
  });

  it('a network error whose message holds the URL (EIAM, relative URL outside a browser)', async () => {
    const error = await rejection(
      requestTokens(dialects.eiam({ clientId: 'id', clientSecret: SECRET }), refresh(REFRESH)),
    );
    expect(error.code).toBe('network');
    expect(error.description).toContain('[redacted]');
    expectClean(error);
  });
});
