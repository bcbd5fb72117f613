import { abortError } from './abort.js';
import { lockTimeoutError } from './errors.js';
import { MAX_COUNT, type TabChannel } from './tabChannel.js';
import type { LockLease, RefreshLock } from './types.js';
import { unref } from './util.js';

/** Thrown by `confirm()` when the hold was not exclusive: the task runs again. */
const LOST = new Error('lock held twice');

/** Defaults (ms) and the protocol's multiples of W (the bench reads them from here). */
export const DEFAULT_CLAIM_WINDOW_MS = 150;
export const DEFAULT_LEASE_MS = 3000;
export const DEFAULT_MAX_HOLD_MS = 20_000;
/** The widest the claim window grows on a slow channel. */
export const MAX_CLAIM_WINDOW_MS = 1000;
/** A claimant listens this many × W (a round trip) before it holds. */
export const CLAIM_ROUNDS = 2;
/** A tab that heard a claim keeps quiet this many × W (the claimant's window and its `held`). */
export const QUIET_ROUNDS = 3;

/** W in force: the configured window, or twice the slowest crossing seen lately, up to the cap. */
export const claimWindowInForce = (claimWindowMs: number, lagMs: number): number =>
  Math.max(claimWindowMs, Math.min(2 * lagMs, MAX_CLAIM_WINDOW_MS));

export interface BroadcastLockOptions {
  /**
   * The longest a message may take to cross the channel (default 150 ms). A claimant listens for
   * a round trip, twice this, before it holds the lock. When messages are seen crossing slower (a
   * busy machine), the window widens to twice the slowest crossing of the last 30 s, up to 1 s.
   */
  readonly claimWindowMs?: number;
  /** How long a holder's word ("held") keeps the others waiting without news from it. */
  readonly leaseMs?: number;
  /** A holder stops defending its lock after this long, so a hung task cannot keep it forever. */
  readonly maxHoldMs?: number;
}

/** A hold of the lock by this tab. */
interface Hold {
  readonly since: number;
  readonly ticket: number;
  /** Another tab said `held` during this hold. */
  lost: boolean;
  /** ...with a lower ticket (or none): it claims first in the next round. */
  yields?: boolean;
}

/**
 * A lease lock whose whole protocol runs over the tabs' BroadcastChannel. With W the bound on a
 * message's trip (`claimWindowMs`):
 *
 * - **claim**: a tab that wants the lock posts a Lamport ticket and listens for 2W, a round trip.
 *   It backs off if it hears a lower ticket (ties broken by tab id) or a holder's `held`;
 *   otherwise it holds the lock and says `held`. Two claimants that did not hear each other
 *   before claiming hear each other within their windows, and agree on the lower ticket.
 * - **quiet**: a tab that heard a claim does not claim for 3W (the claimant's window and its
 *   `held`), not even after a release: else it could claim over a winner it has not heard yet.
 * - **defend and renew**: the holder answers every claim with `held` (message handling is not
 *   throttled in hidden tabs, timers are) and repeats it every `leaseMs / 3`.
 * - **release**: on completion, and on `pagehide`. Only the holder's own release frees its lease;
 *   waiters then claim at once.
 * - **fence**: a holder that hears another tab's `held` was not alone (a message crossed later
 *   than W: a stalled renderer or browser process). The task awaits `lease.confirm()` before its
 *   point of no return, which rejects for a hold found lost: both holders then give the lock up
 *   and claim again, the lower ticket first. Two holds can both act only if each confirms
 *   before the other's `held` arrives, so the task's work before it (the refresher's catch-up)
 *   is how late a message may be, on top of what the claims tolerate.
 * - **expiry**: a holder that died, hung past `maxHoldMs` or was frozen answers nothing, so the
 *   next claim after its lease meets silence and wins. A late result of the old holder cannot
 *   win: the manager only ever accepts a strictly newer generation.
 *
 * Mutual exclusion holds while every message crosses the channel within W (milliseconds between
 * tabs of one browser; a tab's main thread busy for longer delays its messages that much). Every
 * message carries its send time, so W follows the lag the tabs actually see (see `claimWindowMs`).
 * Web Locks, arbitrated by the browser, need no such bound: `'auto'` prefers them.
 */
export function broadcastLock(
  channel: TabChannel,
  options: BroadcastLockOptions = {},
): RefreshLock {
  const {
    claimWindowMs: w = DEFAULT_CLAIM_WINDOW_MS,
    leaseMs = DEFAULT_LEASE_MS,
    maxHoldMs = DEFAULT_MAX_HOLD_MS,
  } = options;
  const { tabId } = channel;
  /** The slowest crossing seen lately, and until when it counts: W follows the channel's lag. */
  let lag = 0;
  let lagUntil = 0;
  const win = () => claimWindowInForce(w, lag);
  let clock = 0;
  /** The holder last heard from, and until when its word keeps this tab out (local ms). */
  let holder: string | undefined;
  let leaseUntil = 0;
  /** A claim heard lately may yet win: no claim of ours before this. */
  let quietUntil = 0;
  /** My ticket while I listen for competitors. */
  let ticket: number | undefined;
  let beaten = false;
  /** This tab's hold (an object, so a stale release cannot end a newer hold). */
  let hold: Hold | undefined;
  let closed = false;
  /** Another tab claimed while this one held the lock. */
  let contended = false;
  let renewTimer: ReturnType<typeof setInterval> | undefined;
  const wakers = new Set<() => void>();

  const sayHeld = () => {
    if (hold && Date.now() - hold.since < maxHoldMs)
      channel.post({ type: 'held', leaseMs, clock: hold.ticket });
  };
  const wakeAll = () => {
    for (const wake of [...wakers]) wake();
  };

  const unsubscribe = channel.subscribe((message) => {
    const now = Date.now();
    const crossed = now - (message.at ?? now);
    if (crossed > lag || now > lagUntil) {
      lag = crossed;
      lagUntil = now + 30_000;
    }
    if (message.type === 'claim') {
      // Capped, so a junk ticket cannot push ours past what the other tabs accept.
      clock = Math.max(clock, Math.min(message.clock, MAX_COUNT / 2));
      // Even a holder keeps quiet: past maxHoldMs the claimant may win, and then it must not
      // claim over it when it releases.
      quietUntil = Math.max(quietUntil, now + QUIET_ROUNDS * win());
      if (hold) {
        contended = true;
        return sayHeld();
      }
      if (
        ticket !== undefined &&
        (message.clock < ticket || (message.clock === ticket && message.from < tabId))
      )
        beaten = true;
    } else if (message.type === 'held') {
      if (ticket !== undefined) beaten = true;
      if (hold) {
        hold.lost = true;
        const { clock: theirs = -1 } = message;
        if (theirs < hold.ticket || (theirs === hold.ticket && message.from < tabId))
          hold.yields = true;
      }
      holder = message.from;
      leaseUntil = now + Math.min(message.leaseMs, leaseMs);
    } else if (message.type === 'release' && message.from === holder) {
      leaseUntil = 0;
      wakeAll();
    }
  });

  /** Waits `ms`, or less when woken (a release, or this tab's own claim or hold ending). */
  const wait = (ms: number, signal: AbortSignal | undefined, wakeable: boolean) =>
    new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        reject(abortError()); // first: done() resolves, and a settled promise stays settled
        done();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      if (wakeable) wakers.add(done);
      signal?.addEventListener('abort', onAbort);
    });

  /** `first`: the ticket of an earlier round of this wait, so the oldest waiter wins the next. */
  async function acquire(deadline: number, signal: AbortSignal | undefined, first?: number) {
    for (;;) {
      if (closed || signal?.aborted) throw abortError();
      const now = Date.now();
      if (now >= deadline) throw lockTimeoutError();
      // Busy while another task of this tab holds or claims, or another tab holds or may win.
      const busy = hold || ticket !== undefined ? deadline : Math.max(leaseUntil, quietUntil);
      if (busy > now) {
        await wait(Math.min(busy, deadline) - now, signal, true);
        continue;
      }
      first ??= ++clock;
      ticket = first;
      beaten = false;
      channel.post({ type: 'claim', clock: ticket });
      try {
        await wait(CLAIM_ROUNDS * win(), signal, false);
        // A stalled thread finds the window's timer and a competitor's message due together,
        // and may run the timer first: let the messages already there in before deciding.
        await wait(0, signal, false);
      } finally {
        ticket = undefined;
        wakeAll();
      }
      if (!beaten && !closed) {
        const mine: Hold = { since: Date.now(), ticket: first, lost: false };
        hold = mine;
        sayHeld();
        renewTimer = unref(setInterval(sayHeld, leaseMs / 3));
        return mine;
      }
    }
  }

  function release(mine = hold): void {
    if (!mine || mine !== hold) return;
    hold = undefined;
    clearInterval(renewTimer);
    // Waiters go first: a releasing tab that claimed again at once would win every round.
    if (contended) quietUntil = Date.now() + QUIET_ROUNDS * win();
    // Both holders of a lost round give up. Messages that slow could make them tie again, so the
    // higher ticket keeps out for a lease: the other claims alone (rare, so the wait is cheap).
    if (mine.yields) quietUntil = Math.max(quietUntil, Date.now() + leaseMs);
    contended = false;
    channel.post({ type: 'release' });
    wakeAll();
  }

  const onPageHide = () => release();
  globalThis.addEventListener?.('pagehide', onPageHide);

  return {
    kind: 'broadcast',
    async run(task, { timeoutMs, signal }) {
      // The deadline counts from the call, and bounds the wait behind this tab's own tasks too.
      const deadline = Date.now() + timeoutMs;
      let first: number | undefined; // after a lost round, the same ticket: this wait's age
      for (;;) {
        const mine = await acquire(deadline, signal, first);
        first = mine.ticket;
        const lease: LockLease = {
          async confirm() {
            await wait(0, undefined, false); // the messages already there first
            if (mine.lost) throw LOST;
          },
        };
        try {
          return await task(lease);
        } catch (error) {
          if (error !== LOST) throw error;
        } finally {
          release(mine);
        }
      }
    },
    close() {
      closed = true;
      release();
      unsubscribe();
      globalThis.removeEventListener?.('pagehide', onPageHide);
      wakeAll();
    },
  };
}
