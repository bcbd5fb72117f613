import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLAIM_ROUNDS, DEFAULT_CLAIM_WINDOW_MS } from '../src/broadcastLock.js';
import type { TokenManager } from '../src/index.js';
import { signInWithPassword } from '../src/password.js';
import { ALICE, ciamManager, mockServer, sleep, until } from './support.js';

const mock = mockServer({ accessTtl: 2 });
beforeAll(() => mock.start());
afterAll(() => mock.stop());

it('20 tabs facing a failing endpoint retry together, not 20 times over', async () => {
  const channel = `storm-${Math.random()}`;
  // Every refresh request of every tab: when it left, and when its answer came back.
  const sent: { start: number; end: number }[] = [];
  const recording: typeof fetch = async (input, init) => {
    const refresh = String(init?.body ?? '').includes('grant_type=refresh_token');
    const start = performance.now();
    const res = await fetch(input, init);
    if (refresh) sent.push({ start, end: performance.now() });
    return res;
  };
  const tabs: TokenManager[] = Array.from({ length: 20 }, () =>
    ciamManager(mock.server, {
      channel,
      lock: 'broadcast',
      fetch: recording,
      retry: { attempts: 3, baseDelayMs: 400, maxDelayMs: 800 },
      minRefreshIntervalMs: 0,
    }),
  );
  try {
    await Promise.all(tabs.map((t) => t.ready));
    // Armed before the session exists: its 1 s tokens are due for a refresh at once.
    mock.server.faults({ route: 'token', grant: 'refresh_token', status: 503, count: 1000 });
    await signInWithPassword(tabs[0]!, ALICE);
    await until(() => tabs.every((t) => t.getSnapshot().generation === 1), 2000, 'hand-out');
    const started = performance.now();
    // Every tab wants a token as the old one runs out, and keeps asking.
    for (let round = 0; performance.now() - started < 5000 && round < 100; round++) {
      await Promise.all(tabs.map((t) => t.getAccessToken().catch(() => undefined)));
      await sleep(100); // the callers' pace: the load, not a synchronisation
    }
    const elapsed = performance.now() - started;
    console.log(`storm: ${sent.length} token requests from 20 tabs in 5 s of 503s`);
    // One request at a time across the 20 tabs: each failure's backoff is shared, and the next
    // request waits for it, then wins the lock with a claim round (CLAIM_ROUNDS × W) of its own.
    const round = CLAIM_ROUNDS * DEFAULT_CLAIM_WINDOW_MS;
    for (let i = 1; i < sent.length; i++)
      expect(sent[i]!.start - sent[i - 1]!.end).toBeGreaterThanOrEqual(round - 5);
    // So at most one request per claim round, and a retry within the longest backoff (800 ms).
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent.length).toBeLessThanOrEqual(1 + Math.floor(elapsed / round));
    expect(tabs.every((t) => t.getSnapshot().status !== 'signed-out')).toBe(true);
    // The endpoint recovers: the session does too, everywhere, with one refresh.
    mock.server.reset();
    await signInWithPassword(tabs[0]!, ALICE);
    await until(() => tabs.every((t) => t.getSnapshot().status === 'valid'), 3000, 'recovery');
  } finally {
    for (const t of tabs) t.destroy();
  }
});
