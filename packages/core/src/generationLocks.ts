/**
 * The browser's lock manager as a registry of generations: every tab holds a shared Web Lock
 * named for the generation it has (`<app>:gen:<n>`), and `newest()` reads the highest one held by
 * any live tab of the origin.
 *
 * Why: a lock grant is not a memory barrier. The tab that gets the refresh lock may not yet have
 * the previous holder's "new tokens" message, and a new tab cannot know whether anyone will answer
 * its question. Waiting a fixed time for answers that may never come cost every refresh 100 ms
 * and every lone new tab 200 ms. The lock manager, unlike the channel, is one arbiter for every
 * tab: a lock granted before another tab's `query()` is in that query's answer. So a refresher
 * that holds the lock of the generation it made before it releases the refresh lock is seen by
 * the next holder at once, and a tab whose generation is the newest held knows that nothing
 * newer is on its way.
 *
 * A tab going into the back/forward cache lets its lock go (a page that holds a Web Lock is not
 * cached) and takes it again when it comes back.
 */
export interface GenerationLocks {
  /** Holds `generation`'s lock (and lets the older one go); resolves once it is granted. */
  hold(generation: number): Promise<void>;
  /** The newest generation any live tab holds (this one included); 0 when none. */
  newest(): Promise<number>;
  close(): void;
}

export function createGenerationLocks(app: string, locks: LockManager): GenerationLocks {
  const prefix = `${app}:gen:`;
  let current: { generation: number; granted: Promise<void>; release(): void } | undefined;
  let closed = false;

  function hold(generation: number): Promise<void> {
    if (closed || generation === 0) return Promise.resolve();
    if (current?.generation === generation) return current.granted;
    const previous = current;
    let released = false;
    let done = () => {};
    const granted = new Promise<void>((resolve) => {
      locks
        .request(`${prefix}${generation}`, { mode: 'shared' }, () => {
          resolve();
          // Held until released: by a newer generation here, a sign-out, or the page going.
          return released ? undefined : new Promise<void>((end) => (done = end));
        })
        .catch(() => resolve()); // a lock manager that refuses (a closing page) holds nothing
    });
    current = {
      generation,
      granted,
      release() {
        released = true;
        done();
      },
    };
    // The new one first, then the old one: a query in between sees one of them, never none.
    void granted.then(() => previous?.release());
    return granted;
  }

  const onPageHide = (event: Event) => {
    if (!(event as PageTransitionEvent).persisted || !current) return;
    const { generation } = current;
    current.release();
    current = undefined;
    globalThis.addEventListener?.('pageshow', () => hold(generation), { once: true });
  };
  globalThis.addEventListener?.('pagehide', onPageHide);

  return {
    hold,
    async newest() {
      const { held = [], pending = [] } = await locks.query();
      let newest = 0;
      for (const { name } of [...held, ...pending]) {
        if (!name?.startsWith(prefix)) continue;
        const generation = Number(name.slice(prefix.length));
        if (Number.isSafeInteger(generation) && generation > newest) newest = generation;
      }
      return newest;
    },
    close() {
      closed = true;
      current?.release();
      current = undefined;
      globalThis.removeEventListener?.('pagehide', onPageHide);
    },
  };
}
