import { describe, expect, it } from 'vitest';
import {
  type Arrival,
  backoffDelay,
  isFresh,
  refreshDue,
  refreshTime,
  restUntil,
} from '../src/refreshPolicy.js';
import type { TokenSet } from '../src/types.js';

const policy = { skewMs: 30_000, minIntervalMs: 2000 };
const T0 = 1_700_000_000_000;
const tokens = (lifetimeMs: number): TokenSet => ({
  accessToken: 'a',
  tokenType: 'Bearer',
  expiresAt: T0 + lifetimeMs,
  generation: 1,
});
const arrival = (from: Arrival['from'], jitter = 0): Arrival => ({ at: T0, from, jitter });

describe('refreshTime', () => {
  it('is skewMs before expiry for a long-lived token', () => {
    expect(refreshTime(T0 + 3_600_000, T0, 30_000, 0)).toBe(T0 + 3_600_000 - 30_000);
  });

  it('is after two thirds of the life of a token shorter than three skews', () => {
    expect(refreshTime(T0 + 60_000, T0, 30_000, 0)).toBe(T0 + 40_000);
  });

  it('moves earlier by at most 10% of the lead with jitter', () => {
    const plain = refreshTime(T0 + 3_600_000, T0, 30_000, 0);
    const jittered = refreshTime(T0 + 3_600_000, T0, 30_000, 0.999);
    expect(jittered).toBeLessThan(plain);
    expect(plain - jittered).toBeLessThanOrEqual(3000);
  });

  it('never refreshes after expiry, even for a token that arrived expired', () => {
    expect(refreshTime(T0 - 5000, T0, 30_000, 0)).toBe(T0 - 5000);
  });
});

describe('restUntil', () => {
  it('rests minIntervalMs after a refresh or another tab’s tokens', () => {
    expect(restUntil(arrival('refresh'), policy)).toBe(T0 + 2000);
    expect(restUntil(arrival('tab'), policy)).toBe(T0 + 2000);
  });

  it('lets tokens from storage or the app be refreshed at once (they may be long expired)', () => {
    expect(restUntil(arrival('storage'), policy)).toBe(0);
    expect(restUntil(arrival('app'), policy)).toBe(0);
  });
});

describe('refreshDue', () => {
  it('is the refresh time for the tab that refreshed', () => {
    expect(refreshDue(tokens(3_600_000), arrival('refresh'), policy)).toBe(T0 + 3_570_000);
  });

  it('gives a follower a head start of 0.75–1 s behind the refresher', () => {
    const leader = refreshDue(tokens(3_600_000), arrival('refresh', 0), policy);
    const follower = refreshDue(tokens(3_600_000), arrival('tab', 0), policy);
    expect(follower - leader).toBe(750);
    const late = refreshDue(tokens(3_600_000), arrival('tab', 0.999), policy);
    const lateLeader = refreshDue(tokens(3_600_000), arrival('refresh', 0.999), policy);
    expect(late - lateLeader).toBeGreaterThan(990);
    expect(late - lateLeader).toBeLessThanOrEqual(1000);
  });

  it('holds a tiny-lifetime token to the minimum interval, spread by jitter', () => {
    // 300 ms of life: the refresh time is long past the rest, so the rest wins.
    const due = refreshDue(tokens(300), arrival('refresh', 0), policy);
    expect(due).toBe(T0 + 2000);
    const spread = refreshDue(tokens(3000), arrival('refresh', 0.5), policy);
    expect(spread).toBeGreaterThan(T0 + 2000);
    expect(spread).toBeLessThan(T0 + 3000);
  });
});

describe('isFresh', () => {
  const set = tokens(60_000);
  it('is fresh before the refresh point and not after', () => {
    expect(isFresh(set, T0 + 40_000, undefined, T0 + 39_999)).toBe(true);
    expect(isFresh(set, T0 + 40_000, undefined, T0 + 40_000)).toBe(false);
  });

  it('with minValidityMs, asks for that much life left instead', () => {
    expect(isFresh(set, T0 + 40_000, 10_000, T0 + 50_000)).toBe(true);
    expect(isFresh(set, T0 + 40_000, 10_001, T0 + 50_000)).toBe(false);
  });

  it('is never fresh once expired', () => {
    expect(isFresh(set, Number.POSITIVE_INFINITY, 0, T0 + 60_000)).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('doubles its cap each attempt, up to capMs, with full jitter', () => {
    expect(backoffDelay(0, 1000, 30_000, 0, 0.999)).toBeCloseTo(999);
    expect(backoffDelay(3, 1000, 30_000, 0, 0.5)).toBe(4000);
    expect(backoffDelay(10, 1000, 30_000, 0, 1)).toBe(30_000);
    expect(backoffDelay(2, 1000, 30_000, 0, 0)).toBe(0);
  });

  it('is never shorter than the server’s Retry-After', () => {
    expect(backoffDelay(0, 1000, 30_000, 45_000, 0.1)).toBe(45_000);
  });
});
