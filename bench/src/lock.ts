/**
 * Benchmark 6: Baton's two refresh locks on their own, in Chromium tabs of one context.
 * - Contention: 1, 5 and 20 tabs each acquire and release the lock in a loop, all starting at
 *   once. Per acquisition the wait (request to grant); under contention the hand-off (one tab's
 *   release to the next tab's grant); acquisitions per second; overlapping holds (must be 0).
 * - Take-over: a tab holds the lock for ever, another waits; the holder's page is closed (its
 *   `pagehide` runs) or its renderer crashes (nothing runs). Time from then to the waiter's grant.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { Lab } from './browser.js';
import { scale } from './config.js';
import type { LockSample } from './harness/types.js';
import { type Summary, sleep, summarize, until } from './stats.js';

type Kind = 'web-locks' | 'broadcast';
const KINDS: readonly Kind[] = ['web-locks', 'broadcast'];

export interface ContentionRun {
  readonly kind: Kind;
  readonly tabs: number;
  readonly acquisitions: number;
  readonly waitMs: Summary;
  /** Release to the next grant, when the next tab was already waiting. */
  readonly handoffMs: Summary;
  readonly perSecond: number;
  /** Holds that overlapped another tab's (by more than 0.5 ms of clock error). */
  readonly overlaps: number;
}

export interface TakeoverRun {
  readonly kind: Kind;
  readonly how: 'close' | 'crash';
  readonly ms: Summary;
}

export interface LockResults {
  readonly contention: ContentionRun[];
  readonly takeover: TakeoverRun[];
}

const channelName = () => `lock-${Math.random().toString(36).slice(2)}`;

async function offsets(pages: Page[]): Promise<number[]> {
  const out: number[] = [];
  for (const p of pages) out.push(await p.evaluate(() => window.lockBench!.clockOffset()));
  return out;
}

async function contention(lab: Lab, kind: Kind, tabs: number): Promise<ContentionRun> {
  // Broadcast acquisitions take a claim window (100 ms) each: fewer of them.
  const total = kind === 'web-locks' ? scale(400, 60) : scale(60, 12);
  const perTab = Math.max(2, Math.ceil(total / tabs));
  const context = await lab.newContext();
  try {
    const pages = await lab.openPages(context, 'lock', tabs, { kind, channel: channelName() });
    const offset = await offsets(pages);
    const startAt = Date.now() + 300;
    const perPage = await Promise.all(
      pages.map((p) =>
        p.evaluate(([at, count]) => window.lockBench!.loop(at, count, 0), [
          startAt,
          perTab,
        ] as const),
      ),
    );
    const samples: (LockSample & { tab: number })[] = perPage
      .flatMap((list, tab) =>
        list.map((s) => ({
          tab,
          requested: s.requested - offset[tab]!,
          acquired: s.acquired - offset[tab]!,
          released: s.released - offset[tab]!,
        })),
      )
      .sort((a, b) => a.acquired - b.acquired);
    const handoff: number[] = [];
    let overlaps = 0;
    for (let i = 1; i < samples.length; i++) {
      const prev = samples[i - 1]!;
      const next = samples[i]!;
      if (next.acquired < prev.released - 0.5) overlaps += 1;
      if (next.tab !== prev.tab && next.requested < prev.released)
        handoff.push(next.acquired - prev.released);
    }
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    return {
      kind,
      tabs,
      acquisitions: samples.length,
      waitMs: summarize(samples.map((s) => s.acquired - s.requested)),
      handoffMs: summarize(handoff),
      perSecond: (samples.length / (last.released - first.requested)) * 1000,
      overlaps,
    };
  } finally {
    await context.close();
  }
}

async function takeoverOnce(
  lab: Lab,
  context: BrowserContext,
  kind: Kind,
  how: 'close' | 'crash',
): Promise<number> {
  const [holder, waiter] = (await lab.openPages(context, 'lock', 2, {
    kind,
    channel: channelName(),
  })) as [Page, Page];
  const offset = await waiter.evaluate(() => window.lockBench!.clockOffset());
  await holder.evaluate(() => window.lockBench!.hold());
  await waiter.evaluate(() => window.lockBench!.request());
  await sleep(300); // the waiter is queued (web-locks) or has heard the holder (broadcast)
  let waiterCrashed = false;
  waiter.once('crash', () => {
    waiterCrashed = true;
  });
  const killedAt = Date.now();
  if (how === 'close') await holder.close();
  else {
    const cdp = await context.newCDPSession(holder);
    cdp.send('Page.crash').catch(() => {}); // never answers: the renderer is gone
  }
  let acquired: number | undefined;
  await until(async () => {
    acquired = await waiter.evaluate(() => window.lockBench!.acquiredAt());
    return acquired !== undefined || waiterCrashed;
  }, 15_000);
  await waiter.close();
  if (!holder.isClosed()) await holder.close().catch(() => {});
  if (waiterCrashed) throw new Error('the waiter shared the crashed renderer process');
  return acquired === undefined ? Number.NaN : acquired - offset - killedAt;
}

export async function runLock(lab: Lab): Promise<LockResults> {
  const contentionRuns: ContentionRun[] = [];
  for (const kind of KINDS) {
    for (const tabs of scale([1, 5, 20], [1, 5])) {
      const run = await contention(lab, kind, tabs);
      console.log(
        `  lock: ${kind.padEnd(9)} ${String(tabs).padStart(2)} tabs: wait p50 ${run.waitMs.median.toFixed(2)} ms, hand-off p50 ${run.handoffMs.median.toFixed(2)} ms, ${run.perSecond.toFixed(0)}/s, overlaps ${run.overlaps}`,
      );
      contentionRuns.push(run);
    }
  }
  const takeover: TakeoverRun[] = [];
  const reps = scale(5, 1);
  for (const kind of KINDS) {
    for (const how of ['close', 'crash'] as const) {
      const context = await lab.newContext();
      const times: number[] = [];
      try {
        for (let i = 0; i < reps; i++) times.push(await takeoverOnce(lab, context, kind, how));
      } finally {
        await context.close();
      }
      const ms = summarize(times);
      console.log(`  lock: ${kind} take-over after ${how}: ${ms.median.toFixed(1)} ms`);
      takeover.push({ kind, how, ms });
    }
  }
  return { contention: contentionRuns, takeover };
}
