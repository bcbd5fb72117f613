import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TokenManager } from '../src/index.js';
import { converged, ms, world } from './crossTabWorld.js';
import { lateness, listen, until, withChannel } from './support.js';

/** Many tabs against the real mock server: see crossTabWorld.ts. */

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('sign-out, hand-off and waking tabs', () => {
  it('signs every tab out at once, and a late session message cannot revive any', async () => {
    const w = await world();
    try {
      const tabs = await w.signedIn(5);
      const old = { ...(tabs[0]! as TokenManager).getSnapshot() };
      const lag = lateness();
      const started = performance.now();
      const adopted = (tab: TokenManager) =>
        w.log(tab).filter((e) => e.type === 'tokens-adopted' && e.at > started).length;
      await tabs[3]!.signOut();
      await until(
        () => tabs.every((t) => t.getSnapshot().status === 'signed-out'),
        2000,
        'all out',
      );
      const took = performance.now() - started;
      console.log(`[crossTab] sign-out propagation to 5 tabs: ${ms(took)}`);
      expect(took).toBeLessThan(200 + lag(2));
      for (const tab of tabs) {
        expect(w.count(tab, 'signed-out')).toBe(1);
        expect(tab.getSnapshot().generation).toBe(old.generation + 1); // the tombstone
      }
      // A stale session (generation up to the tombstone) arrives late: ignored everywhere.
      for (const generation of [old.generation, old.generation + 1]) {
        w.post({
          ...w.envelope,
          type: 'tokens',
          tokens: {
            accessToken: old.accessToken,
            tokenType: 'Bearer',
            expiresAt: Date.now() + 60_000,
            generation,
          },
        });
      }
      // A new tab asks, and learns the session is over.
      const { tab: late, channel } = withChannel(() => w.open());
      const toLate = listen(channel);
      await late.ready;
      // Every live tab's answer reached it, and the stale session reached every live tab.
      await until(
        () => new Set(toLate.filter((m) => m.type === 'signed-out').map((m) => m.from)).size === 5,
        2000,
        'every answer',
      );
      await w.witness(tabs);
      for (const tab of [...tabs, late]) {
        expect(tab.getSnapshot().status).toBe('signed-out');
        expect(adopted(tab)).toBe(0);
      }
      expect(late.getSnapshot().generation).toBe(old.generation + 1);
      await expect(tabs[0]!.getAccessToken()).rejects.toMatchObject({ code: 'signed_out' });
      expect(w.mock.stats().refreshes).toBe(0);
    } finally {
      await w.close();
    }
  });

  it('hands the session to a new tab from the live ones, without a refresh', async () => {
    const w = await world();
    try {
      const tabs = await w.signedIn(3);
      const before = w.mock.stats().tokenRequests;
      const lag = lateness();
      const started = performance.now();
      const fresh = w.open();
      await until(() => fresh.getSnapshot().generation === 1, 2000, 'hand-off');
      const took = performance.now() - started;
      await fresh.ready;
      console.log(
        `[crossTab] hand-off to a new tab: ${ms(took)} (ready after ${ms(performance.now() - started)})`,
      );
      expect(took).toBeLessThan(200 + lag(2));
      expect(await fresh.getAccessToken()).toBe(tabs[0]!.getSnapshot().accessToken);
      expect(w.mock.stats().tokenRequests).toBe(before);
      expect(w.mock.stats().refreshes).toBe(0);
    } finally {
      await w.close();
    }
  });

  it('a tab that wakes (frozen while the others refreshed) asks and gets the newest generation', async () => {
    // Node has no window: give the manager a minimal one, so `visibilitychange` reaches it.
    const doc = Object.assign(new EventTarget(), {
      visibilityState: 'hidden' as DocumentVisibilityState,
    });
    const win = Object.assign(new EventTarget(), { document: doc });
    vi.stubGlobal('window', win);
    vi.stubGlobal('document', doc);
    const w = await world();
    try {
      const [a, b] = await w.signedIn(2);
      const { tab: c, channel } = withChannel(() => w.open());
      await c.ready;
      expect(c.getSnapshot().generation).toBe(1);
      // Frozen: nothing reaches it (as a page in the back/forward cache). What it misses is
      // recorded, to know when the news has gone by.
      const deliver = channel.onmessage;
      channel.onmessage = null;
      const missed = listen(channel);
      await a!.refresh();
      await until(() => b!.getSnapshot().generation === 2, 2000, 'b at 2');
      await b!.refresh();
      await until(
        () => converged([a!, b!]) && a!.getSnapshot().generation === 3,
        2000,
        'a and b at 3',
      );
      await until(
        () => missed.some((m) => m.type === 'tokens' && m.tokens.generation === 3),
        2000,
        'generation 3 gone by',
      );
      expect(c.getSnapshot().generation).toBe(1);
      // It comes back: delivery resumes, and it becomes visible.
      channel.onmessage = deliver;
      const woke = performance.now();
      doc.visibilityState = 'visible';
      doc.dispatchEvent(new Event('visibilitychange'));
      const token = await c.getAccessToken(); // waits for the wake-up's answer
      const took = performance.now() - woke;
      console.log(`[crossTab] a woken tab caught up from generation 1 to 3 in ${ms(took)}`);
      expect(token).toBe(a!.getSnapshot().accessToken);
      expect(c.getSnapshot().generation).toBe(3);
      expect(w.count(c, 'wake')).toBe(1);
      expect(w.mock.stats().refreshes).toBe(2);
    } finally {
      await w.close();
    }
  });
});
