/**
 * Benchmark 2: refreshes per access-token lifetime in real Chromium, 1, 5 and 20 tabs of one
 * browser context, against the mock with REUSE_GRACE=0 and a 4 s access token.
 *
 * A "lifetime" is one generation of the session: one refresh token, which can be spent once. The
 * browser's request log gives, for every refresh request, the refresh token it presented; so
 * "refreshes per lifetime" is requests / distinct refresh tokens presented (the limit: exactly 1).
 * At the end every tab's current access token is tried on `/api/me`: a tab whose token is missing
 * or refused is signed out.
 *
 * For the Baton rows, also how long a refresh took in the refreshing tab (`refresh-success`'s
 * `durationMs`: refresh-start to refresh-success, lock wait included), beside the same refresh
 * request sent by hand with `fetch` from a page of the same run, before the session starts (a
 * valid refresh grant of a session of its own; those requests are left out of the counts above).
 */
import { writeFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import type { Entry, Lab } from './browser.js';
import { CIAM, scale } from './config.js';
import { type EventMark, LONG_TASK_PAUSE_MS, type RawTokens } from './harness/types.js';
import { type Mock, startMock } from './mock.js';
import { type Summary, sleep, summarize, until } from './stats.js';

/** Seconds: the mock's ACCESS_TTL (the CIAM answer says `expires_in: 3`). */
export const ACCESS_TTL = 4;
/** Main-thread long tasks of the robustness rows (ms). */
const LONG_TASK_MS = 400;
/** Seconds before expiry the peers renew (Baton's own lead for a 3 s token is about 1 s). */
const PEER_SKEW = 1;
/** The mock's REUSE_GRACE (seconds): 0, a refresh token spent twice revokes the session at once. */
const REUSE_GRACE = 0;
/** Bare refresh requests per Baton run (after one to warm the connection up). */
const BARE = scale(10, 3);

export type Impl = 'baton broadcast' | 'baton web-locks' | 'oidc-client-ts' | 'naive';
const IMPLS: readonly Impl[] = ['baton broadcast', 'baton web-locks', 'oidc-client-ts', 'naive'];

export interface RefreshRun {
  readonly impl: Impl;
  readonly tabs: number;
  /** Every page busy for this long at random moments (0: none). */
  readonly longTaskMs: number;
  readonly windowSeconds: number;
  /** Refresh requests sent by all tabs (browser request log). */
  readonly requests: number;
  /** Distinct refresh tokens presented: the lifetimes that needed a refresh. */
  readonly lifetimes: number;
  readonly perLifetimeMean: number;
  readonly perLifetimeMax: number;
  /** Mock counters over the window. */
  readonly rotations: number;
  readonly reuseDetected: number;
  readonly invalidGrant: number;
  readonly signedOutTabs: number;
  /** Baton only: how long tabs waited for the lock per refresh attempt, and skipped attempts. */
  readonly lockWaitMs?: Summary;
  readonly skipped?: number;
  /** Baton only: total ms, over all tabs, during which a tab's snapshot said `expired`. */
  readonly expiredMs?: number;
  /** Baton only: each refresh's `durationMs` (refresh-start → refresh-success), all tabs. */
  readonly refreshMs?: Summary;
  /** Baton only: the same refresh request sent by hand with fetch, same run, same page. */
  readonly bareRefreshMs?: Summary;
}

export interface RefreshResults {
  readonly accessTtl: number;
  readonly reuseGrace?: number;
  /** Seconds before expiry the peers renew. */
  readonly peerSkew?: number;
  /** The long-task rows: the pause between a page's long tasks, drawn from this range (ms). */
  readonly longTaskPauseMs?: { readonly min: number; readonly max: number };
  readonly runs: RefreshRun[];
}

/** Refresh tokens presented to the CIAM route, in the order the browser sent them. */
function recordRefreshes(context: BrowserContext, tokenUrl: string): string[] {
  const presented: string[] = [];
  context.on('request', (request) => {
    if (request.url() !== tokenUrl || request.method() !== 'POST') return;
    const params = new URLSearchParams(request.postData() ?? '');
    if (params.get('grant_type') === 'refresh_token')
      presented.push(params.get('refresh_token') ?? '');
  });
  return presented;
}

/** Milliseconds each page spent with status `expired`, summed. */
async function expiredTime(pages: Page[], end: number): Promise<number> {
  let total = 0;
  for (const page of pages) {
    const changes = await page.evaluate(() => window.baton!.changes());
    changes.forEach((c, i) => {
      if (c.status === 'expired') total += (changes[i + 1]?.t ?? end) - c.t;
    });
  }
  return total;
}

/**
 * The baseline: `count` refresh requests sent by hand with fetch from `page`, each with a valid
 * refresh token of a sign-in of its own (after one more to warm the connection up). Returns the
 * times, and the refresh tokens spent, to leave out of the run's request log.
 */
async function bareRefreshes(page: Page, mock: Mock, count: number) {
  const ms: number[] = [];
  const spent = new Set<string>();
  for (let i = 0; i <= count; i++) {
    const { refresh_token } = (await mock.signIn()) as unknown as RawTokens;
    spent.add(refresh_token);
    const t = await page.evaluate((token) => window.baton!.bareRefresh(token), refresh_token);
    if (i > 0) ms.push(t);
  }
  return { ms, spent };
}

async function startBaton(
  lab: Lab,
  context: BrowserContext,
  mock: Mock,
  impl: Impl,
  n: number,
  longTaskMs: number,
) {
  const lock = impl === 'baton broadcast' ? 'broadcast' : 'web-locks';
  const channel = `bench-${Math.random().toString(36).slice(2)}`;
  const pages = await lab.openPages(context, 'baton', n, {
    mock: mock.url,
    lock,
    channel,
    longTaskMs,
  });
  // Before the session exists: no tab refreshes while the baseline is measured. Every tab's
  // `ready` first, so that no tab is still starting up (asking the others for a session).
  await until(async () => {
    const ready = await Promise.all(
      pages.map((p) => p.evaluate(() => window.baton!.readyAt() !== undefined)),
    );
    return ready.every(Boolean);
  }, 5_000);
  const bare = await bareRefreshes(pages[0]!, mock, BARE);
  await pages[0]!.evaluate(() => window.baton!.signIn());
  const adopted = await until(async () => {
    const generations = await Promise.all(
      pages.map((p) => p.evaluate(() => window.baton!.snapshot().generation)),
    );
    return generations.every((g) => g >= 1);
  }, 5_000);
  if (!adopted) throw new Error(`${impl}: not every tab adopted the session`);
  return { pages, bare };
}

async function startPeer(lab: Lab, context: BrowserContext, mock: Mock, impl: Impl, n: number) {
  const entry: Entry = impl === 'oidc-client-ts' ? 'oidc' : 'naive';
  const pages = await lab.openPages(context, entry, n, { mock: mock.url, skew: PEER_SKEW });
  const raw = (await mock.signIn()) as unknown as RawTokens;
  await pages[0]!.evaluate((tokens) => window.peer!.seed(tokens), raw);
  // Every tab is open when the session appears, and starts its renewal at once.
  await Promise.all(pages.map((p) => p.evaluate(() => window.peer!.start())));
  return { pages, bare: undefined };
}

async function runOne(
  lab: Lab,
  mock: Mock,
  impl: Impl,
  tabs: number,
  windowSeconds: number,
  longTaskMs = 0,
) {
  // Each run signs in anew (its own session family); the counters are read as differences.
  const context = await lab.newContext();
  try {
    const presented = recordRefreshes(context, `${mock.url}${CIAM.path}`);
    const baton = impl.startsWith('baton');
    const { pages, bare } = baton
      ? await startBaton(lab, context, mock, impl, tabs, longTaskMs)
      : await startPeer(lab, context, mock, impl, tabs);
    const before = await mock.stats();
    const started = Date.now();
    await sleep(windowSeconds * 1000);
    const end = Date.now();
    const probes = await Promise.all(
      pages.map((p) =>
        p.evaluate(() => (window.baton ?? window.peer)!.probe()).catch(() => 'signed-out'),
      ),
    );
    const after = await mock.stats();

    // The baseline's requests are not the session's.
    const sent = presented.filter((token) => !bare?.spent.has(token));
    const perToken = new Map<string, number>();
    for (const token of sent) perToken.set(token, (perToken.get(token) ?? 0) + 1);
    const counts = [...perToken.values()];
    const run: RefreshRun = {
      impl,
      tabs,
      longTaskMs,
      windowSeconds: (end - started) / 1000,
      requests: sent.length,
      lifetimes: perToken.size,
      perLifetimeMean: counts.length ? sent.length / perToken.size : 0,
      perLifetimeMax: counts.length ? Math.max(...counts) : 0,
      rotations: after.refreshes - before.refreshes,
      reuseDetected: after.reuseDetected - before.reuseDetected,
      invalidGrant: after.invalidGrant - before.invalidGrant,
      signedOutTabs: probes.filter((p) => p !== 'ok').length,
    };
    if (!baton) return run;
    const perTab = await Promise.all(
      pages.map(async (p) => {
        const offset = await p.evaluate(() => window.baton!.clockOffset());
        const marks = await p.evaluate(() => window.baton!.events());
        return marks.map((e) => ({ ...e, t: e.t - offset }));
      }),
    );
    const events: EventMark[] = perTab.flat();
    if (process.env.BENCH_DEBUG && run.reuseDetected > 0) {
      // Every tab's events on one clock, to see how a refresh token came to be spent twice.
      const file = `/tmp/bench-refreshes-${impl.replace(' ', '-')}-${tabs}.json`;
      const timeline = perTab
        .flatMap((marks, tab) =>
          marks.map((e) => ({ tab, ...e, t: Math.round((e.t - started) * 10) / 10 })),
        )
        .sort((a, b) => a.t - b.t);
      writeFileSync(
        file,
        JSON.stringify({ presented: sent.map((r) => r.slice(-6)), timeline }, null, 1),
      );
      console.log(`  (BENCH_DEBUG: timeline in ${file})`);
    }
    return {
      ...run,
      lockWaitMs: summarize(
        events.filter((e) => e.type === 'lock-acquired').map((e) => e.waitedMs ?? 0),
      ),
      skipped: events.filter((e) => e.type === 'refresh-skipped').length,
      expiredMs: await expiredTime(pages, end),
      refreshMs: summarize(
        events.flatMap((e) =>
          e.type === 'refresh-success' && e.durationMs !== undefined ? [e.durationMs] : [],
        ),
      ),
      bareRefreshMs: summarize(bare?.ms ?? []),
    };
  } finally {
    await context.close();
  }
}

/** `, refresh 104 ms p50 (bare 6.6 ms)` for the console. */
const overBare = (run: RefreshRun) =>
  run.refreshMs && run.bareRefreshMs
    ? `, refresh ${run.refreshMs.median.toFixed(1)} ms p50 (bare ${run.bareRefreshMs.median.toFixed(1)} ms)`
    : '';

export async function runRefreshes(lab: Lab): Promise<RefreshResults> {
  const tabCounts = scale([1, 5, 20], [5]);
  // A few lifetimes: the renewal cycle of a 3 s token is about 2 s.
  const windowSeconds = scale(3 * ACCESS_TTL, 5);
  const runs: RefreshRun[] = [];
  const mock = await startMock({ accessTtl: ACCESS_TTL, reuseGrace: REUSE_GRACE });
  try {
    for (const tabs of tabCounts) {
      for (const impl of IMPLS) {
        const run = await runOne(lab, mock, impl, tabs, windowSeconds);
        console.log(
          `  refreshes: ${impl.padEnd(16)} ${String(tabs).padStart(2)} tabs: ${run.requests} requests / ${run.lifetimes} lifetimes (max ${run.perLifetimeMax}), reuse ${run.reuseDetected}, signed out ${run.signedOutTabs}${overBare(run)}`,
        );
        runs.push(run);
      }
    }
    // The broadcast lock assumes a message crosses within W (DEFAULT_CLAIM_WINDOW_MS in
    // broadcastLock.ts, widened to the lag the tabs see, up to 1 s). Main threads busy with
    // long tasks, 20 renderers on 2 cores, stretch that: the same 20 tabs with 400 ms long tasks.
    for (const impl of scale<Impl[]>(['baton broadcast', 'baton web-locks'], [])) {
      const run = await runOne(lab, mock, impl, 20, windowSeconds, LONG_TASK_MS);
      console.log(
        `  refreshes: ${impl} 20 tabs, ${LONG_TASK_MS} ms long tasks: ${run.requests} requests / ${run.lifetimes} lifetimes (max ${run.perLifetimeMax}), reuse ${run.reuseDetected}, signed out ${run.signedOutTabs}${overBare(run)}`,
      );
      runs.push(run);
    }
  } finally {
    await mock.close();
  }
  return {
    accessTtl: ACCESS_TTL,
    reuseGrace: REUSE_GRACE,
    peerSkew: PEER_SKEW,
    longTaskPauseMs: LONG_TASK_PAUSE_MS,
    runs,
  };
}
