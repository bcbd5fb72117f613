import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, type MockServer, startMockServer } from '../src/index.js';
import { isInvalidGrant, me, refresh, signIn, TestClock, tokensOf } from './support.js';

const ACCESS_TTL = 300;
const REFRESH_TTL = 3600;
const GRACE = 5;

const clock = new TestClock();
let strict: MockServer;
let lenient: MockServer;

beforeAll(async () => {
  const common = { accessTtl: ACCESS_TTL, refreshTtl: REFRESH_TTL, now: clock.now };
  [strict, lenient] = await Promise.all([
    startMockServer(common),
    startMockServer({ ...common, reuseGrace: GRACE }),
  ]);
});
afterAll(() => Promise.all([strict.close(), lenient.close()]));
beforeEach(() => {
  strict.reset();
  lenient.reset();
});

describe.each(DIALECTS)('%s sessions', (dialect) => {
  it('rotates on every refresh and revokes the whole family when a spent token comes back', async () => {
    const base = strict.url;
    const s1 = await signIn(base, dialect);
    const r2 = await refresh(base, dialect, s1.refreshToken);
    const s2 = tokensOf(dialect, r2.body);
    clock.advance(1);
    const r3 = await refresh(base, dialect, s2.refreshToken);
    const s3 = tokensOf(dialect, r3.body);
    expect(new Set([s1.refreshToken, s2.refreshToken, s3.refreshToken]).size).toBe(3);
    expect((await me(base, s3.accessToken)).status).toBe(200);

    // s1 was spent: presenting it again is reuse, and kills everything of the family.
    expect(isInvalidGrant(dialect, await refresh(base, dialect, s1.refreshToken))).toBe(true);
    expect(isInvalidGrant(dialect, await refresh(base, dialect, s3.refreshToken))).toBe(true);
    for (const access of [s1.accessToken, s2.accessToken, s3.accessToken]) {
      const a = await me(base, access);
      expect(a.status).toBe(401);
      expect(a.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    }
    const stats = strict.stats();
    expect(stats.refreshes).toBe(2);
    expect(stats.reuseDetected).toBe(1);
    expect(stats.invalidGrant).toBe(2);
    expect(stats.byDialect[dialect]).toMatchObject({
      refreshes: 2,
      signIns: 1,
      reuseDetected: 1,
      invalidGrant: 2,
      apiOk: 1,
      api401: 3,
    });
  });

  it('leaves other families alone when one is revoked', async () => {
    const base = strict.url;
    const alice = await signIn(base, dialect, 'alice');
    const bob = await signIn(base, dialect, 'bob');
    await refresh(base, dialect, alice.refreshToken);
    await refresh(base, dialect, alice.refreshToken); // reuse: alice's family dies
    expect((await me(base, bob.accessToken)).status).toBe(200);
    expect((await refresh(base, dialect, bob.refreshToken)).status).toBe(200);
  });

  it('answers a reuse inside the grace window with the same response, and revokes after it', async () => {
    const base = lenient.url;
    const s1 = await signIn(base, dialect);
    const first = await refresh(base, dialect, s1.refreshToken);
    clock.advance(GRACE - 1);
    const replay = await refresh(base, dialect, s1.refreshToken);
    expect(replay.status).toBe(200);
    expect(replay.text).toBe(first.text);
    expect(lenient.stats().byDialect[dialect]).toMatchObject({
      refreshes: 1,
      graceReplays: 1,
      reuseDetected: 0,
    });
    const s2 = tokensOf(dialect, first.body);
    expect((await me(base, s2.accessToken)).status).toBe(200);

    clock.advance(2); // now GRACE + 1 seconds after the rotation
    expect(isInvalidGrant(dialect, await refresh(base, dialect, s1.refreshToken))).toBe(true);
    expect(lenient.stats().byDialect[dialect].reuseDetected).toBe(1);
    expect(isInvalidGrant(dialect, await refresh(base, dialect, s2.refreshToken))).toBe(true);
    expect((await me(base, s2.accessToken)).status).toBe(401);
  });

  it('expires refresh tokens REFRESH_TTL after their own issue (sliding), without revoking', async () => {
    const base = strict.url;
    const s1 = await signIn(base, dialect);
    clock.advance(REFRESH_TTL - 10);
    const r2 = await refresh(base, dialect, s1.refreshToken);
    expect(r2.status).toBe(200);
    const s2 = tokensOf(dialect, r2.body);
    clock.advance(REFRESH_TTL - 1);
    const s3 = tokensOf(dialect, (await refresh(base, dialect, s2.refreshToken)).body);
    clock.advance(REFRESH_TTL);
    expect(isInvalidGrant(dialect, await refresh(base, dialect, s3.refreshToken))).toBe(true);
    // A spent token past its own expiry is just dead: no reuse alarm.
    expect(isInvalidGrant(dialect, await refresh(base, dialect, s1.refreshToken))).toBe(true);
    expect(strict.stats().reuseDetected).toBe(0);
  });

  it('accepts an access token at /api/me until ACCESS_TTL ends, by the server clock', async () => {
    const base = strict.url;
    const s = await signIn(base, dialect);
    clock.advance(ACCESS_TTL - 1);
    expect((await me(base, s.accessToken)).status).toBe(200);
    clock.advance(1);
    const a = await me(base, s.accessToken);
    expect(a.status).toBe(401);
    expect(a.body).toMatchObject({ error: 'invalid_token' });
    expect(strict.stats().byDialect[dialect]).toMatchObject({ apiOk: 1, api401: 1 });
  });

  it('lets only one of two concurrent refreshes with the same token through (no grace)', async () => {
    const base = strict.url;
    const s = await signIn(base, dialect);
    const answers = await Promise.all([
      refresh(base, dialect, s.refreshToken),
      refresh(base, dialect, s.refreshToken),
    ]);
    const ok = answers.filter((a) => a.status === 200 && !isInvalidGrant(dialect, a));
    expect(ok).toHaveLength(1);
    // The loser's reuse revoked the family, the winner's new tokens included.
    const winner = tokensOf(dialect, ok[0]?.body);
    expect((await me(base, winner.accessToken)).status).toBe(401);
    expect(strict.stats().reuseDetected).toBe(1);
  });
});

describe('previous access token after a refresh', () => {
  it('EIAM invalidates it (seed 001); the others keep it until it expires', async () => {
    for (const dialect of DIALECTS) {
      const s1 = await signIn(strict.url, dialect);
      const s2 = tokensOf(dialect, (await refresh(strict.url, dialect, s1.refreshToken)).body);
      expect((await me(strict.url, s2.accessToken)).status).toBe(200);
      const previous = await me(strict.url, s1.accessToken);
      expect({ dialect, status: previous.status }).toEqual({
        dialect,
        status: dialect === 'eiam' ? 401 : 200,
      });
    }
  });
});

describe('reset', () => {
  it('forgets every session and zeroes every counter', async () => {
    const s = await signIn(strict.url, 'ciam');
    expect((await me(strict.url, s.accessToken)).status).toBe(200);
    const reset = await fetch(`${strict.url}/__mock/reset`, { method: 'POST' });
    expect(reset.status).toBe(200);
    const zero = strict.stats();
    expect(zero.signIns).toBe(0);
    expect(zero.apiOk).toBe(0);
    expect(zero.byDialect.ciam.signIns).toBe(0);
    expect((await me(strict.url, s.accessToken)).status).toBe(401);
    expect(isInvalidGrant('ciam', await refresh(strict.url, 'ciam', s.refreshToken))).toBe(true);
  });
});
