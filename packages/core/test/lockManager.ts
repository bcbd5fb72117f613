/**
 * An in-memory `LockManager` (Web Locks) for Node, which has none: the spec's grant rules for one
 * origin (FIFO per name; shared locks together, an exclusive one alone; `ifAvailable`, `signal`)
 * and `query()`. A stand-in for the platform, as a fake clock is for timers; the real one is
 * exercised in Chromium by the end-to-end tests and the bench.
 */
export function createLockManager(): LockManager {
  interface Entry {
    readonly name: string;
    readonly mode: LockMode;
    readonly clientId: string;
    readonly grant: () => void;
  }
  const held: Entry[] = [];
  const pending: Entry[] = [];
  const conflicts = (entry: Entry, others: readonly Entry[]) =>
    others.some(
      (o) => o.name === entry.name && (o.mode === 'exclusive' || entry.mode === 'exclusive'),
    );

  function pump(): void {
    for (let i = 0; i < pending.length; i++) {
      const entry = pending[i] as Entry;
      if (conflicts(entry, held) || conflicts(entry, pending.slice(0, i))) continue;
      pending.splice(i--, 1);
      held.push(entry);
      entry.grant();
    }
  }

  const info = ({ name, mode, clientId }: Entry): LockInfo => ({ name, mode, clientId });

  return {
    async query() {
      return { held: held.map(info), pending: pending.map(info) };
    },
    request(
      name: string,
      optionsOrCallback: LockOptions | LockGrantedCallback<unknown>,
      maybeCallback?: LockGrantedCallback<unknown>,
    ): Promise<unknown> {
      const options = typeof optionsOrCallback === 'function' ? {} : optionsOrCallback;
      const callback = (
        typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback
      ) as (lock: Lock | null) => unknown;
      const mode = options.mode ?? 'exclusive';
      return new Promise((resolve, reject) => {
        const { signal } = options;
        if (signal?.aborted) return reject(signal.reason);
        const entry: Entry = {
          name,
          mode,
          clientId: 'node',
          grant() {
            signal?.removeEventListener('abort', onAbort);
            Promise.resolve()
              .then(() => callback({ name, mode }))
              .then(resolve, reject)
              .finally(() => {
                held.splice(held.indexOf(entry), 1);
                pump();
              });
          },
        };
        const onAbort = () => {
          const at = pending.indexOf(entry);
          if (at < 0) return;
          pending.splice(at, 1);
          reject(signal?.reason);
          pump();
        };
        signal?.addEventListener('abort', onAbort);
        if (options.ifAvailable && (conflicts(entry, held) || conflicts(entry, pending))) {
          Promise.resolve()
            .then(() => callback(null))
            .then(resolve, reject);
          return;
        }
        pending.push(entry);
        pump();
      });
    },
  } as LockManager;
}
