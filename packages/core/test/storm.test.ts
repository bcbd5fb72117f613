import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TokenManager } from '../src/index.js';
import { signInWithPassword } from '../src/password.js';
import { ALICE, ciamManager, mockServer, sleep, until } from './support.js';

const mock = mockServer({ accessTtl: 2 });
beforeAll(() => mock.start());
afterAll(() => mock.stop());

it('20 tabs facing a failing endpoint retry together, not 20 times over', async () => {
  const channel = `storm-${Math.random()}`;
  const tabs: TokenManager[] = Array.from({ length: 20 }, () =>
    ciamManager(mock.server, {
      channel,
      lock: 'broadcast',
      retry: { attempts: 3, baseDelayMs: 400, maxDelayMs: 800 },
      minRefreshIntervalMs: 0,
    }),
  );
  try {
    await Promise.all(tabs.map((t) => t.ready));
    await signInWithPassword(tabs[0]!, ALICE);
    await until(() => tabs.every((t) => t.getSnapshot().generation === 1), 2000, 'hand-out');
    const before = mock.server.stats().tokenRequests;
    mock.server.faults({ route: 'token', status: 503, count: 1000 });
    // Every tab wants a token as the old one runs out, and keeps asking.
    const deadline = Date.now() + 5000;
    for (let round = 0; Date.now() < deadline && round < 100; round++) {
      await Promise.all(tabs.map((t) => t.getAccessToken().catch(() => undefined)));
      await sleep(100);
    }
    const requests = mock.server.stats().tokenRequests - before;
    console.log(`storm: ${requests} token requests from 20 tabs in 5 s of 503s`);
    // One first attempt and three retries, shared; a few overlaps at each step at most.
    expect(requests).toBeGreaterThanOrEqual(2);
    expect(requests).toBeLessThanOrEqual(12);
    expect(tabs.every((t) => t.getSnapshot().status !== 'signed-out')).toBe(true);
    // The endpoint recovers: the session does too, everywhere, with one refresh.
    mock.server.reset();
    await signInWithPassword(tabs[0]!, ALICE);
    await until(() => tabs.every((t) => t.getSnapshot().status === 'valid'), 3000, 'recovery');
  } finally {
    for (const t of tabs) t.destroy();
  }
});
