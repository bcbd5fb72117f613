import { randomUUID } from 'node:crypto';
import { type BroadcastLockOptions, broadcastLock } from '../src/broadcastLock.js';
import { isBatonError } from '../src/errors.js';
import { createTabChannel, type ReceivedMessage, type TabChannel } from '../src/tabChannel.js';
import type { RefreshLock } from '../src/types.js';
import { heard, sleep, until } from './support.js';

/** The lock alone, between simulated tabs: real BroadcastChannels of one name in one process. */

export interface Tab {
  readonly channel: TabChannel;
  readonly lock: RefreshLock;
  readonly rejected: string[];
  /** The messages its channel delivered, each after its lock handled it. */
  readonly heard: ReceivedMessage[];
  /** Closes the channel under the lock, as a tab that dies does: no release, no renewal. */
  die(): void;
}

const cleanup: (() => void)[] = [];
/** Runs `close` after the test. */
export const onCleanup = (close: () => void) => void cleanup.push(close);

/** Closes what the last test opened (each test file's afterEach). */
export function closeAll(): void {
  for (const close of cleanup.splice(0).reverse()) close();
}

export function tabs(
  count: number,
  options: BroadcastLockOptions = {},
  name = `lock-${randomUUID()}`,
) {
  return Array.from({ length: count }, (): Tab => {
    const rejected: string[] = [];
    const channel = createTabChannel(name, (reason) => rejected.push(reason));
    if (!channel) throw new Error('no BroadcastChannel in this runtime');
    const lock = broadcastLock(channel, options);
    cleanup.push(() => {
      lock.close();
      channel.close();
    });
    return { channel, lock, rejected, heard: heard(channel), die: () => channel.close() };
  });
}

/** Resolves once `tab`'s lock has handled a message of `type` from `from` (a tab id or a name). */
export const hears = (tab: Tab, type: ReceivedMessage['type'], from: string, what = `${type}`) =>
  until(() => tab.heard.some((m) => m.type === type && m.from === from), 2000, what);

/** A promise the test settles itself (a task that hangs until then). */
export function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  cleanup.push(resolve);
  return { promise, resolve };
}

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
export const round = (n: number) => Math.round(n);

export const code = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return isBatonError(error) ? error.code : String(error);
  }
};

/** Runs `jobs` (tab index, start delay, task length) and records when each task held the lock. */
export async function contend(
  group: readonly Tab[],
  jobs: readonly { tab: number; delay: number; ms: number }[],
  timeoutMs = 30_000,
) {
  let inside = 0;
  let most = 0;
  const spans: { tab: number; asked: number; enter: number; exit: number }[] = [];
  await Promise.all(
    jobs.map(async ({ tab, delay, ms }) => {
      await sleep(delay); // the job's start time: the load's shape, not a synchronisation
      const asked = performance.now();
      const lock = group[tab]?.lock;
      if (!lock) throw new Error(`no tab ${tab}`);
      await lock.run(
        async () => {
          inside++;
          most = Math.max(most, inside);
          const enter = performance.now();
          await sleep(ms); // the task's length: work under the lock
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
