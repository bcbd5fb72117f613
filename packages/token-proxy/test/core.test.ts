import type { Server } from 'node:http';
import { createTokenManager, type Dialect, type TokenManager } from '@baton/core';
import { dialects } from '@baton/core/dialects';
import { signInWithPassword } from '@baton/core/password';
import {
  DEMO_CLIENTS,
  DIALECTS,
  type DialectName,
  type MockServer,
  startMockServer,
} from '@baton/mock-server';
import { createAdaptorServer } from '@hono/node-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTokenProxy } from '../src/index.js';
import { close, listen } from './support.js';

/** The app's origin, as a browser would send it (Node's fetch sends none). */
const APP = 'http://127.0.0.1:5173';
const ALICE = { username: 'alice', password: 'alice-password' };

interface Sent {
  readonly method: string;
  readonly url: string;
  readonly body: string;
  readonly answer: string;
}

/** A browser's fetch: adds the page's Origin, records what goes out and what comes back. */
function browserFetch(sent: Sent[]): typeof fetch {
  return async (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('Origin', APP);
    const response = await fetch(input, { ...init, headers });
    sent.push({
      method: init.method ?? 'GET',
      url: String(input),
      body: typeof init.body === 'string' ? init.body : '',
      answer: await response.clone().text(),
    });
    return response;
  };
}

/** The refresh token in a token answer of `dialect`. */
function refreshTokenOf(dialect: DialectName, answer: string): string {
  const json = JSON.parse(answer) as Record<string, unknown>;
  const flat = (dialect === 'uaa' ? json.result : json) as Record<string, unknown>;
  if (typeof flat.refresh_token !== 'string') throw new Error('no refresh token');
  return flat.refresh_token;
}

/** A browser-side dialect with NO client secret, pointed at `tokenUrl`. */
function browserDialect(dialect: DialectName, tokenUrl: string): Dialect {
  return dialects[dialect]({ clientId: DEMO_CLIENTS[dialect].clientId, tokenUrl });
}

let server: MockServer;
const managers: TokenManager[] = [];

beforeAll(async () => {
  server = await startMockServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());
afterEach(() => {
  for (const m of managers.splice(0)) m.destroy();
});

function manager(dialect: Dialect, sent: Sent[]): TokenManager {
  const m = createTokenManager({
    dialect,
    channel: false,
    fetch: browserFetch(sent),
    minRefreshIntervalMs: 0,
  });
  managers.push(m);
  return m;
}

async function until(predicate: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("the core's dialects through the mock server's /proxy/<dialect>, with no secret", () => {
  for (const dialect of DIALECTS) {
    it(`${dialect}: signs in, refreshes with rotation, and the stats count it`, async () => {
      const sent: Sent[] = [];
      const m = manager(browserDialect(dialect, `${server.url}/proxy/${dialect}`), sent);

      await signInWithPassword(m, ALICE);
      expect(m.getSnapshot()).toMatchObject({ status: 'valid', generation: 1 });
      const firstAccess = m.getSnapshot().accessToken;
      await m.refresh();
      await m.refresh();
      const { accessToken, generation, status } = m.getSnapshot();
      expect([status, generation]).toEqual(['valid', 3]);
      expect(accessToken).not.toBe(firstAccess);

      // The new access token works on the API.
      const me = await fetch(`${server.url}/api/me`, {
        headers: { Authorization: `Bearer ${accessToken}` },
      });
      expect([me.status, await me.json()]).toMatchObject([200, { ok: true, dialect }]);

      // The browser never sent a secret, and only ever talked to the proxy.
      expect(sent).toHaveLength(3);
      for (const s of sent) {
        expect(s.url.startsWith(`${server.url}/proxy/${dialect}`)).toBe(true);
        expect(`${s.url} ${s.body}`).not.toContain('client_secret');
        expect(`${s.url} ${s.body}`).not.toContain(
          encodeURIComponent(DEMO_CLIENTS[dialect].clientSecret),
        );
      }
      // Three token requests reached the provider's own route, through the proxy, each with
      // the secret: none refused as a client without one.
      expect(server.stats().byDialect[dialect]).toMatchObject({
        signIns: 1,
        refreshes: 2,
        tokenRequests: 3,
        invalidClient: 0,
        reuseDetected: 0,
      });

      // Rotation: the first refresh token is spent; presented again (through the proxy too),
      // it revokes the session family, and the manager's next refresh signs it out.
      const spent = refreshTokenOf(dialect, sent[0]?.answer ?? '');
      const replay = await browserDialect(dialect, `${server.url}/proxy/${dialect}`);
      const request = replay.buildTokenRequest({ type: 'refresh_token', refreshToken: spent });
      const again = await fetch(new URL(request.url), {
        method: request.method,
        headers: { ...request.headers, Origin: APP },
        ...(request.body !== undefined && { body: request.body }),
      });
      const body = await again.text();
      expect(() =>
        replay.parseTokenResponse({ status: again.status, headers: again.headers, body }),
      ).toThrow(expect.objectContaining({ code: 'invalid_grant', terminal: true }));
      expect(server.stats().byDialect[dialect].reuseDetected).toBe(1);
      await expect(m.refresh()).rejects.toMatchObject({ code: 'invalid_grant' });
      expect(m.getSnapshot().status).toBe('signed-out');
    });
  }

  it('keeps the session through a provider outage: the 503 and its Retry-After come through', async () => {
    const sent: Sent[] = [];
    const m = manager(browserDialect('ciam', `${server.url}/proxy/ciam`), sent);
    await signInWithPassword(m, ALICE);
    server.faults({ route: 'token', grant: 'refresh_token', status: 503, retryAfter: 1 });
    await expect(m.refresh()).rejects.toMatchObject({
      code: 'rate_limited',
      terminal: false,
      retryAfterMs: 1000,
    });
    expect(m.getSnapshot().status).toBe('valid');
    // The manager honours the relayed Retry-After, then refreshes on its own.
    const failedAt = Date.now();
    await until(() => m.getSnapshot().generation === 2, 5000);
    expect(Date.now() - failedAt).toBeGreaterThanOrEqual(900);
    expect(server.stats().byDialect.ciam).toMatchObject({ refreshes: 1, faultsServed: 1 });
  });

  it('turns a lost answer into a transient 502: the session survives', async () => {
    const m = manager(browserDialect('chatroom', `${server.url}/proxy/chatroom`), []);
    await signInWithPassword(m, ALICE);
    // The provider commits the rotation, then drops the connection: the proxy sees no answer.
    server.faults({ route: 'token', grant: 'refresh_token', dropAfterCommit: true });
    await expect(m.refresh()).rejects.toMatchObject({ code: 'server_error', terminal: false });
    expect(m.getSnapshot().status).toBe('valid');
  });
});

describe('a proxy of your own in front of a provider', () => {
  let proxyServer: Server;
  let proxyUrl: string;

  beforeAll(async () => {
    // EIAM: the secret has `+/=` and travels in the query string of a POST.
    const proxy = createTokenProxy({
      upstream: `${server.url}/auth/oauth2/token`,
      clientId: DEMO_CLIENTS.eiam.clientId,
      clientSecret: DEMO_CLIENTS.eiam.clientSecret,
      allowedOrigins: [APP],
      grantTypes: ['refresh_token', 'password'],
      params: 'query',
    });
    proxyServer = createAdaptorServer({ fetch: proxy, overrideGlobalObjects: false }) as Server;
    proxyUrl = `${await listen(proxyServer)}/token-proxy/eiam`;
  });
  afterAll(() => close(proxyServer));

  it('lets the eiam dialect work with no secret, where the provider alone refuses it', async () => {
    const direct = manager(browserDialect('eiam', `${server.url}/auth/oauth2/token`), []);
    await expect(signInWithPassword(direct, ALICE)).rejects.toMatchObject({
      code: 'invalid_request',
    });
    expect(server.stats().byDialect.eiam.invalidClient).toBe(1);

    const sent: Sent[] = [];
    const m = manager(browserDialect('eiam', proxyUrl), sent);
    await signInWithPassword(m, ALICE);
    await m.refresh();
    expect(m.getSnapshot()).toMatchObject({ status: 'valid', generation: 2 });
    expect(server.stats().byDialect.eiam).toMatchObject({ signIns: 1, refreshes: 1 });
    for (const s of sent) expect(s.url).not.toContain('client_secret');
  });
});
