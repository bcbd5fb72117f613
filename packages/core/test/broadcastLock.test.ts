import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type BroadcastLockOptions, broadcastLock } from '../src/broadcastLock.js';
import { isBatonError } from '../src/errors.js';
import {
  createTabChannel,
  MAX_COUNT,
  PROTOCOL_VERSION,
  type TabChannel,
} from '../src/tabChannel.js';
import type { RefreshLock } from '../src/types.js';
import { sleep, until } from './support.js';

/** The lock alone, between simulated tabs: real BroadcastChannels of one name in one process. */

interface Tab {
  readonly channel: TabChannel;
  readonly lock: RefreshLock;
  readonly rejected: string[];
  /** Closes the channel under the lock, as a tab that dies does: no release, no renewal. */
  die(): void;
}

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const close of cleanup.splice(0).reverse()) close();
});

function tabs(count: number, options: BroadcastLockOptions = {}, name = `lock-${randomUUID()}`) {
  return Array.from({ length: count }, (): Tab => {
    const rejected: string[] = [];
    const channel = createTabChannel(name, (reason) => rejected.push(reason));
    if (!channel) throw new Error('no BroadcastChannel in this runtime');
    const lock = broadcastLock(channel, options);
    cleanup.push(() => {
      lock.close();
      channel.close();
    });
    return { channel, lock, rejected, die: () => channel.close() };
  });
}

/** A promise the test settles itself (a task that hangs until then). */
function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  cleanup.push(resolve);
  return { promise, resolve };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const round = (n: number) => Math.round(n);

const code = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return isBatonError(error) ? error.code : String(error);
  }
};

/** Runs `jobs` (tab index, start delay, task length) and records when each task held the lock. */
async function contend(
  group: readonly Tab[],
  jobs: readonly { tab: number; delay: number; ms: number }[],
  timeoutMs = 30_000,
) {
  let inside = 0;
  let most = 0;
  const spans: { tab: number; asked: number; enter: number; exit: number }[] = [];
  await Promise.all(
    jobs.map(async ({ tab, delay, ms }) => {
      await sleep(delay);
      const asked = performance.now();
      const lock = group[tab]?.lock;
      if (!lock) throw new Error(`no tab ${tab}`);
      await lock.run(
        async () => {
          inside++;
          most = Math.max(most, inside);
          const enter = performance.now();
          await sleep(ms);
          inside--;
          spans.push({ tab, asked, enter, exit: performance.now() });
        },
        { timeoutMs },
      );
    }),
  );
  spans.sort((a, b) => a.enter - b.enter);
  return { most, spans };
}

describe('broadcastLock over real BroadcastChannels', () => {
  it.each([
    [2, 6],
    [5, 3],
    [20, 1],
  ])('keeps %i contending tabs mutually exclusive (%i tasks each)', async (count, each) => {
    const group = tabs(count, { claimWindowMs: 10 });
    const jobs = Array.from({ length: count * each }, (_, i) => ({
      tab: i % count,
      delay: Math.floor(Math.random() * 60),
      ms: Math.floor(Math.random() * 8),
    }));
    const { most, spans } = await contend(group, jobs);
    expect(spans).toHaveLength(jobs.length);
    expect(most).toBe(1);
    for (let i = 1; i < spans.length; i++) {
      const [prev, next] = [spans[i - 1], spans[i]];
      expect(next!.enter).toBeGreaterThanOrEqual(prev!.exit);
    }
    for (const tab of group) expect(tab.rejected).toEqual([]);
  });

  it('acquires quickly uncontended, and release wakes waiters without waiting for the lease', async () => {
    const W = 150; // the default claim window
    const [solo] = tabs(1);
    const alone: number[] = [];
    for (let i = 0; i < 5; i++) {
      const asked = performance.now();
      await solo!.lock.run(async () => alone.push(performance.now() - asked), { timeoutMs: 5000 });
    }
    // A claimant listens for a round trip (2W), and no longer.
    expect(Math.min(...alone)).toBeGreaterThanOrEqual(2 * W - 2);
    expect(median(alone)).toBeLessThan(2 * W + 40);

    const figures: string[] = [`uncontended: median ${round(median(alone))} ms`];
    for (const count of [5, 20]) {
      const group = tabs(count);
      const { spans } = await contend(
        group,
        group.map((_, tab) => ({ tab, delay: 0, ms: 5 })),
      );
      expect(spans).toHaveLength(count);
      const waits = spans.map((s) => s.enter - s.asked);
      const gaps = spans.slice(1).map((s, i) => s.enter - spans[i]!.exit);
      // A release hands over within a quiet period and a claim window (5W), not a lease (3 s).
      expect(Math.max(...gaps)).toBeLessThan(5 * W + 100);
      figures.push(
        `${count} contenders: wait median ${round(median(waits))} ms, max ${round(Math.max(...waits))} ms; hand-over median ${round(median(gaps))} ms, max ${round(Math.max(...gaps))} ms`,
      );
    }
    console.log(`[broadcastLock] acquire latency (claimWindowMs ${W}): ${figures.join('; ')}`);
  });

  it('expires the lease of a holder that dies silently mid-task', async () => {
    const leaseMs = 600;
    const [a, b] = tabs(2, { claimWindowMs: 20, leaseMs });
    const hang = deferred();
    let died = 0;
    const aHolds = a!.lock.run(
      async () => {
        await sleep(150);
        a!.die();
        died = performance.now();
        await hang.promise;
      },
      { timeoutMs: 5000 },
    );
    await sleep(40); // a claims first
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
    expect(takeOver).toBeLessThan(leaseMs + 300);
    hang.resolve();
    await aHolds;
  });

  it('lets the others proceed once a hung holder passes maxHoldMs, not before', async () => {
    const maxHoldMs = 500;
    const [a, b] = tabs(2, { claimWindowMs: 20, leaseMs: 300, maxHoldMs });
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
    expect(bEntered - aEntered).toBeLessThan(maxHoldMs + 300 + 300);
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
    const started = performance.now();
    expect(await code(b!.lock.run(async () => 'never', { timeoutMs: 300 }))).toBe('lock_timeout');
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(299);
    expect(waited).toBeLessThan(300 + 150);
    // The same tab's second task waits behind its first, bounded all the same.
    const again = performance.now();
    expect(await code(a!.lock.run(async () => 'never', { timeoutMs: 200 }))).toBe('lock_timeout');
    expect(performance.now() - again).toBeLessThan(200 + 150);
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
    const claims: string[] = [];
    const spy = new BroadcastChannel(name);
    cleanup.push(() => spy.close());
    spy.onmessage = (event: MessageEvent) => {
      if (event.data?.type === 'claim') claims.push(event.data.from);
    };

    const controller = new AbortController();
    const waiting = code(
      b!.lock.run(async () => 'never', { timeoutMs: 5000, signal: controller.signal }),
    );
    await sleep(100);
    const aborted = performance.now();
    controller.abort();
    expect(await waiting).toBe('aborted');
    expect(performance.now() - aborted).toBeLessThan(30);

    claims.length = 0;
    let ran = false;
    const pre = b!.lock.run(
      async () => {
        ran = true;
      },
      { timeoutMs: 5000, signal: AbortSignal.abort() },
    );
    expect(await code(pre)).toBe('aborted');
    await sleep(30);
    expect(ran).toBe(false);
    expect(claims).toEqual([]);

    // Aborted in its own claim window: no hold, and the holder's lock is intact.
    hang.resolve();
    await aHolds;
    const mid = new AbortController();
    const midClaim = code(
      b!.lock.run(async () => 'never', { timeoutMs: 5000, signal: mid.signal }),
    );
    await until(() => claims.length > 0, 2000, 'a claim');
    mid.abort();
    expect(await midClaim).toBe('aborted');
    expect(await a!.lock.run(async () => 'a again', { timeoutMs: 2000 })).toBe('a again');
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
    const bWaits = code(b!.lock.run(async () => 'never', { timeoutMs: 5000 }));
    await sleep(50);
    b!.lock.close();
    expect(await bWaits).toBe('aborted');
    const cAsked = performance.now();
    const cGets = c!.lock.run(async () => performance.now() - cAsked, { timeoutMs: 5000 });
    await sleep(100);
    const closed = performance.now();
    a!.lock.close(); // posts its release: far sooner than the 5 s lease
    await cGets;
    expect(performance.now() - closed).toBeLessThan(300);
    hang.resolve();
    await aHolds;
  });

  it('widens its claim window to the lag it sees on the channel, up to 1 s', async () => {
    const name = `lock-${randomUUID()}`;
    const [a] = tabs(1, { claimWindowMs: 20 }, name);
    const other = new BroadcastChannel(name);
    cleanup.push(() => other.close());
    const timed = async () => {
      const asked = performance.now();
      await a!.lock.run(async () => {}, { timeoutMs: 10_000 });
      return performance.now() - asked;
    };
    expect(await timed()).toBeLessThan(2 * 20 + 150);
    // A message that took 300 ms to cross (a busy machine): the window becomes 2 × 2 × 300 ms.
    const post = (at: number) =>
      other.postMessage({ v: PROTOCOL_VERSION, app: name, from: 'b', at, type: 'release' });
    post(Date.now() - 300);
    await sleep(20);
    const slow = await timed();
    expect(slow).toBeGreaterThanOrEqual(1200 - 5);
    expect(slow).toBeLessThan(1200 + 400);
    // A send time from long ago (junk, or a clock jump) widens it to the cap only.
    post(0);
    await sleep(20);
    const capped = await timed();
    expect(capped).toBeGreaterThanOrEqual(2000 - 5);
    expect(capped).toBeLessThan(2000 + 400);
    expect(a!.rejected).toEqual([]);
  });

  it('survives junk on the channel: a huge ticket and a huge lease', async () => {
    const name = `lock-${randomUUID()}`;
    const [a, b] = tabs(2, { claimWindowMs: 20, leaseMs: 400 }, name);
    const junk = new BroadcastChannel(name);
    cleanup.push(() => junk.close());
    const post = (message: object) =>
      junk.postMessage({ v: PROTOCOL_VERSION, app: name, from: 'junk', ...message });
    // A ticket past the protocol's range is junk; one at its top is taken, and the tabs' next
    // tickets must still be ones the others accept.
    post({ type: 'claim', clock: Number.MAX_SAFE_INTEGER });
    post({ type: 'claim', clock: MAX_COUNT });
    await until(() => a!.rejected.length === 1 && b!.rejected.length === 1, 1000, 'rejection');
    expect([...a!.rejected, ...b!.rejected]).toEqual(['bad claim message', 'bad claim message']);
    a!.rejected.length = 0;
    b!.rejected.length = 0;
    await sleep(100);
    const { most, spans } = await contend(
      [a!, b!],
      Array.from({ length: 6 }, (_, i) => ({ tab: i % 2, delay: i * 3, ms: 5 })),
    );
    expect(most).toBe(1);
    expect(spans).toHaveLength(6);
    expect([...a!.rejected, ...b!.rejected]).toEqual([]);

    // A "held" with an absurd lease from no real holder keeps the others out one lease at most.
    post({ type: 'held', leaseMs: Number.MAX_SAFE_INTEGER });
    await sleep(50);
    const asked = performance.now();
    await a!.lock.run(async () => {}, { timeoutMs: 5000 });
    expect(performance.now() - asked).toBeLessThan(400 + 200);
  });
});
