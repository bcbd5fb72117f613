/**
 * Benchmark 4: propagation between 10 Chromium tabs of one context.
 * - Rotation: one tab refreshes (100 times); each other page logs when its snapshot's
 *   generation changes. Per rotation: the slowest tab's delay after the refreshing tab's
 *   `refresh-success`, and every tab's delay.
 * - Sign-out (and the sign-in before it): from the acting tab's own snapshot change to every
 *   other tab's.
 * - Hand-off: a newly opened tab, from navigation start (`performance.timeOrigin`) to holding
 *   the session, and how long `manager.ready` took; for a tab alone, `ready` with nobody to ask.
 */
import type { Page } from 'playwright-core';
import type { Lab } from './browser.js';
import { scale } from './config.js';
import type { ChangeMark } from './harness/types.js';
import { startMock } from './mock.js';
import { type Summary, summarize, until } from './stats.js';

const TABS = 10;

export interface Spread {
  /** Per event, until the last tab had it. */
  readonly allTabs: Summary;
  /** Every tab's own delay. */
  readonly perTab: Summary;
}

export interface PropagationResults {
  readonly tabs: number;
  readonly rotation: Spread;
  readonly signIn: Spread;
  readonly signOut: Spread;
  readonly handOff: {
    /** Navigation start to the session adopted. */
    readonly loadToSession: Summary;
    /** `createTokenManager` to `ready` settled. */
    readonly ready: Summary;
    /** Navigation start to the harness script running (`createTokenManager` called). */
    readonly loadToScript: Summary;
  };
  /** A tab with no other tab open: `ready` waits out the hand-off question (2 × syncTimeoutMs). */
  readonly readyAlone: Summary;
}

/** The first time `changes` shows `match`, at or after `from`. */
const firstAt = (changes: ChangeMark[], match: (c: ChangeMark) => boolean, from = -Infinity) =>
  changes.find((c) => c.t >= from - 50 && match(c))?.t;

function spread(delays: number[][]): Spread {
  return {
    allTabs: summarize(delays.map((d) => Math.max(...d))),
    perTab: summarize(delays.flat()),
  };
}

/** Each page's clock offset (see harness/common.ts), to put all pages on the system clock. */
const offsets = new Map<Page, number>();
async function calibrate(pages: Page[]) {
  for (const p of pages) offsets.set(p, await p.evaluate(() => window.baton!.clockOffset()));
}

/** Every page's log of changes, on the system clock. */
const allChanges = (pages: Page[]) =>
  Promise.all(
    pages.map(async (p) =>
      (await p.evaluate(() => window.baton!.changes())).map((c) => ({
        ...c,
        t: c.t - (offsets.get(p) ?? 0),
      })),
    ),
  );

const clearAll = (pages: Page[]) =>
  Promise.all(pages.map((p) => p.evaluate(() => window.baton!.clear())));

/** Waits until every page's snapshot satisfies `ok` (bounded). */
async function settle(pages: Page[], ok: (s: { generation: number; status: string }) => boolean) {
  const done = await until(async () => {
    const snaps = await Promise.all(pages.map((p) => p.evaluate(() => window.baton!.snapshot())));
    return snaps.every(ok);
  }, 5_000);
  if (!done) throw new Error('tabs did not converge within 5 s');
}

export async function runPropagation(lab: Lab): Promise<PropagationResults> {
  const rotations = scale(100, 15);
  const signOuts = scale(20, 4);
  const newTabs = scale(20, 4);
  const mock = await startMock({ accessTtl: 300, reuseGrace: 0 });
  const context = await lab.newContext();
  try {
    const params = { mock: mock.url, channel: `prop-${Math.random().toString(36).slice(2)}` };
    const pages = await lab.openPages(context, 'baton', TABS, params);
    const [actor, ...others] = pages as [Page, ...Page[]];
    await actor.evaluate(() => window.baton!.signIn());
    await settle(pages, (s) => s.generation >= 1);
    await calibrate(pages);
    if (process.env.BENCH_DEBUG) console.log('clock offsets (ms)', [...offsets.values()]);

    // Rotations: all in a row, then the logs.
    await clearAll(pages);
    for (let i = 0; i < rotations; i++) await actor.evaluate(() => window.baton!.refresh());
    const last = await actor.evaluate(() => window.baton!.snapshot().generation);
    await settle(pages, (s) => s.generation >= last);
    const successes = (await actor.evaluate(() => window.baton!.events()))
      .filter((e) => e.type === 'refresh-success')
      .map((e) => ({ ...e, t: e.t - offsets.get(actor)! }));
    const otherChanges = await allChanges(others);
    const rotation = successes.map((s) =>
      otherChanges.map((changes) => {
        const t = firstAt(changes, (c) => c.generation >= (s.generation ?? 0));
        return t === undefined ? Number.NaN : t - s.t;
      }),
    );

    // Sign-out and sign-in, one pair at a time.
    const outs: number[][] = [];
    const ins: number[][] = [];
    for (let i = 0; i < signOuts; i++) {
      await clearAll(pages);
      await actor.evaluate(() => window.baton!.signOut());
      await settle(pages, (s) => s.status === 'signed-out');
      await actor.evaluate(() => window.baton!.signIn());
      await settle(pages, (s) => s.status === 'valid');
      const [mine, ...theirs] = await allChanges(pages);
      const out = firstAt(mine!, (c) => c.status === 'signed-out')!;
      const into = firstAt(mine!, (c) => c.status === 'valid', out)!;
      outs.push(theirs.map((c) => firstAt(c, (x) => x.status === 'signed-out')! - out));
      ins.push(theirs.map((c) => firstAt(c, (x) => x.status === 'valid', into)! - into));
    }

    // Hand-off to a new tab, then the lone tab.
    const loadToSession: number[] = [];
    const ready: number[] = [];
    const loadToScript: number[] = [];
    for (let i = 0; i < newTabs; i++) {
      const [tab] = await lab.openPages(context, 'baton', 1, params);
      await tab!.waitForFunction(() => window.baton!.readyAt() !== undefined);
      const r = await tab!.evaluate(() => {
        const b = window.baton!;
        return {
          origin: b.timeOrigin,
          created: b.createdAt,
          ready: b.readyAt()!,
          changes: b.changes(),
        };
      });
      const adopted = firstAt(r.changes, (c) => c.status === 'valid');
      loadToSession.push(adopted === undefined ? Number.NaN : adopted - r.origin);
      ready.push(r.ready - r.created);
      loadToScript.push(r.created - r.origin);
      await tab!.close();
    }
    const alone: number[] = [];
    const lonely = await lab.newContext();
    for (let i = 0; i < Math.min(newTabs, 5); i++) {
      const [tab] = await lab.openPages(lonely, 'baton', 1, params);
      await tab!.waitForFunction(() => window.baton!.readyAt() !== undefined);
      alone.push(await tab!.evaluate(() => window.baton!.readyAt()! - window.baton!.createdAt));
      await tab!.close();
    }
    await lonely.close();

    return {
      tabs: TABS,
      rotation: spread(rotation),
      signIn: spread(ins),
      signOut: spread(outs),
      handOff: {
        loadToSession: summarize(loadToSession),
        ready: summarize(ready),
        loadToScript: summarize(loadToScript),
      },
      readyAlone: summarize(alone),
    };
  } finally {
    await context.close();
    await mock.close();
  }
}
