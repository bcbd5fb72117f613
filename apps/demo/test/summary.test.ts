import { randomUUID } from 'node:crypto';
import { type BatonEvent, createTokenManager, type TokenManager } from '@baton/core';
import { ciam } from '@baton/core/dialects';
import { signInWithPassword } from '@baton/core/password';
import { type MockServer, startMockServer } from '@baton/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarize } from '../src/summary.js';
import { describeEvent, type Lane, type TimelineEntry } from '../src/timeline.js';

const lane = (tab: string, closed?: number): Lane => ({
  tab,
  self: tab === 'a',
  opened: 1,
  closed,
});
let sequence = 0;
const entry = (tab: string, at: number, e: Omit<TimelineEntry, 'id' | 'tab' | 'at'>) => ({
  ...e,
  id: `${tab}:${++sequence}`,
  tab,
  at,
});

describe('summarize', () => {
  it('counts the adoptions that came before the refresh was recorded (Web Locks order)', () => {
    // Tab a tells b and c before it records its success: their adoptions come first.
    const entries = [
      entry('a', 1000, { kind: 'refresh-start', generation: 4 }),
      entry('b', 1180, { kind: 'tokens-adopted', generation: 5, detail: 'tab' }),
      entry('c', 1181, { kind: 'tokens-adopted', generation: 5, detail: 'tab' }),
      entry('a', 1190, { kind: 'refresh-success', generation: 5, ms: 190 }),
    ];
    expect(summarize(entries, [lane('a'), lane('b'), lane('c')])).toEqual({
      kind: 'refresh',
      by: 'a',
      generation: 5,
      others: 2,
      adopted: 2,
      withinMs: undefined,
      skipped: 0,
    });
  });

  it('counts each open tab once, not a closed tab, nor an older session of the same number', () => {
    const entries = [
      // A session from before (all tabs closed, numbers start again): not this one.
      entry('c', 100, { kind: 'tokens-adopted', generation: 1 }),
      entry('a', 1000, { kind: 'signed-in', generation: 1 }),
      entry('b', 1004, { kind: 'tokens-adopted', generation: 1, detail: 'tab' }),
      entry('b', 1005, { kind: 'tokens-adopted', generation: 1, detail: 'storage' }),
      entry('d', 1006, { kind: 'tokens-adopted', generation: 1, detail: 'tab' }),
      entry('b', 1007, { kind: 'refresh-skipped', generation: 1 }),
    ];
    const summary = summarize(entries, [lane('a'), lane('b'), lane('c'), lane('d', 2000)]);
    expect(summary).toMatchObject({ kind: 'signed-in', others: 2, adopted: 1, withinMs: 5 });
    expect(summary).toMatchObject({ skipped: 1 });
  });

  it('a sign-out: by the tab that started it, and the open tabs that followed it', () => {
    const entries = [
      entry('a', 1000, { kind: 'signed-in', generation: 1 }),
      entry('b', 2000, { kind: 'signed-out', detail: 'user' }),
      entry('a', 2003, { kind: 'signed-out', detail: 'remote' }),
    ];
    expect(summarize(entries, [lane('a'), lane('b')])).toEqual({
      kind: 'signed-out',
      by: 'b',
      followed: 1,
      withinMs: 3,
    });
    expect(summarize([], [lane('a')])).toEqual({ kind: 'none' });
  });
});

describe('summarize, from the events of real managers', () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMockServer({ port: 0 });
  });
  afterAll(() => mock.close());

  it('agrees with every tab’s own events: 2 of 2 adopted the refresh', async () => {
    const channel = `demo-summary-${randomUUID()}`;
    const entries: TimelineEntry[] = [];
    const tabs: TokenManager[] = ['a', 'b', 'c'].map((tab) => {
      const manager = createTokenManager({
        dialect: ciam({
          tokenUrl: `${mock.url}/oauth2/token`,
          clientId: 'TENANT_CLIENT_ID',
          clientSecret: 'TENANT_CLIENT_SECRET',
        }),
        channel,
        lock: 'broadcast',
      });
      // As the demo's timeline records them (main.tsx).
      manager.onEvent((event: BatonEvent) => {
        const described = describeEvent(event);
        if (described) entries.push(entry(tab, Date.now(), described));
      });
      return manager;
    });
    const [a, b, c] = tabs as [TokenManager, TokenManager, TokenManager];
    try {
      await Promise.all(tabs.map((t) => t.ready));
      await signInWithPassword(a, ALICE);
      await waitFor(() => b.getSnapshot().generation === 1 && c.getSnapshot().generation === 1);
      await a.refresh();
      await waitFor(() => b.getSnapshot().generation === 2 && c.getSnapshot().generation === 2);
      const adopters = new Set(
        entries.filter((e) => e.kind === 'tokens-adopted' && e.generation === 2).map((e) => e.tab),
      );
      expect([...adopters].sort()).toEqual(['b', 'c']);
      expect(summarize(entries, [lane('a'), lane('b'), lane('c')])).toMatchObject({
        kind: 'refresh',
        by: 'a',
        generation: 2,
        others: 2,
        adopted: 2,
      });
    } finally {
      for (const t of tabs) t.destroy();
    }
  });
});

const ALICE = { username: 'alice', password: 'alice-password' };

/** Resolves once `predicate` holds (polling, bounded). */
async function waitFor(predicate: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
