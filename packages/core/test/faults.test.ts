import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAuthFetch } from '../src/authFetch.js';
import {
  all,
  ciamGrant,
  closeWorlds,
  FAST,
  fakePage,
  quiet,
  recordingFetch,
  world,
} from './faultWorld.js';
import { createLockManager } from './lockManager.js';
import { ALICE, CIAM, listen, outcome, outlast, until, withChannel } from './support.js';

/**
 * The fault matrix's cross-tab rows that had no test of their own (docs/reliability.md); the
 * harness is `faultWorld.ts`. Stored sessions: `faults.storage.test.ts`; the endpoint's answers
 * (429, malformed bodies): `faults.answers.test.ts`.
 */

afterEach(closeWorlds);

describe('row 13: a 401 from the token endpoint is not an expired access token', () => {
  it('an API 401 whose refresh gets a 401 (with an invalid_token challenge) ends in one sign-out, no loop', async () => {
    let skew = 0;
    const w = await world({ now: () => Date.now() + skew });
    // The token endpoint's 401 also carries `WWW-Authenticate: Bearer error="invalid_token"`,
    // as some gateways add to every 401: it must not read as "your access token expired".
    const challenged: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (res.status !== 401) return res;
      const headers = new Headers(res.headers);
      headers.set('www-authenticate', 'Bearer error="invalid_token"');
      return new Response(await res.text(), { status: 401, headers });
    };
    const [tab, other] = await w.signedIn(2, { fetch: challenged, retry: FAST });
    const authFetch = createAuthFetch(tab!, { allowedOrigins: [w.mock.url], retryOn401: 'always' });
    skew += 31_000; // every access token issued so far is expired at the server
    w.mock.faults({ route: 'token', grant: 'refresh_token', status: 401, error: 'invalid_token' });
    const before = w.mock.stats();
    const failure = await authFetch(`${w.mock.url}/api/me`).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ terminal: true, status: 401 });
    await until(() => all([tab!, other!], 'signed-out'), 5000, 'signed out everywhere');
    await quiet(w, [tab!, other!]);
    const after = w.mock.stats();
    expect(after.tokenRequests - before.tokenRequests, 'one refresh request, not a loop').toBe(1);
    expect(after.api401 - before.api401, 'the API call, not replayed').toBe(1);
    expect(after.apiOk - before.apiOk).toBe(0);
    for (const t of [tab!, other!]) expect(w.count(t, 'signed-out')).toBe(1);
  });

  it('authFetch to the token endpoint itself: no bearer token, and its 401 starts no refresh', async () => {
    const w = await world();
    const [tab] = await w.signedIn(1);
    const seen: (string | null)[] = [];
    const spy: typeof fetch = async (input, init) => {
      const request = input instanceof Request ? input : new Request(input, init);
      seen.push(request.headers.get('authorization'));
      return fetch(request);
    };
    const authFetch = createAuthFetch(tab!, {
      allowedOrigins: [w.mock.url],
      retryOn401: 'always',
      fetch: spy,
    });
    const before = w.mock.stats();
    // A wrong client secret: the endpoint answers 401 invalid_client.
    const res = await authFetch(`${w.mock.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        ...ALICE,
        client_id: CIAM.clientId,
        client_secret: 'wrong',
      }).toString(),
    });
    expect(res.status).toBe(401);
    expect(seen).toEqual([null]);
    const after = w.mock.stats();
    expect(after.tokenRequests - before.tokenRequests).toBe(1);
    expect(after.refreshes - before.refreshes).toBe(0);
    expect(tab!.getSnapshot()).toMatchObject({ status: 'valid', generation: 1 });
  });
});

describe('row 15: a dead refresh token ends the session once, in every tab', () => {
  // BUG in tokenManager.ts (reported with a fix, docs/reliability.md "Bugs and limits found"):
  // with Web Locks, the tab whose refresh got invalid_grant releases the lock before it has
  // signed the others out (it first asks them for a newer session, up to syncTimeoutMs); the next
  // tab gets the lock at once and sends the same dead refresh token again (2 requests, not 1).
  it.each(['broadcast', 'web-locks'] as const)(
    'expired at the provider (REFRESH_TTL): four tabs refreshing at once (%s lock) send one request and sign out once each',
    async (lock) => {
      if (lock === 'web-locks') vi.stubGlobal('navigator', { locks: createLockManager() });
      let skew = 0;
      const w = await world({ accessTtl: 30, refreshTtl: 1, now: () => Date.now() + skew });
      const tabs = await w.signedIn(4, { lock, retry: FAST });
      skew += 2000; // the refresh token (1 s, server clock) is dead; the access token is not
      const before = w.mock.stats();
      const results = await Promise.all(tabs.map((t) => outcome(t.refresh())));
      expect(results.filter((r) => r === 'invalid_grant')).toHaveLength(1);
      expect(results.every((r) => r === 'invalid_grant' || r === 'signed_out')).toBe(true);
      await until(() => all(tabs, 'signed-out'), 5000, 'signed out everywhere');
      await quiet(w, tabs);
      const after = w.mock.stats();
      expect(after.tokenRequests - before.tokenRequests).toBe(1);
      expect(after.invalidGrant - before.invalidGrant).toBe(1);
      expect(after.reuseDetected).toBe(0);
      const reasons = tabs.flatMap((t) =>
        w.log(t).flatMap((e) => (e.type === 'signed-out' ? [e.reason] : [])),
      );
      expect(reasons.sort()).toEqual(['remote', 'remote', 'remote', 'terminal']);
      for (const t of tabs) {
        expect(w.count(t, 'signed-out')).toBe(1);
        await expect(t.getAccessToken()).rejects.toMatchObject({ code: 'signed_out' });
      }
    },
  );

  it('expired at the provider, found by the proactive timer: one request, every tab out', async () => {
    // The CIAM route answers expires_in = ACCESS_TTL - 1: 2 s tokens, refreshed a third early.
    const w = await world({ accessTtl: 3, refreshTtl: 1 });
    const tabs = await w.signedIn(3, { refreshSkewMs: 1000, retry: FAST });
    const before = w.mock.stats();
    const { expiresAt } = tabs[0]!.getSnapshot();
    await until(() => all(tabs, 'signed-out'), 4000, 'signed out by the timer');
    // Past the expiry of the dead tokens (an absence over that timer's horizon): nobody tries again.
    await outlast(Math.max(0, (expiresAt ?? 0) - Date.now()) + 2 * FAST.maxDelayMs);
    for (const t of tabs) expect(w.count(t, 'refresh-start')).toBeLessThanOrEqual(1);
    const after = w.mock.stats();
    expect(after.tokenRequests - before.tokenRequests).toBe(1);
    expect(after.invalidGrant - before.invalidGrant).toBe(1);
    for (const t of tabs) expect(w.count(t, 'signed-out')).toBe(1);
  });

  it('family revoked (a spent refresh token replayed elsewhere): the next API 401 signs every tab out once', async () => {
    const w = await world({ accessTtl: 30 });
    const rec = recordingFetch();
    const tabs = await w.signedIn(3, { fetch: rec.fetch, retry: FAST });
    await tabs[1]!.refresh(); // rotates: the first refresh token is now spent
    await until(() => tabs.every((t) => t.getSnapshot().generation === 2), 5000, 'rotated');
    const spent = rec.sent.find((s) => s.grant === 'refresh_token')?.refreshToken;
    expect(spent).toEqual(expect.any(String));
    // A thief (or a stale copy) presents the spent token: the provider revokes the whole family.
    expect(await ciamGrant(w.mock, { grant_type: 'refresh_token', refresh_token: spent! })).toBe(
      400,
    );
    expect(w.mock.stats().reuseDetected).toBe(1);
    const before = w.mock.stats();
    const authFetch = createAuthFetch(tabs[2]!, { allowedOrigins: [w.mock.url] });
    const failure = await authFetch(`${w.mock.url}/api/me`).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'invalid_grant', terminal: true });
    await until(() => all(tabs, 'signed-out'), 5000, 'signed out everywhere');
    await quiet(w, tabs);
    const after = w.mock.stats();
    expect(after.tokenRequests - before.tokenRequests).toBe(1);
    for (const t of tabs) expect(w.count(t, 'signed-out')).toBe(1);
  });
});

describe('row 1: concurrent callers in one tab', () => {
  it('200 callers at once in a tab with a channel: one refresh, one lock turn, all answered fast', async () => {
    const w = await world({ accessTtl: 30 });
    const [tab, other] = await w.signedIn(2);
    const started = performance.now();
    const tokens = await Promise.all(Array.from({ length: 200 }, () => tab!.refresh()));
    const took = performance.now() - started;
    expect(new Set(tokens).size).toBe(1);
    expect(w.count(tab!, 'refresh-start')).toBe(1);
    expect(w.count(tab!, 'lock-acquired')).toBe(1);
    expect(took).toBeLessThan(2000);
    await until(() => other!.getSnapshot().generation === 2, 5000, 'the other tab has it');
    expect(w.mock.stats().refreshes).toBe(1);
  });
});

describe('row 6: a lock holder whose request outlasts the lease', () => {
  it('keeps the lock while it lives (renews it, answers claims): nobody else spends the refresh token (REUSE_GRACE=0)', async () => {
    const w = await world({ reuseGrace: 0 });
    const tabs = await w.signedIn(3);
    // 5 s at the endpoint: beyond the BroadcastChannel lock's 3 s lease, within the 10 s timeout.
    w.mock.faults({ route: 'token', grant: 'refresh_token', latencyMs: 5000 });
    const first = tabs[0]!.refresh();
    await until(() => w.mock.pendingFaults().length === 0, 2000, 'the request at the server');
    const rest = tabs.slice(1).map((t) => t.refresh());
    const tokens = await Promise.all([first, ...rest]);
    expect(new Set(tokens).size).toBe(1);
    const stats = w.mock.stats();
    expect(stats.tokenRequests).toBe(2); // the sign-in and the one refresh
    expect(stats.refreshes).toBe(1);
    expect(stats.reuseDetected + stats.invalidGrant).toBe(0);
    expect(all(tabs, 'valid')).toBe(true);
  });
});

describe('row 7: no Web Locks', () => {
  it("lock 'auto' without navigator.locks takes the BroadcastChannel lock: 5 tabs at expiry, one refresh", async () => {
    vi.stubGlobal('navigator', {}); // a browser without the Web Locks API
    const w = await world({ reuseGrace: 0 });
    const tabs = await w.signedIn(5, { lock: 'auto' });
    for (const t of tabs) expect(t.lockKind).toBe('broadcast');
    const tokens = await Promise.all(tabs.map((t) => t.refresh()));
    expect(new Set(tokens).size).toBe(1);
    const stats = w.mock.stats();
    expect(stats.refreshes).toBe(1);
    expect(stats.tokenRequests).toBe(2);
    expect(stats.reuseDetected + stats.invalidGrant).toBe(0);
  });
});

describe('row 8: missed messages (frozen, back/forward cache)', () => {
  it.each(['visible', 'pageshow'] as const)(
    'a tab frozen through a sign-out learns it when it wakes (%s), hands out no token and sends nothing',
    async (how) => {
      const page = fakePage();
      const w = await world();
      const [a, b] = await w.signedIn(2);
      const { tab: c, channel } = withChannel(() => w.open({ retry: FAST }));
      await c.ready;
      expect(c.getSnapshot()).toMatchObject({ status: 'valid', generation: 1 });
      const deliver = channel.onmessage;
      channel.onmessage = null; // frozen: nothing reaches it (what it misses is recorded)
      const missed = listen(channel);
      await a!.signOut();
      await until(() => all([a!, b!], 'signed-out'), 5000, 'a and b out');
      await until(() => missed.some((m) => m.type === 'signed-out'), 5000, 'the news gone by');
      expect(c.getSnapshot().status).toBe('valid'); // it missed the news
      const before = w.mock.stats();
      channel.onmessage = deliver;
      if (how === 'visible') page.show();
      else page.restoreFromBfcache();
      // The first caller after the wake-up waits for the other tabs' answer.
      expect(await outcome(c.getAccessToken())).toBe('signed_out');
      expect(c.getSnapshot().status).toBe('signed-out');
      expect(w.log(c).filter((e) => e.type === 'signed-out')).toEqual([
        { type: 'signed-out', reason: 'remote' },
      ]);
      expect(w.log(c)).toContainEqual({
        type: 'wake',
        source: how === 'visible' ? 'visible' : 'pageshow',
      });
      await quiet(w, [c]);
      expect(w.mock.stats().tokenRequests - before.tokenRequests).toBe(0);
    },
  );

  it('a tab that missed a rotation message asks the others under the lock before spending (REUSE_GRACE=0)', async () => {
    const w = await world({ reuseGrace: 0 });
    const [a] = await w.signedIn(1);
    const { tab: b, channel } = withChannel(() => w.open());
    await b.ready;
    expect(b.getSnapshot().generation).toBe(1);
    // Drop the next `tokens` message to b only: the news of a's rotation is lost in transit.
    const deliver = channel.onmessage!;
    let dropped = 0;
    channel.onmessage = (event: MessageEvent) => {
      const data = event.data as { type?: string };
      if (data?.type === 'tokens' && dropped === 0) {
        dropped++;
        return;
      }
      deliver.call(channel, event);
    };
    await a!.refresh();
    await until(() => dropped === 1, 5000, 'the rotation message dropped at b');
    expect(b.getSnapshot().generation).toBe(1); // still holds the spent refresh token
    const token = await b.refresh();
    expect(token).toBe(a!.getSnapshot().accessToken);
    expect(b.getSnapshot().generation).toBe(2);
    expect(w.count(b, 'refresh-skipped')).toBe(1);
    const stats = w.mock.stats();
    expect(stats.refreshes).toBe(1);
    expect(stats.reuseDetected).toBe(0);
    expect(stats.invalidGrant).toBe(0);
    expect(all([a!, b], 'valid')).toBe(true);
  });
});
