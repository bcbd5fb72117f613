import { isTokenSet } from './tokenSet.js';
import type { TokenSet } from './types.js';
import { unref } from './util.js';

/** Version of the cross-tab message protocol. Tabs ignore messages of any other version. */
export const PROTOCOL_VERSION = 1;

/**
 * The cross-tab messages. One BroadcastChannel carries both the session and the lock protocol, so
 * that a holder's `tokens` reach every tab before its `release` (a channel keeps one sender's
 * order; two channels would not).
 */
export type TabMessage =
  // A newer session: adopt it if its generation is higher than yours.
  | { readonly type: 'tokens'; readonly tokens: TokenSet }
  // The session ended; every generation up to this one is dead.
  | { readonly type: 'signed-out'; readonly generation: number }
  // A refresh of this generation failed transiently: nobody retries before `retryInMs`.
  | {
      readonly type: 'backoff';
      readonly generation: number;
      readonly retryInMs: number;
      readonly code: string;
    }
  // "I have this generation: answer if you have a newer session or sign-out."
  | { readonly type: 'query'; readonly generation: number }
  // Lock: asks for the lock with a Lamport ticket; the lowest (clock, tab) wins.
  | { readonly type: 'claim'; readonly clock: number }
  // Lock: "I hold it for leaseMs more"; the answer to a claim, and the holder's renewal, with
  // the ticket it won with (`clock`; absent from tabs of an older release).
  | { readonly type: 'held'; readonly leaseMs: number; readonly clock?: number }
  // Lock: free.
  | { readonly type: 'release' };

/** A {@link TabMessage} as another tab sent it. */
export type ReceivedMessage = TabMessage & MessageOrigin;

/**
 * Who sent a message, and when. An interface, not an inline object type: the declaration bundler
 * would move the one-line doc of `at` onto the line of `from`, where editors no longer see it.
 */
export interface MessageOrigin {
  /** The sender's {@link TabChannel.tabId}. */
  readonly from: string;
  /** When the sender posted it (`Date.now()`, one clock for a browser's tabs): the channel's lag. */
  readonly at?: number;
}

/** The messaging a manager needs: post to every other tab, hear from them. */
export interface TabChannel {
  /** This page load's id (in memory only: a duplicated tab gets its own). */
  readonly tabId: string;
  /** Sends to every other tab of the app (never to this one). */
  post(message: TabMessage): void;
  /** Calls `listener` with each message another tab posts; returns the unsubscribe. */
  subscribe(listener: (message: ReceivedMessage) => void): () => void;
  /** Stops sending and receiving. */
  close(): void;
}

/**
 * The largest count (generation, ticket, ms) a message may carry: far above any real one (a
 * refresh a second for 30,000 years), and far below 2^53, so that counting on from it stays exact.
 */
export const MAX_COUNT = 2 ** 40;

const isCount = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_COUNT;

/**
 * Validates untrusted channel data. Returns the message, or a reason it was rejected.
 * Anything from the channel is input: shape, version and channel name are all checked.
 */
export function parseTabMessage(data: unknown, app: string): ReceivedMessage | string {
  if (typeof data !== 'object' || data === null) return 'not an object';
  const m = data as Record<string, unknown>;
  if (m.app !== app) return 'other channel';
  if (m.v !== PROTOCOL_VERSION) return 'unknown version';
  if (typeof m.from !== 'string' || m.from.length === 0 || m.from.length > 64) return 'bad sender';
  if (m.at !== undefined && !Number.isSafeInteger(m.at)) return 'bad time';
  const ok =
    m.type === 'tokens'
      ? isTokenSet(m.tokens) && isCount(m.tokens.generation)
      : m.type === 'signed-out' || m.type === 'query'
        ? isCount(m.generation)
        : m.type === 'backoff'
          ? isCount(m.generation) &&
            isCount(m.retryInMs) &&
            typeof m.code === 'string' &&
            /^[a-z_]{1,32}$/.test(m.code)
          : m.type === 'claim'
            ? isCount(m.clock)
            : m.type === 'held'
              ? isCount(m.leaseMs) && (m.clock === undefined || isCount(m.clock))
              : m.type === 'release';
  return ok ? (m as unknown as ReceivedMessage) : `bad ${String(m.type).slice(0, 20)} message`;
}

/** A random id for this page load. */
export function createTabId(): string {
  return globalThis.crypto?.randomUUID?.() ?? Math.random().toString(36).slice(2);
}

/**
 * Opens the app's BroadcastChannel, or returns `undefined` where there is none (old browsers,
 * some web views): the manager then works for one tab alone.
 */
export function createTabChannel(
  name: string,
  onReject: (reason: string) => void,
): TabChannel | undefined {
  if (typeof BroadcastChannel === 'undefined') return undefined;
  const channel = unref(new BroadcastChannel(name));
  const tabId = createTabId();
  const listeners = new Set<(message: ReceivedMessage) => void>();
  channel.onmessage = (event: MessageEvent) => {
    const message = parseTabMessage(event.data, name);
    if (typeof message === 'string') return onReject(message);
    for (const listener of listeners) listener(message);
  };
  channel.onmessageerror = () => onReject('undecodable');
  return {
    tabId,
    post(message) {
      try {
        channel.postMessage({
          ...message,
          v: PROTOCOL_VERSION,
          app: name,
          from: tabId,
          at: Date.now(),
        });
      } catch {
        // A closed channel (the page is going away) has no one left to tell.
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      listeners.clear();
      channel.close();
    },
  };
}
