import { localLock } from './localLock.js';
import type { TabChannel } from './tabChannel.js';
import type { RefreshLock } from './types.js';
import { webLock } from './webLocks.js';

/** Makes the refresh lock for a manager, from its channel (if any) and the app's name. */
export type LockFactory = (context: {
  readonly channel: TabChannel | undefined;
  readonly name: string;
}) => RefreshLock;

/**
 * Which cross-tab lock guards the refresh. `auto` (default): Web Locks where they exist, else
 * the BroadcastChannel lock. `broadcast` always takes the BroadcastChannel lock. Its code
 * (`@baton/core/broadcast-lock`) is loaded only when it is used: browsers with Web Locks never
 * download it. A {@link LockFactory} brings a lock of your own.
 */
export type LockOption = 'auto' | 'web-locks' | 'broadcast' | LockFactory;

/**
 * A lock whose implementation arrives later (a lazily loaded chunk): calls wait for it. The load
 * starts at once, so that the lock hears the other tabs from the manager's first moments.
 */
function lazyLock(kind: RefreshLock['kind'], load: () => Promise<RefreshLock>): RefreshLock {
  let closed = false;
  let ready: RefreshLock | undefined;
  const loaded = load().then((lock) => {
    ready = lock;
    if (closed) lock.close();
    return lock;
  });
  // A chunk that fails to load rejects each run (reported as a failed refresh), not the page.
  loaded.catch(() => {});
  return {
    kind,
    run: (task, options) =>
      ready ? ready.run(task, options) : loaded.then((lock) => lock.run(task, options)),
    close() {
      closed = true;
      // At once when loaded: a page going away must say `release` before its channel closes.
      ready?.close();
    },
  };
}

/** Picks the lock for the `lock` option. */
export function createLock(
  option: LockOption,
  channel: TabChannel | undefined,
  name: string,
): RefreshLock {
  if (typeof option === 'function') return option({ channel, name });
  const locks = globalThis.navigator?.locks;
  if (option !== 'broadcast' && locks) return webLock(`${name}:refresh`, locks);
  if (!channel) return localLock();
  return lazyLock('broadcast', () =>
    import('./broadcastLock.js').then(({ broadcastLock }) => broadcastLock(channel)),
  );
}
