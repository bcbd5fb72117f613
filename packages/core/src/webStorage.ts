import type { SessionStoreFactory, TokenSet } from './types.js';

/**
 * The `Storage` methods Baton uses: `localStorage` and `sessionStorage` have them, and so can an
 * adapter of your own (e.g. over a native app's secure storage).
 */
export interface StorageAdapter {
  /** The stored value, or `null` / `undefined` when there is none. */
  get(key: string): string | null | undefined;
  /** Stores the value (a JSON string) under the key. */
  set(key: string, value: string): void;
  /** Deletes the key. */
  remove(key: string): void;
}

export interface WebStorageOptions {
  /**
   * Write the refresh token too (default false: it stays in the tabs' memory, and a reload
   * with every tab closed needs a new sign-in). Whatever script runs on the page can read
   * web storage: an XSS would get a long-lived credential.
   */
  readonly persistRefreshToken?: boolean;
}

const adapt = (web: Storage): StorageAdapter => ({
  get: (key) => web.getItem(key),
  // Quota errors or a disabled storage must not break the session: memory still has it.
  set: (key, value) => {
    try {
      web.setItem(key, value);
    } catch {}
  },
  remove: (key) => web.removeItem(key),
});

/**
 * Keeps the session across reloads in `localStorage` (`'local'`: every tab, until sign-out),
 * `sessionStorage` (`'session'`: this tab and its reloads) or an adapter, as JSON under
 * `baton:<app name>`. Where the storage does not exist (a worker, some privacy modes) nothing is
 * kept: the session lives in memory, as by default.
 *
 * ```ts
 * createTokenManager({ dialect, storage: webStorage('local') })
 * ```
 */
export function webStorage(
  where: 'local' | 'session' | StorageAdapter,
  { persistRefreshToken = false }: WebStorageOptions = {},
): SessionStoreFactory {
  return (name) => {
    const key = `baton:${name}`;
    const web =
      where === 'local'
        ? globalThis.localStorage
        : where === 'session'
          ? globalThis.sessionStorage
          : undefined;
    const storage = typeof where === 'object' ? where : web && adapt(web);
    return {
      key,
      load() {
        const raw = storage?.get(key);
        if (raw == null) return undefined;
        try {
          return JSON.parse(raw) as unknown;
        } catch {
          return raw; // not a session: the manager clears it and says so
        }
      },
      save(tokens: TokenSet) {
        const { refreshToken, ...rest } = tokens;
        storage?.set(key, JSON.stringify(persistRefreshToken ? tokens : rest));
      },
      clear: () => storage?.remove(key),
    };
  };
}
