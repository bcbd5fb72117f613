import type { BatonError } from './errors.js';

/** Why a refresh was started. */
export type RefreshReason = 'timer' | 'demand' | 'unauthorized' | 'manual' | 'retry';

/** Why a session ended in this tab. */
export type SignOutReason = 'user' | 'remote' | 'terminal';

/** What woke a tab up (it asks the other tabs for the newest session then). */
export type WakeSource = 'visible' | 'online' | 'pageshow' | 'focus' | 'late-timer';

/**
 * What the manager reports, for logging and devtools. Events never carry a token value.
 *
 * Each kind is an interface (not an inline object type) so that its fields keep their doc
 * comments in the published declarations: the declaration bundler moves a one-line doc inside an
 * object type onto the previous field's line, where editors no longer see it.
 */
export type BatonEvent =
  | RefreshStartEvent
  | LockAcquiredEvent
  | LockLostEvent
  | RefreshSuccessEvent
  | RefreshSkippedEvent
  | RefreshFailureEvent
  | TokensAdoptedEvent
  | SignedInEvent
  | SignedOutEvent
  | WakeEvent
  | MessageRejectedEvent
  | StorageCorruptEvent;

/** A refresh started in this tab. */
export interface RefreshStartEvent {
  readonly type: 'refresh-start';
  readonly reason: RefreshReason;
  /** The generation this tab had when the refresh started. */
  readonly generation: number;
}

/** This tab got the cross-tab refresh lock. */
export interface LockAcquiredEvent {
  readonly type: 'lock-acquired';
  /** How long it waited for the lock. */
  readonly waitedMs: number;
}

/**
 * The hold just acquired was not exclusive (a BroadcastChannel lock whose messages crossed late:
 * another tab held it too). Nothing was sent; this tab waits for the lock again.
 */
export interface LockLostEvent {
  readonly type: 'lock-lost';
}

/** This tab's refresh got new tokens. */
export interface RefreshSuccessEvent {
  readonly type: 'refresh-success';
  /** The new generation. */
  readonly generation: number;
  /** When the new access token expires, ms since the epoch (local clock). */
  readonly expiresAt: number;
  readonly durationMs: number;
}

/** A refresh found the work done. */
export interface RefreshSkippedEvent {
  readonly type: 'refresh-skipped';
  /** Another tab had already refreshed: its tokens were adopted, nothing was sent. */
  readonly generation: number;
}

/**
 * A refresh failed. After a terminal error (`error.terminal`) the session ends, with a
 * `signed-out` event, unless another tab's newer session takes its place.
 */
export interface RefreshFailureEvent {
  readonly type: 'refresh-failure';
  readonly error: BatonError;
  /** When the next automatic attempt is due (ms from now), if any. */
  readonly retryInMs: number | undefined;
}

/** Tokens another tab or the storage had were taken. */
export interface TokensAdoptedEvent {
  readonly type: 'tokens-adopted';
  readonly generation: number;
  readonly from: 'tab' | 'storage';
}

/** A session started in this tab (a sign-in or `setTokens`). */
export interface SignedInEvent {
  readonly type: 'signed-in';
  readonly generation: number;
}

/** The session ended in this tab. */
export interface SignedOutEvent {
  readonly type: 'signed-out';
  readonly reason: SignOutReason;
  /** The terminal error that ended it, when one did. */
  readonly error?: BatonError;
}

/** The tab woke up (it asks the other tabs for the newest session then). */
export interface WakeEvent {
  readonly type: 'wake';
  readonly source: WakeSource;
}

/** A cross-tab message was ignored (wrong shape, version or app). */
export interface MessageRejectedEvent {
  readonly type: 'message-rejected';
  readonly reason: string;
}

/** The stored session could not be read and was dropped. */
export interface StorageCorruptEvent {
  readonly type: 'storage-corrupt';
  readonly key: string;
}

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
