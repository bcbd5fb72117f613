import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatonError } from '../src/errors.js';
import { createSessionState } from '../src/sessionState.js';
import type { TokenSet } from '../src/types.js';

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
      error: undefined,
    });
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
