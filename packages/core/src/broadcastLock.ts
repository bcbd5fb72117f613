import { abortError } from './abort.js';
import { lockTimeoutError, type RefreshLock } from './lock.js';
import type { TabChannel } from './tabChannel.js';

export interface BroadcastLockOptions {
  /** How long a claimant listens for a competing claim or a holder before it holds the lock. */
  readonly claimWindowMs?: number;
  /** How long a holder's word ("held") keeps the others waiting without news from it. */
  readonly leaseMs?: number;
  /** A holder stops defending its lock after this long, so a hung task cannot keep it forever. */
  readonly maxHoldMs?: number;
}

/**
 * A lease lock whose whole protocol runs over the tabs' BroadcastChannel.
 *
 * - **claim**: a tab that wants the lock posts a Lamport ticket and listens for `claimWindowMs`.
 *   It backs off if it hears a lower ticket (ties broken by tab id) or a holder's `held`;
 *   otherwise it holds the lock and says `held`.
 * - **defend and renew**: the holder answers every claim with `held` (message handling is not
 *   throttled in hidden tabs, timers are) and repeats it every `leaseMs / 3`.
 * - **release**: on completion, and on `pagehide`. Waiters claim again at once.
 * - **expiry**: a holder that died, hung past `maxHoldMs` or was frozen answers nothing, so the
 *   next claim after its lease meets silence and wins. A late result of the old holder cannot
 *   win: the manager only ever accepts a strictly newer generation.
 *
 * Mutual exclusion holds while a message crosses the channel faster than `claimWindowMs`
 * (milliseconds between tabs of one browser; the window is 50 ms by default).
 */
export function broadcastLock(
  channel: TabChannel,
  options: BroadcastLockOptions = {},
): RefreshLock {
  const { claimWindowMs = 50, leaseMs = 3000, maxHoldMs = 20_000 } = options;
  const { tabId } = channel;
  let clock = 0;
  /** Another tab holds or may win the lock until then (local ms). */
  let busyUntil = 0;
  /** My ticket while I listen for competitors. */
  let ticket: number | undefined;
  let beaten = false;
  let heldSince: number | undefined;
  let renewTimer: ReturnType<typeof setInterval> | undefined;
  let tail: Promise<unknown> = Promise.resolve();
  const wakers = new Set<() => void>();

  const defending = () => heldSince !== undefined && Date.now() - heldSince < maxHoldMs;
  const sayHeld = () => {
    if (defending()) channel.post({ type: 'held', leaseMs });
  };
  const wakeAll = () => {
    for (const wake of wakers) wake();
  };

  const unsubscribe = channel.subscribe((message) => {
    if (message.type === 'claim') {
      clock = Math.max(clock, message.clock);
      if (heldSince !== undefined) return sayHeld();
      if (
        ticket !== undefined &&
        (message.clock < ticket || (message.clock === ticket && message.from < tabId))
      )
        beaten = true;
      // The claimant may win: wait for its word rather than claim over it.
      busyUntil = Math.max(busyUntil, Date.now() + 2 * claimWindowMs);
    } else if (message.type === 'held') {
      if (ticket !== undefined) beaten = true;
      busyUntil = Date.now() + message.leaseMs;
    } else if (message.type === 'release') {
      busyUntil = 0;
      wakeAll();
    }
  });

  /** Waits `ms`, or less when a release arrives; rejects on abort. */
  const wait = (ms: number, signal: AbortSignal | undefined, wakeable: boolean) =>
    new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        done();
        reject(abortError());
      };
      const timer = setTimeout(done, Math.max(0, ms));
      if (wakeable) wakers.add(done);
      signal?.addEventListener('abort', onAbort);
    });

  async function acquire(deadline: number, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw abortError();
      const now = Date.now();
      if (now >= deadline) throw lockTimeoutError();
      if (busyUntil > now) {
        await wait(Math.min(busyUntil, deadline) - now, signal, true);
        continue;
      }
      ticket = ++clock;
      beaten = false;
      channel.post({ type: 'claim', clock: ticket });
      try {
        await wait(claimWindowMs, signal, false);
      } finally {
        ticket = undefined;
      }
      if (!beaten) {
        heldSince = Date.now();
        sayHeld();
        renewTimer = setInterval(sayHeld, leaseMs / 3);
        return;
      }
    }
  }

  function release(): void {
    if (heldSince === undefined) return;
    heldSince = undefined;
    clearInterval(renewTimer);
    channel.post({ type: 'release' });
  }

  const onPageHide = () => release();
  globalThis.addEventListener?.('pagehide', onPageHide);

  return {
    kind: 'broadcast',
    run(task, { timeoutMs, signal }) {
      // One acquisition at a time in this tab; the deadline counts from the call.
      const deadline = Date.now() + timeoutMs;
      const result = tail.then(async () => {
        await acquire(deadline, signal);
        try {
          return await task();
        } finally {
          release();
        }
      });
      tail = result.catch(() => {});
      return result;
    },
    close() {
      release();
      unsubscribe();
      globalThis.removeEventListener?.('pagehide', onPageHide);
      wakeAll();
    },
  };
}
