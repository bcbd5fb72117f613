/**
 * Where a session is kept between page loads. Memory (the default) keeps nothing: tokens live in
 * the tabs and a new tab gets them from a live one. With every tab closed, a memory session ends.
 */
export interface StorageAdapter {
  get(key: string): string | null | undefined;
  set(key: string, value: string): void;
  remove(key: string): void;
}

export type StorageOption = 'memory' | 'session' | 'local' | StorageAdapter;

/** Resolves the `storage` option; `undefined` means memory (nothing persisted). */
export function resolveStorage(option: StorageOption = 'memory'): StorageAdapter | undefined {
  if (typeof option === 'object') return option;
  if (option === 'memory') return undefined;
  const web = option === 'local' ? globalThis.localStorage : globalThis.sessionStorage;
  if (!web) return undefined;
  return {
    get: (key) => web.getItem(key),
    // Quota errors or a disabled storage must not break the session: memory still has it.
    set: (key, value) => {
      try {
        web.setItem(key, value);
      } catch {}
    },
    remove: (key) => web.removeItem(key),
  };
}
