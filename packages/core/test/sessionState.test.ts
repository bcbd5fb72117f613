import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatonError } from '../src/errors.js';
import { createSessionState } from '../src/sessionState.js';
import type { TokenSet } from '../src/types.js';

/** An unsigned JWT carrying these claims. */
const jwt = (claims: object) =>
  ['{"alg":"none"}', JSON.stringify(claims), 'sig']
    .map((p, i) => (i < 2 ? Buffer.from(p).toString('base64url') : p))
    .join('.');

const set = (generation: number, over: Partial<TokenSet> = {}): TokenSet => ({
  accessToken: `access-${generation}`,
  refreshToken: `refresh-${generation}`,
  tokenType: 'Bearer',
  expiresAt: Date.now() + 60_000,
  generation,
  ...over,
});

describe('createSessionState', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts signed out at generation 0', () => {
    const s = createSessionState();
    expect(s.getSnapshot()).toEqual({
      status: 'signed-out',
      accessToken: undefined,
      expiresAt: undefined,
      generation: 0,
      claims: undefined,
      profile: undefined,
      error: undefined,
      ready: false,
    });
  });

  it('says when the start-up is over, in a new snapshot', () => {
    const s = createSessionState();
    const before = s.getSnapshot();
    s.setReady();
    s.update();
    expect(s.getSnapshot()).not.toBe(before);
    expect(s.getSnapshot().ready).toBe(true);
    // For good: a session's end does not make the tab look new again.
    s.take(set(1));
    s.end(2);
    s.update();
    expect(s.getSnapshot()).toMatchObject({ ready: true, status: 'signed-out' });
  });

  it('the profile is the id token’s claims, decoded once: the same object while the token is', () => {
    const s = createSessionState();
    const idToken = jwt({ sub: 'alice', name: 'Alice', email: 'alice@example.com', exp: 'soon' });
    s.take(set(1, { idToken }));
    s.update();
    const first = s.getSnapshot();
    // Decoded, not the token; a registered claim of the wrong type is dropped.
    expect(first.profile).toEqual({ sub: 'alice', name: 'Alice', email: 'alice@example.com' });
    expect(JSON.stringify(first)).not.toContain(idToken);
    s.setRefreshing(true);
    s.update();
    s.setRefreshing(false);
    s.update();
    expect(s.getSnapshot()).not.toBe(first);
    expect(s.getSnapshot().profile).toBe(first.profile);
    // The next generation with the same id token (a refresh that sent none) keeps the profile.
    s.take(set(2, { idToken }));
    s.update();
    expect(s.getSnapshot().profile).toBe(first.profile);
    s.take(set(3, { idToken: jwt({ sub: 'alice', name: 'Alice B.' }) }));
    s.update();
    expect(s.getSnapshot().profile).toEqual({ sub: 'alice', name: 'Alice B.' });
    s.end(4);
    s.update();
    expect(s.getSnapshot().profile).toBeUndefined();
  });

  it('no profile without an id token, or when it does not decode: the session stays', () => {
    const s = createSessionState();
    s.take(set(1));
    s.update();
    expect(s.getSnapshot().profile).toBeUndefined();
    for (const [generation, idToken] of [
      [2, 'opaque'],
      [3, 'a.b.c'],
      [4, `x.${Buffer.from('[1,2]').toString('base64url')}.y`],
      [5, `x.${Buffer.from('"text"').toString('base64url')}.y`],
    ] as const) {
      s.take(set(generation, { idToken }));
      s.update();
      expect(s.getSnapshot()).toMatchObject({ status: 'valid', generation, profile: undefined });
    }
  });

  it('takes only newer generations', () => {
    const s = createSessionState();
    expect(s.isNewer(set(2))).toBe(true);
    s.take(set(2));
    expect(s.isNewer(set(1))).toBe(false);
    expect(s.isNewer(set(3))).toBe(true);
  });

  it('at the same generation, fills in a missing refresh token, else the greater token wins', () => {
    const s = createSessionState();
    const { refreshToken, ...withoutRefresh } = set(4);
    s.take(withoutRefresh);
    expect(s.isNewer(set(4, { accessToken: 'access-0' }))).toBe(true);
    s.take(set(4, { accessToken: 'b' }));
    expect(s.isNewer(set(4, { accessToken: 'a' }))).toBe(false);
    expect(s.isNewer(set(4, { accessToken: 'c' }))).toBe(true);
    expect(s.isNewer(withoutRefresh)).toBe(false);
  });

  it('a sign-out kills every generation up to it; a later one may start again', () => {
    const s = createSessionState();
    s.take(set(3));
    s.end(5);
    expect(s.tokens).toBeUndefined();
    expect(s.generation).toBe(5);
    expect(s.isNewer(set(5))).toBe(false);
    expect(s.isNewer(set(6))).toBe(true);
    s.see(9);
    expect(s.isNewer(set(8))).toBe(false);
    s.see(2);
    expect(s.generation).toBe(9);
  });

  it('publishes a new snapshot only when something in it changed', () => {
    const s = createSessionState();
    const seen: number[] = [];
    s.subscribe(() => seen.push(s.getSnapshot().generation));
    const before = s.getSnapshot();
    s.update();
    expect(s.getSnapshot()).toBe(before);
    s.take(set(1));
    s.update();
    s.update();
    expect(seen).toEqual([1]);
    expect(s.getSnapshot()).toMatchObject({ status: 'valid', accessToken: 'access-1' });
  });

  it('derives the status: refreshing, valid, expired, error', () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const s = createSessionState();
    s.take(set(1, { expiresAt: Date.now() + 1000 }));
    s.setRefreshing(true);
    s.update();
    expect(s.getSnapshot().status).toBe('refreshing');
    s.setRefreshing(false);
    s.update();
    expect(s.getSnapshot().status).toBe('valid');
    vi.advanceTimersByTime(1000);
    s.update();
    expect(s.getSnapshot().status).toBe('expired');
    const failure = new BatonError('network', 'x');
    s.setError(failure);
    s.update();
    expect(s.getSnapshot()).toMatchObject({ status: 'error', error: failure });
  });

  it('taking tokens clears the error; ending with a cause keeps it', () => {
    const s = createSessionState();
    s.setError(new BatonError('network', 'x'));
    s.take(set(1));
    expect(s.error).toBeUndefined();
    const cause = new BatonError('invalid_grant', 'dead');
    s.end(2, cause);
    s.update();
    expect(s.getSnapshot()).toMatchObject({ status: 'signed-out', error: cause, generation: 2 });
  });
});
