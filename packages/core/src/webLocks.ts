import { abortError, bounded } from './abort.js';
import { lockTimeoutError } from './errors.js';
import type { RefreshLock } from './types.js';
import { EXCLUSIVE } from './util.js';

/**
 * The Web Locks API (`navigator.locks`): one arbiter for every tab of the origin, which releases
 * the lock when the task settles or the tab dies. It does not release it when the task hangs, so
 * the task itself is bounded by the request timeout, and the wait by `timeoutMs`.
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
          return task(EXCLUSIVE);
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
