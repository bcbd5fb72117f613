import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../src/index.js';
import {
  answer,
  isInvalidGrant,
  me,
  refresh,
  signIn,
  sleep,
  tokenFetch,
  tokensOf,
} from './support.js';

let server: MockServer;
let base: string;

beforeAll(async () => {
  server = await startMockServer();
  base = server.url;
});
afterAll(() => server.close());
beforeEach(() => server.reset());

async function postFaults(spec: unknown) {
  return answer(
    await fetch(`${base}/__mock/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(spec),
    }),
  );
}

describe('status faults', () => {
  it('answer the next `count` matching requests with the status, Retry-After and the route shape, committing nothing', async () => {
    const s = await signIn(base, 'ciam');
    const added = await postFaults({ route: 'token', status: 503, count: 2, retryAfter: 2 });
    expect(added.status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const a = await refresh(base, 'ciam', s.refreshToken);
      expect([a.status, a.headers.get('retry-after'), a.body]).toEqual([
        503,
        '2',
        { error: 'temporarily_unavailable' },
      ]);
    }
    // The token was never spent by the faulted requests.
    const ok = await refresh(base, 'ciam', s.refreshToken);
    expect(ok.status).toBe(200);
    expect(server.stats()).toMatchObject({ refreshes: 1, reuseDetected: 0, faultsServed: 2 });
  });

  it('keep each route its own error shape, or a plain body when asked', async () => {
    server.faults([
      { route: 'token', dialect: 'uaa', status: 500 },
      { route: 'token', dialect: 'eiam', status: 429, error: 'slow_down' },
      { route: 'token', dialect: 'chatroom', status: 502, body: 'plain' },
    ]);
    // Only the matching dialect gets it: this CIAM sign-in is untouched.
    expect((await signIn(base, 'ciam')).accessToken).toBeTruthy();
    const params = { grant_type: 'password', username: 'alice', password: 'alice-password' };
    const uaa = await answer(await tokenFetch(base, 'uaa', params));
    expect([uaa.status, uaa.body]).toEqual([
      500,
      { rc: 50000, mc: 'SERVER_ERROR', ma: ['injected fault'], result: null },
    ]);
    const eiam = await answer(await tokenFetch(base, 'eiam', params));
    expect([eiam.status, eiam.body]).toEqual([
      429,
      { error: 'slow_down', error_description: 'injected fault' },
    ]);
    const chat = await answer(await tokenFetch(base, 'chatroom', params));
    expect([chat.status, chat.body]).toEqual([502, { error: 'injected_fault', status: 502 }]);
    expect(server.pendingFaults()).toEqual([]);
  });

  it('on the api route, a 401 carries the invalid_token challenge', async () => {
    const s = await signIn(base, 'chatroom');
    server.faults({ route: 'api', status: 401 });
    const a = await me(base, s.accessToken);
    expect(a.status).toBe(401);
    expect(a.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect((await me(base, s.accessToken)).status).toBe(200);
  });

  it('can target one grant only', async () => {
    server.faults({ status: 503, grant: 'refresh_token' });
    const s = await signIn(base, 'eiam');
    expect((await refresh(base, 'eiam', s.refreshToken)).status).toBe(503);
  });
});

describe('latency faults', () => {
  it('delay the request before it is processed', async () => {
    server.faults({ latencyMs: 250, route: 'api' });
    const s = await signIn(base, 'ciam');
    const started = performance.now();
    expect((await me(base, s.accessToken)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('drop a request whose client leaves during the delay: nothing is committed', async () => {
    const s = await signIn(base, 'ciam');
    server.faults({ latencyMs: 300, grant: 'refresh_token' });
    const controller = new AbortController();
    const pending = tokenFetch(
      base,
      'ciam',
      { grant_type: 'refresh_token', refresh_token: s.refreshToken },
      { signal: controller.signal },
    );
    // Abort once the server holds the request in its delay (the fault is taken), not before.
    while (server.pendingFaults().length > 0) await sleep(5);
    await sleep(20);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await sleep(320); // past the delay: had it been processed, it would have been by now
    expect(server.stats()).toMatchObject({ refreshes: 0, droppedInFlight: 1, tokenRequests: 2 });
    // The refresh token is unspent: using it now is a normal rotation, not a reuse.
    const a = await refresh(base, 'ciam', s.refreshToken);
    expect(a.status).toBe(200);
    expect(server.stats()).toMatchObject({ refreshes: 1, reuseDetected: 0 });
  });

  it('combine with a status fault on the same request', async () => {
    server.faults([{ latencyMs: 150 }, { status: 503 }]);
    const started = performance.now();
    const a = await me(base, undefined);
    expect(a.status).toBe(503);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('malformed faults', () => {
  it.each([
    ['html', 'text/html; charset=utf-8'],
    ['empty', 'application/json;charset=UTF-8'],
    ['truncated', 'application/json;charset=UTF-8'],
  ] as const)(
    '%s: a 200 whose body is not the token JSON, committing nothing',
    async (kind, type) => {
      const s = await signIn(base, 'chatroom');
      server.faults({ malformed: kind });
      const a = await refresh(base, 'chatroom', s.refreshToken);
      expect(a.status).toBe(200);
      expect(a.headers.get('content-type')).toBe(type);
      expect(a.body).toBeUndefined(); // not parseable JSON
      if (kind === 'truncated') expect(a.text.startsWith('{"access_token":')).toBe(true);
      expect((await refresh(base, 'chatroom', s.refreshToken)).status).toBe(200);
    },
  );

  it('wrong-types: the fields are there with the wrong types (UAA: rc 0, bad result)', async () => {
    const s = await signIn(base, 'uaa');
    server.faults({ malformed: 'wrong-types', dialect: 'uaa' });
    const a = await refresh(base, 'uaa', s.refreshToken);
    const body = a.body as { rc: unknown; result: Record<string, unknown> };
    expect(a.status).toBe(200);
    expect(body.rc).toBe(0);
    expect(typeof body.result.access_token).not.toBe('string');
    expect(typeof body.result.expires_in).not.toBe('number');
  });

  it('can carry another status', async () => {
    server.faults({ malformed: 'html', status: 502 });
    const s = await signIn(base, 'eiam').catch((e: Error) => e);
    expect(s).toBeInstanceOf(Error);
    expect(String(s)).toContain('502');
  });
});

describe('dropAfterCommit', () => {
  it('commits the rotation, then kills the connection: the old token is now spent', async () => {
    const s = await signIn(base, 'ciam');
    server.faults({ dropAfterCommit: true, count: 1 });
    await expect(
      tokenFetch(base, 'ciam', { grant_type: 'refresh_token', refresh_token: s.refreshToken }),
    ).rejects.toThrow();
    expect(server.stats()).toMatchObject({ refreshes: 1, faultsServed: 1 });
    // The client never saw the new tokens; retrying with the old one is a reuse.
    expect(isInvalidGrant('ciam', await refresh(base, 'ciam', s.refreshToken))).toBe(true);
    expect(server.stats().reuseDetected).toBe(1);
  });
});

describe('the fault queue', () => {
  it('lists pending faults with what remains, and clears them', async () => {
    await postFaults([{ status: 503, count: 3 }, { latencyMs: 10 }]);
    await me(base, undefined);
    const listed = await answer(await fetch(`${base}/__mock/faults`));
    expect(listed.body).toEqual({
      pending: [{ route: 'any', count: 3, status: 503, id: expect.any(Number), remaining: 2 }],
    });
    await fetch(`${base}/__mock/faults`, { method: 'DELETE' });
    expect(server.pendingFaults()).toEqual([]);
  });

  it('refuses bad specs whole, naming the problem', async () => {
    for (const bad of [
      { status: 200 },
      { statuss: 503 },
      { status: 503, latencyMs: 5 },
      { latencyMs: -1 },
      { malformed: 'xml' },
      { dropAfterCommit: false },
      { status: 503, route: 'admin' },
      { status: 503, dialect: 'okta' },
      { status: 503, count: 0 },
      [{ status: 503 }, { nope: 1 }],
      'junk',
    ]) {
      const a = await postFaults(bad);
      expect(a.status).toBe(400);
      expect(a.body).toMatchObject({ error: 'invalid_fault' });
    }
    const notJson = await answer(
      await fetch(`${base}/__mock/faults`, { method: 'POST', body: '{' }),
    );
    expect(notJson.status).toBe(400);
    expect(server.pendingFaults()).toEqual([]);
    expect(() => server.faults({ status: 99 } as never)).toThrow(TypeError);
  });

  it('never applies to /__mock routes', async () => {
    server.faults({ status: 503, route: 'any' });
    expect((await fetch(`${base}/__mock/stats`)).status).toBe(200);
    expect(server.pendingFaults()).toHaveLength(1);
  });

  it('reset forgets pending faults', async () => {
    server.faults({ status: 503, count: 5 });
    server.reset();
    expect(server.pendingFaults()).toEqual([]);
    const s = await signIn(base, 'ciam');
    expect(tokensOf('ciam', s.body).accessToken).toBe(s.accessToken);
  });
});
