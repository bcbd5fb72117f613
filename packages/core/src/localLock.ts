import { abortError, withSignal } from './abort.js';
import { lockTimeoutError } from './errors.js';
import type { RefreshLock } from './types.js';
import { EXCLUSIVE } from './util.js';

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
        return task(EXCLUSIVE);
      });
      // The next turn waits for this task itself, not for its caller, who may have left.
      tail = work.catch(() => {});
      return withSignal(work, signal);
    },
    close() {},
  };
}
