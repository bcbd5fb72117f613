import { abortError, bounded, withSignal } from './abort.js';
import { broadcastLock } from './broadcastLock.js';
import { BatonError } from './errors.js';
import type { TabChannel } from './tabChannel.js';

/** Which cross-tab lock guards the refresh. `auto`: Web Locks where they exist, else BroadcastChannel. */
export type LockOption = 'auto' | 'broadcast' | 'web-locks';

export interface RunOptions {
  /** Give up waiting for the lock after this long (`lock_timeout`). Every wait is bounded. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/** One small interface, two real implementations (plus a one-tab fallback). */
export interface RefreshLock {
  readonly kind: 'web-locks' | 'broadcast' | 'local';
  /** Runs `task` while holding the lock; the lock is released when it settles. */
  run<T>(task: () => Promise<T>, options: RunOptions): Promise<T>;
  close(): void;
}

export const lockTimeoutError = (): BatonError =>
  new BatonError('lock_timeout', 'Timed out waiting for the refresh lock');

/**
 * The Web Locks API (`navigator.locks`): released by the browser when the task settles or the tab
 * dies. It is not released when the task hangs, so the task itself is bounded by the request
 * timeout, and the wait by `timeoutMs`.
 */
export function webLock(name: string, locks: LockManager): RefreshLock {
  return {
    kind: 'web-locks',
    async run(task, { timeoutMs, signal }) {
      const wait = bounded(timeoutMs, signal);
      let acquired = false;
      try {
        return await locks.request(name, { signal: wait.signal }, () => {
          acquired = true;
          wait.done(); // once granted, the lock is not given back on abort
          return task();
        });
      } catch (error) {
        if (acquired) throw error;
        throw signal?.aborted ? abortError() : lockTimeoutError();
      } finally {
        wait.done();
      }
    },
    close() {},
  };
}

/** A mutex for one tab alone (no BroadcastChannel): tasks run one after another. */
export function localLock(): RefreshLock {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    kind: 'local',
    run(task, { timeoutMs, signal }) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(lockTimeoutError()), timeoutMs);
      });
      const work = Promise.race([tail, timeout]).then(() => {
        clearTimeout(timer);
        // A caller that left while waiting gives up its turn: its task never runs.
        if (signal?.aborted) throw abortError();
        return task();
      });
      // The next turn waits for this task itself, not for its caller, who may have left.
      tail = work.catch(() => {});
      return withSignal(work, signal);
    },
    close() {},
  };
}

/** Picks the lock for the `lock` option. */
export function createLock(
  option: LockOption,
  channel: TabChannel | undefined,
  name: string,
): RefreshLock {
  const locks = globalThis.navigator?.locks;
  if (option !== 'broadcast' && locks) return webLock(`${name}:refresh`, locks);
  return channel ? broadcastLock(channel) : localLock();
}
