import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENTS,
  DIALECTS,
  type DialectName,
  type MockServer,
  startMockServer,
} from '../src/index.js';
import { type Answer, answer, isInvalidGrant, me, tokenFetch, tokensOf } from './support.js';

const ORIGIN = 'http://127.0.0.1:5173';

let server: MockServer;
let base: string;
const lines: string[] = [];

beforeAll(async () => {
  // No proxiedRoutes: the seed routes still insist on the secret, which the proxy adds.
  server = await startMockServer({ log: (line) => lines.push(line) });
  base = server.url;
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  lines.length = 0;
});

interface ProxyCall {
  readonly origin?: string | null;
  readonly method?: 'GET' | 'POST';
  /** Where the browser puts the parameters; default: where the seed puts them. */
  readonly in?: 'body' | 'query';
  readonly clientId?: string | null;
}

/** A browser's token request to `/proxy/<dialect>`, in the seed's shape, with no client secret. */
async function viaProxy(
  dialect: DialectName,
  params: Record<string, string>,
  call: ProxyCall = {},
): Promise<Answer> {
  const client = DEMO_CLIENTS[dialect];
  const { origin = ORIGIN, clientId = client.clientId } = call;
  const all = new URLSearchParams(clientId === null ? {} : { client_id: clientId });
  for (const [k, v] of Object.entries(params)) all.set(k, v);
  const where = call.in ?? (client.paramsIn === 'form' ? 'body' : 'query');
  const method = call.method ?? (where === 'body' ? 'POST' : client.method);
  const headers: Record<string, string> = origin === null ? {} : { Origin: origin };
  const url = `${base}/proxy/${dialect}`;
  return answer(
    where === 'body'
      ? await fetch(url, {
          method,
          headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
          body: all.toString(),
        })
      : await fetch(`${url}?${all}`, { method, headers }),
  );
}

const password = { grant_type: 'password', username: 'alice', password: 'alice-password' };
const refreshWith = (refresh_token: string) => ({ grant_type: 'refresh_token', refresh_token });

describe('/proxy/<dialect>', () => {
  for (const dialect of DIALECTS) {
    it(`${dialect}: signs in and refreshes with no secret from the browser, rotation intact`, async () => {
      const signIn = await viaProxy(dialect, password);
      expect(signIn.status).toBe(200);
      expect(signIn.headers.get('cache-control')).toBe('no-store');
      expect(signIn.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(signIn.headers.get('vary')).toBe('Origin');
      const first = tokensOf(dialect, signIn.body);

      const r1 = await viaProxy(dialect, refreshWith(first.refreshToken));
      const second = tokensOf(dialect, r1.body);
      const r2 = await viaProxy(dialect, refreshWith(second.refreshToken));
      const third = tokensOf(dialect, r2.body);
      expect(new Set([first.refreshToken, second.refreshToken, third.refreshToken]).size).toBe(3);
      expect((await me(base, third.accessToken)).status).toBe(200);

      // The spent refresh token, through the proxy too, is reuse: the family is revoked.
      const reused = await viaProxy(dialect, refreshWith(first.refreshToken));
      expect(isInvalidGrant(dialect, reused)).toBe(true);
      expect((await me(base, third.accessToken)).status).toBe(401);

      // The proxy's calls reached the seed route over HTTP and are counted there, each with
      // the secret (no invalid_client).
      expect(server.stats().byDialect[dialect]).toMatchObject({
        signIns: 1,
        refreshes: 2,
        reuseDetected: 1,
        invalidGrant: 1,
        invalidClient: 0,
        tokenRequests: 4,
      });
    });
  }

  it('is what adds the secret: the seed route alone still refuses a request without one', async () => {
    const direct = await answer(await tokenFetch(base, 'ciam', password, { secret: false }));
    expect([direct.status, direct.body]).toEqual([401, { error: 'invalid_client' }]);
    expect((await viaProxy('ciam', password)).status).toBe(200);
    expect(server.stats().byDialect.ciam).toMatchObject({ invalidClient: 1, signIns: 1 });
  });

  it('takes the browser parameters from a form body or the query, whatever the seed wants', async () => {
    // UAA wants GET with a query string; a browser may POST a form to the proxy instead.
    expect((await viaProxy('uaa', password, { in: 'body' })).status).toBe(200);
    // CIAM wants a form body; a GET with a query string works through the proxy too.
    expect((await viaProxy('ciam', password, { in: 'query', method: 'GET' })).status).toBe(200);
    // EIAM: the client id may be left out, the proxy knows it.
    expect((await viaProxy('eiam', password, { clientId: null })).status).toBe(200);
    expect(server.stats().signIns).toBe(3);
  });

  it('allows local origins only, like the CORS rule, and never calls the route otherwise', async () => {
    for (const origin of ['http://localhost:3000', 'https://127.0.0.1', 'http://[::1]:8080']) {
      expect((await viaProxy('chatroom', password, { origin })).status).toBe(200);
    }
    for (const origin of [
      'https://app.example.com',
      'http://127.0.0.1.evil.com',
      'http://localhost.evil.com:5173',
      'null',
      null,
    ]) {
      const a = await viaProxy('chatroom', password, { origin });
      expect([origin, a.status, a.body]).toEqual([
        origin,
        403,
        { error: 'invalid_request', error_description: 'origin not allowed' },
      ]);
      expect(a.headers.get('access-control-allow-origin')).toBeNull();
    }
    expect(server.stats().byDialect.chatroom.tokenRequests).toBe(3);
  });

  it('refuses a browser-sent secret, another client, another grant; 404 for an unknown dialect', async () => {
    const secret = await viaProxy('ciam', { ...password, client_secret: 'TENANT_CLIENT_SECRET' });
    expect([secret.status, (secret.body as { error: string }).error]).toEqual([
      400,
      'invalid_request',
    ]);
    expect(secret.text).not.toContain('TENANT_CLIENT_SECRET');
    const other = await viaProxy('ciam', password, { clientId: 'someone-else' });
    expect([other.status, (other.body as { error: string }).error]).toEqual([
      401,
      'invalid_client',
    ]);
    const grant = await viaProxy('ciam', { grant_type: 'client_credentials' });
    expect([grant.status, (grant.body as { error: string }).error]).toEqual([
      400,
      'unsupported_grant_type',
    ]);
    const unknown = await fetch(`${base}/proxy/okta`, {
      method: 'POST',
      headers: { Origin: ORIGIN },
    });
    expect(unknown.status).toBe(404);
    expect(server.stats().tokenRequests).toBe(0);
  });

  it('answers CORS preflight for local origins', async () => {
    const res = await fetch(`${base}/proxy/ciam`, {
      method: 'OPTIONS',
      headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST' },
    });
    expect([res.status, res.headers.get('access-control-allow-origin')]).toEqual([204, ORIGIN]);
  });

  it("relays the route's faults: status, body shape and Retry-After; a dropped answer is 502", async () => {
    server.faults({ route: 'token', dialect: 'uaa', status: 503, retryAfter: 3 });
    const unavailable = await viaProxy('uaa', password);
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('3');
    expect(unavailable.body).toMatchObject({ rc: 50300, result: null });

    server.faults({ route: 'token', dialect: 'ciam', dropAfterCommit: true });
    const dropped = await viaProxy('ciam', password);
    expect([dropped.status, dropped.body]).toEqual([
      502,
      { error: 'server_error', error_description: 'token endpoint unreachable' },
    ]);
    expect(server.stats().faultsServed).toBe(2);
  });

  it('logs the proxy request without its query, a secret or a token', async () => {
    const signIn = await viaProxy('eiam', password);
    const { refreshToken } = tokensOf('eiam', signIn.body);
    await viaProxy('eiam', refreshWith(refreshToken));
    const log = lines.join('\n');
    expect(log).toContain('proxy eiam');
    expect(log).toContain('POST /auth/oauth2/token 200');
    for (const s of [refreshToken, 'alice-password', 'eiam-demo-secret', '?']) {
      expect(log).not.toContain(s);
    }
  });
});
