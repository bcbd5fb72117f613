import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatonError } from '../src/errors.js';
import { createRetryer } from '../src/retryer.js';

const T0 = 1_700_000_000_000;
const failure = (retryAfterMs?: number) =>
  new BatonError('server_error', 'x', retryAfterMs === undefined ? {} : { retryAfterMs });

describe('createRetryer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('without failures, the next attempt is the normal refresh time', () => {
    const r = createRetryer();
    expect(r.failures).toBe(0);
    expect(r.backingOff()).toBe(false);
    expect(r.due(T0 + 5000)).toBe(T0 + 5000);
  });

  it('backs off after a failure, and the next attempt is due when the backoff ends', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const r = createRetryer({ baseDelayMs: 1000, maxDelayMs: 30_000 });
    const { delayMs, automatic } = r.fail(failure());
    expect(delayMs).toBe(500);
    expect(automatic).toBe(true);
    expect(r.failures).toBe(1);
    expect(r.backingOff()).toBe(true);
    expect(r.due(T0 + 99_000)).toBe(T0 + 500);
    vi.advanceTimersByTime(500);
    expect(r.backingOff()).toBe(false);
  });

  it('stops automatic attempts after `attempts`; callers then wait maxDelayMs at least', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.1);
    const r = createRetryer({ attempts: 2, baseDelayMs: 10, maxDelayMs: 1000 });
    expect(r.fail(failure()).automatic).toBe(true);
    expect(r.fail(failure()).automatic).toBe(true);
    const last = r.fail(failure(5000));
    expect(last).toEqual({ delayMs: 5000, automatic: false });
    expect(r.due(T0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('takes another tab’s backoff, capped, and never shortens its own', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    const r = createRetryer({ baseDelayMs: 1000, maxDelayMs: 30_000 });
    expect(r.share(10_000_000)).toBe(600_000);
    expect(r.failures).toBe(1);
    expect(r.due(0)).toBe(T0 + 600_000);
    r.share(1000);
    expect(r.due(0)).toBe(T0 + 600_000);
  });

  it('retryNow makes a failed session due at once; without failures it changes nothing', () => {
    const r = createRetryer();
    r.retryNow();
    expect(r.due(T0 + 9000)).toBe(T0 + 9000);
    r.fail(failure(20_000));
    expect(r.backingOff()).toBe(true);
    r.retryNow();
    expect(r.backingOff()).toBe(false);
    expect(r.due(T0 + 9000)).toBe(T0);
  });

  it('reset forgets every failure', () => {
    const r = createRetryer();
    r.fail(failure(20_000));
    r.reset();
    expect(r.failures).toBe(0);
    expect(r.backingOff()).toBe(false);
    expect(r.due(T0 + 1)).toBe(T0 + 1);
  });
});
