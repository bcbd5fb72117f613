import { afterEach, describe, expect, it } from 'vitest';
import { all, closeWorlds, recordingFetch, world } from './faultWorld.js';
import { outcome, sleep, until } from './support.js';

/** Fault matrix rows 10 and 17 (docs/reliability.md): what the token endpoint answers. */

afterEach(closeWorlds);

describe('row 10: 429 with Retry-After across 20 tabs', () => {
  // Found here (fixed in e026d21): a `backoff` message's retryInMs was capped at this tab's
  // maxDelayMs, so with a Retry-After longer than maxDelayMs (800 ms here) every tab but the one
  // that got the 429 retried early.
  it('no tab retries before Retry-After, the retries stay few, nobody signs out', async () => {
    // CIAM answers expires_in = ACCESS_TTL - 1: 1 s tokens, so every tab soon needs a new one.
    const w = await world({ accessTtl: 2 });
    const rec = recordingFetch();
    const tabs = await w.signedIn(20, {
      fetch: rec.fetch,
      retry: { attempts: 5, baseDelayMs: 200, maxDelayMs: 800 },
      minRefreshIntervalMs: 0,
    });
    const RETRY_AFTER = 2;
    w.mock.faults({
      route: 'token',
      grant: 'refresh_token',
      status: 429,
      retryAfter: RETRY_AFTER,
      count: 3,
    });
    const started = performance.now();
    const failures: string[] = [];
    for (let round = 0; round < 100 && performance.now() - started < 9000; round++) {
      await Promise.all(
        tabs.map((t) => t.getAccessToken().catch((e: { code?: string }) => failures.push(e.code!))),
      );
      if (w.mock.stats().refreshes >= 1 && all(tabs, 'valid')) break;
      await sleep(100); // the callers' pace: the load, not a synchronisation
    }
    await until(() => all(tabs, 'valid'), 3000, 'recovered everywhere');
    const times = rec.sent.filter((s) => s.grant === 'refresh_token').map((s) => s.at);
    // Requests come in steps (a few tabs may overlap at one step): each step at least
    // Retry-After after the previous one.
    const steps: number[][] = [];
    for (const at of times) {
      const step = steps.at(-1);
      if (step && at - step[0]! < 500) step.push(at);
      else steps.push([at]);
    }
    const gaps = steps.slice(1).map((s, i) => s[0]! - steps[i]![0]!);
    console.log(
      `[faults] 20 tabs, 429 Retry-After ${RETRY_AFTER} s ×3: ${times.length} refresh requests ` +
        `in ${steps.length} steps, gaps ${gaps.map((g) => Math.round(g)).join(', ')} ms`,
    );
    expect(steps).toHaveLength(4); // three refused, then the one that works
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(RETRY_AFTER * 1000 - 50);
    expect(times.length).toBeLessThanOrEqual(8);
    expect(failures.every((code) => code === 'rate_limited')).toBe(true);
    const stats = w.mock.stats();
    expect(stats.refreshes).toBe(1);
    expect(stats.reuseDetected + stats.invalidGrant).toBe(0);
    for (const t of tabs) expect(w.count(t, 'signed-out')).toBe(0);
  });
});

describe('malformed token responses', () => {
  it.each(['html', 'empty', 'truncated', 'wrong-types'] as const)(
    '%s: a transient invalid_response; the session stays and the retry works',
    async (malformed) => {
      const w = await world();
      const [tab, other] = await w.signedIn(2, { retry: { baseDelayMs: 100, maxDelayMs: 200 } });
      w.mock.faults({ route: 'token', grant: 'refresh_token', malformed });
      expect(await outcome(tab!.refresh())).toBe('invalid_response');
      expect(tab!.getSnapshot()).toMatchObject({ status: 'valid', generation: 1 });
      await until(
        () => all([tab!, other!], 'valid') && other!.getSnapshot().generation === 2,
        3000,
        'retried',
      );
      const stats = w.mock.stats();
      expect(stats.refreshes).toBe(1);
      expect(stats.reuseDetected + stats.invalidGrant).toBe(0);
      expect(w.count(tab!, 'signed-out') + w.count(other!, 'signed-out')).toBe(0);
    },
  );
});
