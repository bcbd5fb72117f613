import type { BatonError } from './errors.js';

/** Why a refresh was started. */
export type RefreshReason = 'timer' | 'demand' | 'unauthorized' | 'manual' | 'retry';

/** Why a session ended in this tab. */
export type SignOutReason = 'user' | 'remote' | 'terminal';

/** What woke a tab up (it asks the other tabs for the newest session then). */
export type WakeSource = 'visible' | 'online' | 'pageshow' | 'focus' | 'late-timer';

/**
 * What the manager reports, for logging and devtools. Events never carry a token value.
 */
export type BatonEvent =
  | { readonly type: 'refresh-start'; readonly reason: RefreshReason; readonly generation: number }
  | { readonly type: 'lock-acquired'; readonly waitedMs: number }
  /**
   * The hold just acquired was not exclusive (a BroadcastChannel lock whose messages crossed
   * late: another tab held it too). Nothing was sent; this tab waits for the lock again.
   */
  | { readonly type: 'lock-lost' }
  | {
      readonly type: 'refresh-success';
      readonly generation: number;
      readonly expiresAt: number;
      readonly durationMs: number;
    }
  | {
      readonly type: 'refresh-skipped';
      /** Another tab had already refreshed: its tokens were adopted, nothing was sent. */
      readonly generation: number;
    }
  | {
      readonly type: 'refresh-failure';
      readonly error: BatonError;
      /** When the next automatic attempt is due (ms from now), if any. */
      readonly retryInMs: number | undefined;
    }
  | {
      readonly type: 'tokens-adopted';
      readonly generation: number;
      readonly from: 'tab' | 'storage';
    }
  | { readonly type: 'signed-in'; readonly generation: number }
  | { readonly type: 'signed-out'; readonly reason: SignOutReason; readonly error?: BatonError }
  | { readonly type: 'wake'; readonly source: WakeSource }
  | { readonly type: 'message-rejected'; readonly reason: string }
  | { readonly type: 'storage-corrupt'; readonly key: string };

export type Listener<T> = (value: T) => void;

/** A minimal listener set (the shape of TanStack Query's Subscribable). */
export function createListeners<T>() {
  const listeners = new Set<Listener<T>>();
  return {
    subscribe(listener: Listener<T>): () => void {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    emit(value: T): void {
      for (const listener of [...listeners]) {
        try {
          listener(value);
        } catch (error) {
          // A broken listener must not break the manager or the other listeners.
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    },
  };
}
