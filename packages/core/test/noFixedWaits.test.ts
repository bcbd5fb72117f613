import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BatonEvent, TokenManager } from '../src/index.js';
import { signInWithPassword } from '../src/password.js';
import { createLockManager } from './lockManager.js';
import { ALICE, ciamManager, mockServer, until } from './support.js';

/**
 * With Web Locks (here the spec-complete stand-in: Node has none), a tab knows from the lock
 * manager whether any live tab holds a newer generation, and waits only for that. Every manager
 * here has a `syncTimeoutMs` far past the test's own timeout: a test passes only if nothing waits
 * for it. (Without Web Locks, the same calls wait `syncTimeoutMs`: see crossTab.holders.test.ts.)
 */
const NEVER = 3_600_000;

describe('with Web Locks: no fixed waits', () => {
  const mock = mockServer();
  const tabs: TokenManager[] = [];
  let channel = '';
  beforeAll(() => mock.start());
  afterAll(() => mock.stop());
  afterEach(() => {
    for (const tab of tabs.splice(0)) tab.destroy();
    vi.unstubAllGlobals();
  });

  function open(events: BatonEvent[] = []) {
    const tab = ciamManager(mock.server, {
      channel,
      lock: 'web-locks',
      syncTimeoutMs: NEVER,
      minRefreshIntervalMs: 0,
    });
    tab.onEvent((e) => events.push(e));
    tabs.push(tab);
    return tab;
  }

  const setUp = () => {
    channel = `no-waits-${randomUUID()}`;
    vi.stubGlobal('navigator', { locks: createLockManager() });
  };

  it('a lone tab is ready, refreshes and signs out without waiting for answers', async () => {
    setUp();
    const events: BatonEvent[] = [];
    const tab = open(events);
    await tab.ready;
    await signInWithPassword(tab, ALICE);
    const before = tab.getSnapshot().accessToken;
    const after = await tab.refresh();
    expect(after).not.toBe(before);
    expect(tab.getSnapshot().generation).toBe(2);
    await tab.signOut();
    expect(tab.getSnapshot().status).toBe('signed-out');
    expect(events.map((e) => e.type)).toContain('refresh-success');
  });

  it('a new tab is ready as soon as a live tab hands the session over', async () => {
    setUp();
    const first = open();
    await first.ready;
    await signInWithPassword(first, ALICE);
    await first.refresh();
    const events: BatonEvent[] = [];
    const second = open(events);
    await second.ready;
    expect(second.getSnapshot().generation).toBe(2);
    expect(events).toContainEqual({ type: 'tokens-adopted', generation: 2, from: 'tab' });
  });

  it('a new tab is ready at once when the live tabs hold no session', async () => {
    setUp();
    await open().ready;
    const second = open();
    await second.ready;
    expect(second.getSnapshot().status).toBe('signed-out');
  });

  it('the next holder adopts the previous holder’s generation instead of refreshing again', async () => {
    setUp();
    const a = open();
    const bEvents: BatonEvent[] = [];
    const b = open(bEvents);
    await Promise.all([a.ready, b.ready]);
    await signInWithPassword(a, ALICE);
    await until(() => b.getSnapshot().generation === 1, 5000, 'b has the session');
    const before = mock.server.stats().refreshes;
    // Both find the same token stale at once: one refresh, and b takes its result.
    const stale = a.getSnapshot().accessToken;
    const [fromA, fromB] = await Promise.all([
      a.refresh({ staleAccessToken: stale as string }),
      b.refresh({ staleAccessToken: stale as string }),
    ]);
    expect(fromB).toBe(fromA);
    expect(mock.server.stats().refreshes - before).toBe(1);
    expect(bEvents.some((e) => e.type === 'refresh-skipped' || e.type === 'refresh-success')).toBe(
      true,
    );
  });
});
