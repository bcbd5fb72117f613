/**
 * Benchmark 3: bursts in one Chromium tab.
 * - 1000 concurrent `getAccessToken()` on an expired token: network refreshes (limit 1) and the
 *   time until all resolve.
 * - 50 concurrent authFetch GETs of `/api/me` that all get a 401 (injected by the mock):
 *   refreshes (limit 1) and the time until all 50 answered (each replayed once); beside it, the
 *   same 50 requests with a warm token and no 401, through authFetch and through bare fetch.
 */
import type { Lab } from './browser.js';
import { scale } from './config.js';
import type { RawTokens } from './harness/types.js';
import { startMock } from './mock.js';
import { type Summary, summarize } from './stats.js';

export interface BurstResults {
  readonly callers: number;
  readonly getAccessToken: {
    readonly ms: Summary;
    /** Refresh rotations at the mock per burst: every burst must show exactly 1. */
    readonly refreshesPerBurst: number[];
    /** Of that time, the refresh itself (refresh-start to refresh-success). */
    readonly refreshMs: Summary;
    readonly allGotTheNewToken: boolean;
    /** Baseline: one refresh request sent by hand with fetch from the same page. */
    readonly bareRequestMs: Summary;
  };
  readonly requests: number;
  readonly authFetch401: {
    readonly ms: Summary;
    readonly refreshesPerBurst: number[];
    /** Requests that did not end in 200, over all bursts. */
    readonly failed: number;
  };
  /** The same 50 requests with a warm token and no 401: through authFetch, and bare fetch. */
  readonly authFetchWarm: { readonly ms: Summary };
  readonly fetchWarm: { readonly ms: Summary };
  /**
   * With the default options, a session handed to `setTokens` whose access token has already
   * expired: does the next `getAccessToken()` refresh (true) or return the expired token (false)?
   */
  readonly expiredSetTokensRefreshesByDefault: boolean;
}

const CALLERS = 1000;
const REQUESTS = 50;

export async function runBurst(lab: Lab): Promise<BurstResults> {
  const reps = scale(15, 3);
  const mock = await startMock({ accessTtl: 300, reuseGrace: 0 });
  const context = await lab.newContext();
  try {
    const channel = `burst-${Math.random().toString(36).slice(2)}`;
    // minRefreshMs 0: a session from setTokens is otherwise kept 2 s before any refresh (below).
    const [page] = await lab.openPages(context, 'baton', 1, {
      mock: mock.url,
      channel,
      minRefreshMs: 0,
    });
    const tab = page!;
    await tab.evaluate(() => window.baton!.signIn());

    const burstMs: number[] = [];
    const burstRefreshes: number[] = [];
    const refreshMs: number[] = [];
    let allNew = true;
    const bareMs: number[] = [];
    for (let i = 0; i < reps; i++) {
      const raw = (await mock.signIn()) as unknown as RawTokens;
      const before = (await mock.stats()).refreshes;
      await tab.evaluate(() => window.baton!.clear());
      const r = await tab.evaluate(([n, tokens]) => window.baton!.burst(n, tokens), [
        CALLERS,
        raw,
      ] as const);
      burstRefreshes.push((await mock.stats()).refreshes - before);
      burstMs.push(r.ms);
      allNew &&= r.renewed && r.distinct === 1;
      const events = await tab.evaluate(() => window.baton!.events());
      const success = events.find((e) => e.type === 'refresh-success');
      if (success?.durationMs !== undefined) refreshMs.push(success.durationMs);
      const spare = (await mock.signIn()) as unknown as RawTokens;
      bareMs.push(
        await tab.evaluate((token) => window.baton!.bareRefresh(token), spare.refresh_token),
      );
    }

    const warmMs: number[] = [];
    const fetchMs: number[] = [];
    const errMs: number[] = [];
    const errRefreshes: number[] = [];
    let failed = 0;
    await tab.evaluate(
      (tokens) => window.baton!.setTokens(tokens),
      (await mock.signIn()) as unknown as RawTokens,
    );
    await tab.evaluate((n) => window.baton!.authFetchBurst(n), REQUESTS); // warm-up
    for (let i = 0; i < reps; i++) {
      fetchMs.push((await tab.evaluate((n) => window.baton!.fetchBurst(n), REQUESTS)).ms);
      warmMs.push((await tab.evaluate((n) => window.baton!.authFetchBurst(n), REQUESTS)).ms);
      await mock.faults({ route: 'api', status: 401, count: REQUESTS });
      const before = (await mock.stats()).refreshes;
      const r = await tab.evaluate((n) => window.baton!.authFetchBurst(n), REQUESTS);
      errRefreshes.push((await mock.stats()).refreshes - before);
      errMs.push(r.ms);
      failed += r.statuses.filter((s) => s !== 200).length;
    }

    // The same expired session, default options (minRefreshIntervalMs 2000).
    const fresh = await lab.openPages(context, 'baton', 1, {
      mock: mock.url,
      channel: `${channel}-d`,
    });
    const d = await fresh[0]!.evaluate(
      (tokens) => window.baton!.burst(1, tokens),
      (await mock.signIn()) as unknown as RawTokens,
    );

    return {
      callers: CALLERS,
      getAccessToken: {
        ms: summarize(burstMs),
        refreshesPerBurst: burstRefreshes,
        refreshMs: summarize(refreshMs),
        allGotTheNewToken: allNew,
        bareRequestMs: summarize(bareMs),
      },
      requests: REQUESTS,
      authFetch401: { ms: summarize(errMs), refreshesPerBurst: errRefreshes, failed },
      authFetchWarm: { ms: summarize(warmMs) },
      fetchWarm: { ms: summarize(fetchMs) },
      expiredSetTokensRefreshesByDefault: d.renewed,
    };
  } finally {
    await context.close();
    await mock.close();
  }
}
