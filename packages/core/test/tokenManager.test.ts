import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dialects } from '../src/dialects/index.js';
import { BatonError, type BatonEvent, type TokenManager } from '../src/index.js';
import { signInWithPassword } from '../src/password.js';
import { webStorage } from '../src/webStorage.js';
import { ALICE, CIAM, ciamManager, mapStorage, mockServer, until } from './support.js';

const mock = mockServer({ accessTtl: 300 });
beforeAll(() => mock.start());
afterAll(() => mock.stop());

const managers: TokenManager[] = [];
function manager(options: Parameters<typeof ciamManager>[1] = {}) {
  const m = ciamManager(mock.server, options);
  managers.push(m);
  return m;
}
function recordEvents(m: TokenManager): BatonEvent[] {
  const events: BatonEvent[] = [];
  m.onEvent((e) => events.push(e));
  return events;
}
const stats = () => mock.server.stats();

afterEach(() => {
  for (const m of managers.splice(0)) m.destroy();
  vi.useRealTimers();
  mock.server.reset();
});

/** Lets a refresh's real HTTP finish while fake time stands still (bounded). */
async function settle(m: TokenManager): Promise<void> {
  for (let turn = 0; turn < 5000 && m.getSnapshot().status === 'refreshing'; turn++)
    await new Promise((resolve) => setImmediate(resolve));
}

/** Fake Date and timers that still move with real time, so real HTTP keeps flowing. */
function fakeClock() {
  vi.useFakeTimers({
    shouldAdvanceTime: true,
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
  });
}

describe('sign-in and snapshot', () => {
  it('signs in with the password grant and publishes a stable snapshot', async () => {
    const m = manager();
    const events = recordEvents(m);
    let notified = 0;
    m.subscribe(() => notified++);
    await signInWithPassword(m, ALICE);
    const snap = m.getSnapshot();
    expect(snap.status).toBe('valid');
    expect(snap.generation).toBe(1);
    expect(snap.claims?.sub).toBe('alice');
    expect(snap.expiresAt! - Date.now()).toBeGreaterThan(290_000);
    expect(snap.expiresAt! - Date.now()).toBeLessThanOrEqual(300_000);
    expect(m.getSnapshot()).toBe(snap);
    expect(notified).toBeGreaterThan(0);
    expect(events.map((e) => e.type)).toContain('signed-in');
    expect(stats().signIns).toBe(1);
    expect(await m.getAccessToken()).toBe(snap.accessToken);
  });

  it('says in the snapshot when the start-up is over, before manager.ready resolves', async () => {
    const m = manager();
    const first = m.getSnapshot();
    expect(first).toMatchObject({ ready: false, status: 'signed-out' });
    const seen: boolean[] = [];
    m.subscribe(() => seen.push(m.getSnapshot().ready));
    await m.ready;
    expect(m.getSnapshot()).toMatchObject({ ready: true, status: 'signed-out' });
    expect(seen).toEqual([true]);
    await signInWithPassword(m, ALICE);
    expect(m.getSnapshot().ready).toBe(true);
  });

  it('a new tab is never ready and signed out while a live tab has the session', async () => {
    const channel = `ready-${Math.random().toString(36).slice(2)}`;
    const live = manager({ channel, lock: 'broadcast' });
    await live.ready;
    await signInWithPassword(live, ALICE);
    const fresh = manager({ channel, lock: 'broadcast' });
    const seen = [fresh.getSnapshot()];
    fresh.subscribe(() => seen.push(fresh.getSnapshot()));
    await fresh.ready;
    expect(fresh.getSnapshot()).toMatchObject({ ready: true, status: 'valid', generation: 1 });
    expect(seen.filter((s) => s.ready && s.status === 'signed-out')).toEqual([]);
    expect(seen[0]).toMatchObject({ ready: false, status: 'signed-out' });
  });

  it('the profile is the id token’s claims: stable until a new id token, gone at sign-out', async () => {
    const m = manager();
    await signInWithPassword(m, ALICE);
    const { profile } = m.getSnapshot();
    // The CIAM mock's id token: the user, and the client as its audience.
    expect(profile).toMatchObject({ sub: 'alice', aud: CIAM.clientId, azp: CIAM.clientId });
    expect(profile).not.toEqual(m.getSnapshot().claims);
    expect(m.getSnapshot().profile).toBe(profile);
    await m.refresh();
    expect(m.getSnapshot().profile?.sub).toBe('alice');
    expect(m.getSnapshot().profile?.jti).not.toBe(profile?.jti); // the refresh sent a new one
    await m.signOut();
    expect(m.getSnapshot().profile).toBeUndefined();
  });

  it('an id token that does not decode gives no profile, and the session stays', async () => {
    const a = manager();
    await signInWithPassword(a, ALICE);
    const accessToken = a.getSnapshot().accessToken ?? '';
    const m = manager();
    await m.ready;
    expect(() =>
      m.setTokens({ accessToken, expiresAt: Date.now() + 60_000, idToken: 'not-a.jwt.at-all' }),
    ).not.toThrow();
    expect(m.getSnapshot()).toMatchObject({ status: 'valid', profile: undefined });
    expect(await m.getAccessToken()).toBe(accessToken);
  });

  it('refuses tokens when signed out, without a request', async () => {
    const m = manager();
    await expect(m.getAccessToken()).rejects.toMatchObject({ code: 'signed_out' });
    await expect(m.refresh()).rejects.toMatchObject({ code: 'signed_out' });
    expect(stats().refreshes + stats().invalidGrant).toBe(0);
  });

  it('takes a raw token response of its dialect with setTokens', async () => {
    const a = manager();
    await signInWithPassword(a, ALICE);
    const b = manager();
    b.setTokens({
      access_token: a.getSnapshot().accessToken,
      expires_in: 120,
      token_type: 'Bearer',
    });
    expect(b.getSnapshot()).toMatchObject({ status: 'valid', generation: 1 });
    expect(b.getSnapshot().claims?.sub).toBe('alice');
  });

  it('refreshes tokens handed in already expired at once', async () => {
    const storage = mapStorage();
    const a = manager({ storage: webStorage(storage, { persistRefreshToken: true }) });
    await signInWithPassword(a, ALICE);
    const stored = JSON.parse(storage.data.get('baton:session')!);
    const b = manager();
    b.setTokens({ ...stored, expiresAt: Date.now() - 1000 });
    const token = await b.getAccessToken();
    expect(token).not.toBe(stored.accessToken);
    expect(stats().refreshes).toBe(1);
  });

  it('rejects a malformed raw response with a typed error and keeps its state', async () => {
    const m = manager();
    expect(() => m.setTokens({ access_token: 42 })).toThrow(BatonError);
    expect(m.getSnapshot().status).toBe('signed-out');
  });
});

describe('refresh', () => {
  it('keeps a session granted less scope than it asked for (RFC 6749 §6: no scope on refresh)', async () => {
    // The mock grants CIAM sessions `openid` only and, like a standard provider, answers
    // `invalid_scope` to a refresh that asks for more: asking again for the sign-in scope ended
    // every session after one lifetime.
    const m = ciamManager(mock.server, {
      dialect: dialects.ciam({
        tokenUrl: `${mock.server.url}/oauth2/token`,
        ...CIAM,
        scope: 'openid profile offline_access',
      }),
    });
    managers.push(m);
    await signInWithPassword(m, ALICE);
    const first = m.getSnapshot().accessToken;
    const fresh = await m.refresh();
    expect(fresh).not.toBe(first);
    expect(m.getSnapshot()).toMatchObject({ status: 'valid', generation: 2 });
    expect(stats()).toMatchObject({ refreshes: 1, invalidRequest: 0 });
  });

  it('shares one refresh among 1000 concurrent callers', async () => {
    fakeClock();
    const m = manager();
    await signInWithPassword(m, ALICE);
    vi.setSystemTime(Date.now() + 301_000);
    expect(m.getSnapshot().status).toBe('valid'); // not re-evaluated until something looks
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => m.getAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(stats().refreshes).toBe(1);
    expect(m.getSnapshot()).toMatchObject({ status: 'valid', generation: 2 });
  });

  it('refreshes proactively at the skew before expiry', async () => {
    fakeClock();
    const m = manager({ refreshSkewMs: 30_000 });
    const events = recordEvents(m);
    await signInWithPassword(m, ALICE);
    const expiresAt = m.getSnapshot().expiresAt!;
    await vi.advanceTimersByTimeAsync(expiresAt - Date.now() - 34_000);
    expect(stats().refreshes).toBe(0);
    await vi.advanceTimersByTimeAsync(5_000);
    await until(() => m.getSnapshot().generation === 2, 2000, 'timer refresh');
    const start = events.find((e) => e.type === 'refresh-start');
    expect(start).toMatchObject({ reason: 'timer' });
    expect(stats().refreshes).toBe(1);
  });

  it('never loops when the token lives shorter than the skew', async () => {
    const short = mockServer({ accessTtl: 1 });
    const server = await short.start();
    try {
      fakeClock();
      const m = ciamManager(server, { refreshSkewMs: 60_000, minRefreshIntervalMs: 2000 });
      managers.push(m);
      await signInWithPassword(m, ALICE);
      for (let i = 0; i < 100; i++) await m.getAccessToken();
      // 10 s of fake time in steps, letting each refresh's real HTTP round trip finish.
      for (let step = 0; step < 100; step++) {
        await vi.advanceTimersByTimeAsync(100);
        await settle(m);
      }
      // 10 s at one refresh every 2 s at most (the timer's), plus the callers' one.
      expect(server.stats().refreshes).toBeGreaterThanOrEqual(3);
      expect(server.stats().refreshes).toBeLessThanOrEqual(6);
    } finally {
      await short.stop();
    }
  });

  it('keeps the session through transient failures, honouring Retry-After', async () => {
    fakeClock();
    const m = manager({ retry: { baseDelayMs: 100, maxDelayMs: 1000 } });
    const events = recordEvents(m);
    await signInWithPassword(m, ALICE);
    mock.server.faults({ route: 'token', status: 503, count: 2, retryAfter: 3 });
    const t0 = Date.now();
    // The token is still valid: the caller gets it although the refresh failed.
    const token = await m.refresh().catch((e: BatonError) => e);
    expect(token).toMatchObject({ code: 'rate_limited', terminal: false });
    expect(m.getSnapshot().status).toBe('valid');
    expect(m.getSnapshot().error?.code).toBe('rate_limited');
    await vi.advanceTimersByTimeAsync(2_900);
    expect(events.filter((e) => e.type === 'refresh-start')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(3_200);
    await until(() => m.getSnapshot().generation === 2, 8000, 'recovery');
    const starts = events.filter((e) => e.type === 'refresh-start');
    expect(starts.length).toBe(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(6_000);
    expect(m.getSnapshot().error).toBeUndefined();
    expect(events.some((e) => e.type === 'signed-out')).toBe(false);
  });

  it('stops retrying after its attempts, keeps the session, and tries again on demand', async () => {
    fakeClock();
    const m = manager({ retry: { attempts: 2, baseDelayMs: 100, maxDelayMs: 200 } });
    const events = recordEvents(m);
    await signInWithPassword(m, ALICE);
    mock.server.faults({ route: 'token', status: 500, count: 50 });
    vi.setSystemTime(Date.now() + 301_000);
    await expect(m.getAccessToken()).rejects.toMatchObject({ code: 'server_error' });
    await vi.advanceTimersByTimeAsync(5_000);
    const attempts = events.filter((e) => e.type === 'refresh-start').length;
    expect(attempts).toBe(3); // the first and two retries
    await vi.advanceTimersByTimeAsync(60_000);
    expect(events.filter((e) => e.type === 'refresh-start').length).toBe(attempts);
    expect(m.getSnapshot().status).toBe('error');
    mock.server.reset(); // faults gone, but so is the session at the provider
    await expect(m.getAccessToken()).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(m.getSnapshot().status).toBe('signed-out');
  });

  it('signs out on a terminal error, once', async () => {
    const m = manager();
    const events = recordEvents(m);
    await signInWithPassword(m, ALICE);
    mock.server.reset(); // the provider forgot the session: its refresh token is dead
    await expect(m.refresh()).rejects.toMatchObject({ code: 'invalid_grant', terminal: true });
    expect(m.getSnapshot()).toMatchObject({ status: 'signed-out', accessToken: undefined });
    expect(m.getSnapshot().error?.code).toBe('invalid_grant');
    expect(events.filter((e) => e.type === 'signed-out')).toHaveLength(1);
    await expect(m.getAccessToken()).rejects.toMatchObject({ code: 'signed_out' });
  });

  it('does not let a refresh that ends after sign-out revive the session', async () => {
    const m = manager();
    await signInWithPassword(m, ALICE);
    mock.server.faults({ route: 'token', latencyMs: 300, count: 1 });
    const pending = m.refresh();
    await until(() => m.getSnapshot().status === 'refreshing', 5000, 'refreshing');
    await m.signOut();
    await expect(pending).rejects.toMatchObject({ code: 'signed_out' });
    // The request reached the server and ended there (its counters): the abort cut it, and
    // the server dropped it unprocessed. Nothing more can come of it.
    await until(() => stats().droppedInFlight === 1, 2000, 'the request to end at the server');
    expect(stats().refreshes).toBe(0);
    expect(m.getSnapshot().status).toBe('signed-out');
    expect(m.getSnapshot().generation).toBe(2); // the sign-out's tombstone
    await signInWithPassword(m, ALICE);
    expect(m.getSnapshot().generation).toBe(3); // generations only grow
  });

  it('re-checks after a timer fires late (the laptop slept)', async () => {
    fakeClock();
    const m = manager();
    const events = recordEvents(m);
    await signInWithPassword(m, ALICE);
    // The wall clock jumps past expiry while the timer is still pending: it fires late.
    vi.setSystemTime(Date.now() + 3_600_000);
    // Step fake time, letting real HTTP finish, so the request timeout never fires by accident.
    for (let step = 0; step < 400 && m.getSnapshot().generation < 2; step++) {
      await vi.advanceTimersByTimeAsync(1000);
      await settle(m);
    }
    expect(m.getSnapshot().status, JSON.stringify(events)).toBe('valid');
    expect(events).toContainEqual({ type: 'wake', source: 'late-timer' });
    expect(stats().refreshes).toBe(1);
  });

  it('aborts a caller without cancelling the shared refresh', async () => {
    const m = manager();
    await signInWithPassword(m, ALICE);
    mock.server.faults({ route: 'token', latencyMs: 200, count: 1 });
    const controller = new AbortController();
    const aborted = m.refresh({ signal: controller.signal });
    const other = m.refresh();
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'aborted' });
    await expect(other).resolves.toEqual(expect.any(String));
    expect(stats().refreshes).toBe(1);
  });

  it('returns the newer token when the stale one was already replaced', async () => {
    const m = manager();
    await signInWithPassword(m, ALICE);
    const stale = m.getSnapshot().accessToken!;
    await m.refresh();
    const token = await m.refresh({ staleAccessToken: stale });
    expect(token).toBe(m.getSnapshot().accessToken);
    expect(stats().refreshes).toBe(1);
  });

  it('refreshes when the token that replaced the stale one has expired as well', async () => {
    // A starved tab: its API call took longer than a whole lifetime of the token adopted meanwhile.
    fakeClock();
    const m = manager({ minRefreshIntervalMs: 0 });
    await signInWithPassword(m, ALICE);
    const stale = m.getSnapshot().accessToken!;
    await m.refresh();
    const replaced = m.getSnapshot().accessToken!;
    vi.setSystemTime(Date.now() + 301_000); // past its expiry, before any timer of this tab ran
    const token = await m.refresh({ staleAccessToken: stale });
    expect(token).not.toBe(replaced);
    expect(m.getSnapshot()).toMatchObject({ status: 'valid', accessToken: token });
    expect(stats().refreshes).toBe(2);
  });
});

describe('storage', () => {
  it('keeps nothing by default and no refresh token unless asked', async () => {
    const storage = mapStorage();
    const m = manager({ storage: webStorage(storage) });
    await signInWithPassword(m, ALICE);
    const stored = JSON.parse(storage.data.get('baton:session')!);
    expect(stored.accessToken).toBe(m.getSnapshot().accessToken);
    expect(stored.refreshToken).toBeUndefined();
    const withRefresh = mapStorage();
    const r = manager({ storage: webStorage(withRefresh, { persistRefreshToken: true }) });
    await signInWithPassword(r, ALICE);
    expect(JSON.parse(withRefresh.data.get('baton:session')!).refreshToken).toEqual(
      expect.any(String),
    );
  });

  it('restores a stored session and refreshes it when expired', async () => {
    const storage = mapStorage();
    const a = manager({ storage: webStorage(storage, { persistRefreshToken: true }) });
    await signInWithPassword(a, ALICE);
    a.destroy();
    const stored = JSON.parse(storage.data.get('baton:session')!);
    storage.data.set('baton:session', JSON.stringify({ ...stored, expiresAt: Date.now() - 1000 }));
    const b = manager({ storage: webStorage(storage, { persistRefreshToken: true }) });
    const events = recordEvents(b);
    await b.ready;
    expect(events).toContainEqual({ type: 'tokens-adopted', generation: 1, from: 'storage' });
    await until(() => b.getSnapshot().generation === 2, 3000, 'refresh of stored tokens');
    expect(stats().refreshes).toBe(1);
  });

  it('ignores corrupt storage with an event, never a crash', async () => {
    for (const junk of [
      '{',
      'null',
      '[]',
      '{"accessToken":1}',
      JSON.stringify({ accessToken: 'a', expiresAt: 'x' }),
    ]) {
      const storage = mapStorage();
      storage.data.set('baton:session', junk);
      const m = manager({ storage: webStorage(storage) });
      const events = recordEvents(m);
      await m.ready;
      expect(m.getSnapshot().status).toBe('signed-out');
      expect(events).toContainEqual({ type: 'storage-corrupt', key: 'baton:session' });
      expect(storage.data.has('baton:session')).toBe(false);
    }
  });

  it('clears storage on sign-out', async () => {
    const storage = mapStorage();
    const m = manager({ storage: webStorage(storage) });
    await signInWithPassword(m, ALICE);
    await m.signOut();
    expect(storage.data.size).toBe(0);
  });
});

describe('secrecy', () => {
  it('never puts a token into an event', async () => {
    const m = manager({ retry: { baseDelayMs: 10, maxDelayMs: 20 } });
    const events = recordEvents(m);
    await signInWithPassword(m, ALICE);
    const first = m.getSnapshot().accessToken!;
    await m.refresh();
    mock.server.faults({ route: 'token', status: 503, count: 1 });
    await expect(m.refresh()).rejects.toMatchObject({ code: 'server_error', terminal: false });
    // The mock forgets the session: the automatic retry (10-20 ms later) is refused, terminally.
    mock.server.reset();
    await until(() => m.getSnapshot().status === 'signed-out', 5000, 'the terminal sign-out');
    expect(events.filter((e) => e.type === 'refresh-failure').map((e) => e.error.code)).toEqual([
      'server_error',
      'invalid_grant',
    ]);
    expect(events.filter((e) => e.type === 'signed-out')).toEqual([
      {
        type: 'signed-out',
        reason: 'terminal',
        error: expect.objectContaining({ code: 'invalid_grant', terminal: true }),
      },
    ]);
    const text = JSON.stringify(events, (_k, v) =>
      v instanceof Error ? { ...v, message: v.message } : v,
    );
    expect(events.length).toBeGreaterThan(5);
    expect(text).not.toContain(first);
    expect(text).not.toContain(first.split('.')[1]!);
  });
});
