import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, code, deferred, hears, onCleanup, round, tabs } from './lockTabs.js';
import { lateness, until } from './support.js';

/** The lock's holders between simulated tabs (see broadcastLock.test.ts). */

afterEach(closeAll);

describe('broadcastLock: holders that die, hang, time out, abort or close', () => {
  it('expires the lease of a holder that dies silently mid-task', async () => {
    const leaseMs = 600;
    const [a, b] = tabs(2, { claimWindowMs: 20, leaseMs });
    const late = lateness();
    const hang = deferred();
    let died = 0;
    // a claims first, and dies once b has heard its `held` (mid-task: no release, no renewal).
    const bHeardA = hears(b!, 'held', a!.channel.tabId, "a's held at b");
    const aHolds = a!.lock.run(
      async () => {
        await bHeardA;
        a!.die();
        died = performance.now();
        await hang.promise;
      },
      { timeoutMs: 5000 },
    );
    await bHeardA;
    let entered = 0;
    await b!.lock.run(
      async () => {
        entered = performance.now();
      },
      { timeoutMs: 5000 },
    );
    const takeOver = entered - died;
    console.log(
      `[broadcastLock] take-over after a silent holder death (lease ${leaseMs} ms): ${round(takeOver)} ms`,
    );
    // Not before its last renewal's lease ran out; soon after.
    expect(takeOver).toBeGreaterThanOrEqual(leaseMs - leaseMs / 3 - 5);
    expect(takeOver).toBeLessThan(leaseMs + 300 + late(3));
    hang.resolve();
    await aHolds;
  });

  it('lets the others proceed once a hung holder passes maxHoldMs, not before', async () => {
    const maxHoldMs = 500;
    const [a, b] = tabs(2, { claimWindowMs: 20, leaseMs: 300, maxHoldMs });
    const late = lateness();
    const hang = deferred();
    let aEntered = 0;
    const aHolds = a!.lock.run(
      async () => {
        aEntered = performance.now();
        await hang.promise;
      },
      { timeoutMs: 5000 },
    );
    await until(() => aEntered > 0, 2000, 'a holds');
    let bEntered = 0;
    await b!.lock.run(
      async () => {
        bEntered = performance.now();
      },
      { timeoutMs: 5000 },
    );
    // a still runs: it stopped defending on purpose. Until maxHoldMs it kept b out.
    expect(bEntered - aEntered).toBeGreaterThanOrEqual(maxHoldMs);
    expect(bEntered - aEntered).toBeLessThan(maxHoldMs + 300 + 300 + late(3));
    hang.resolve();
    await aHolds;
  });

  it('gives up with lock_timeout when the wait bound passes, also behind its own tab', async () => {
    const [a, b] = tabs(2, { claimWindowMs: 20 });
    const hang = deferred();
    let aEntered = false;
    const aHolds = a!.lock.run(
      async () => {
        aEntered = true;
        await hang.promise;
      },
      { timeoutMs: 5000 },
    );
    await until(() => aEntered, 2000, 'a holds');
    const late = lateness();
    const started = performance.now();
    expect(await code(b!.lock.run(async () => 'never', { timeoutMs: 300 }))).toBe('lock_timeout');
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(299);
    expect(waited).toBeLessThan(300 + 150 + late(2));
    // The same tab's second task waits behind its first, bounded all the same.
    const again = performance.now();
    expect(await code(a!.lock.run(async () => 'never', { timeoutMs: 200 }))).toBe('lock_timeout');
    expect(performance.now() - again).toBeLessThan(200 + 150 + late(2));
    hang.resolve();
    await aHolds;
    // And the lock still works afterwards.
    expect(await b!.lock.run(async () => 'done', { timeoutMs: 2000 })).toBe('done');
  });

  it('stops waiting at once when the signal aborts, and does not claim with an aborted one', async () => {
    const name = `lock-${randomUUID()}`;
    const [a, b] = tabs(2, { claimWindowMs: 20 }, name);
    const hang = deferred();
    let aEntered = false;
    const aHolds = a!.lock.run(
      async () => {
        aEntered = true;
        await hang.promise;
      },
      { timeoutMs: 5000 },
    );
    await until(() => aEntered, 2000, 'a holds');
    const fromB: string[] = []; // the type of each message b sends, in order
    const spy = new BroadcastChannel(name);
    onCleanup(() => spy.close());
    spy.onmessage = (event: MessageEvent) => {
      if (event.data?.from === b!.channel.tabId) fromB.push(event.data.type);
    };
    const claims = () => fromB.filter((type) => type === 'claim');

    // b knows a holds the lock, so its run() waits for the lease from the call on.
    await hears(b!, 'held', a!.channel.tabId);
    const controller = new AbortController();
    const waiting = code(
      b!.lock.run(async () => 'never', { timeoutMs: 5000, signal: controller.signal }),
    );
    const late = lateness();
    const aborted = performance.now();
    controller.abort();
    expect(await waiting).toBe('aborted');
    expect(performance.now() - aborted).toBeLessThan(30 + late(1));

    fromB.length = 0;
    let ran = false;
    const pre = b!.lock.run(
      async () => {
        ran = true;
      },
      { timeoutMs: 5000, signal: AbortSignal.abort() },
    );
    expect(await code(pre)).toBe('aborted');
    // A witness b sends after it: the channel keeps b's order, so a claim would be seen first.
    b!.channel.post({ type: 'query', generation: 0 });
    await until(() => fromB.includes('query'), 2000, "b's witness");
    expect(fromB).toEqual(['query']);

    // Aborted in its own claim window: no hold, and the holder's lock is intact.
    hang.resolve();
    await aHolds;
    const mid = new AbortController();
    const midClaim = code(
      b!.lock.run(async () => 'never', { timeoutMs: 5000, signal: mid.signal }),
    );
    await until(() => claims().length > 0, 2000, 'a claim');
    mid.abort();
    expect(await midClaim).toBe('aborted');
    expect(await a!.lock.run(async () => 'a again', { timeoutMs: 2000 })).toBe('a again');
    expect(ran).toBe(false);
  });

  it('rejects waiters when closed, and a holder that closes lets the others in at once', async () => {
    const [a, b, c] = tabs(3, { claimWindowMs: 20, leaseMs: 5000 });
    const hang = deferred();
    let aEntered = false;
    const aHolds = a!.lock.run(
      async () => {
        aEntered = true;
        await hang.promise;
      },
      { timeoutMs: 5000 },
    );
    await until(() => aEntered, 2000, 'a holds');
    // b and c know a holds the lock: each run() below waits for the lease from the call on.
    await Promise.all([hears(b!, 'held', a!.channel.tabId), hears(c!, 'held', a!.channel.tabId)]);
    const bWaits = code(b!.lock.run(async () => 'never', { timeoutMs: 5000 }));
    b!.lock.close();
    expect(await bWaits).toBe('aborted');
    const cAsked = performance.now();
    const cGets = c!.lock.run(async () => performance.now() - cAsked, { timeoutMs: 5000 });
    const late = lateness();
    const closed = performance.now();
    a!.lock.close(); // posts its release: far sooner than the 5 s lease
    await cGets;
    expect(performance.now() - closed).toBeLessThan(300 + late(3));
    hang.resolve();
    await aHolds;
  });
});
