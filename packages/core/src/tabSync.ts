import type { ErrorCode } from './errors.js';
import type { SessionState } from './sessionState.js';
import type { TabChannel } from './tabChannel.js';
import type { TokenSet } from './types.js';

/** What the other tabs tell this one; the manager decides what to do with it. */
export interface TabNews {
  /** A session from another tab (a refresh, a sign-in, or an answer to a query). */
  tokens(tokens: TokenSet): void;
  /** A sign-out in another tab: every generation up to `generation` is dead. */
  signedOut(generation: number): void;
  /**
   * Another tab's refresh of `generation` failed and it waits `retryInMs`. `code` is a transient
   * code this library knows (the message is untrusted: anything else reads `server_error`).
   */
  backoff(generation: number, retryInMs: number, code: ErrorCode): void;
}

/** The codes a failed refresh may leave its backoff under: the transient ones (see errors.ts). */
const TRANSIENT_CODES = new Set<string>([
  'invalid_response',
  'network',
  'timeout',
  'server_error',
  'rate_limited',
  'aborted',
  'lock_timeout',
  'invalid_token',
] satisfies ErrorCode[]);

/**
 * The session's side of the cross-tab protocol (the lock has its own): tells the other tabs of
 * new tokens, sign-outs and backoffs, answers their queries from the session state, and asks
 * them for anything newer. See `tabChannel.ts` for the messages.
 */
export function createTabSync(
  channel: TabChannel | undefined,
  state: SessionState,
  news: TabNews,
  syncTimeoutMs: number,
) {
  channel?.subscribe((message) => {
    if (message.type === 'tokens') news.tokens(message.tokens);
    else if (message.type === 'signed-out') news.signedOut(message.generation);
    else if (message.type === 'backoff') {
      const code = TRANSIENT_CODES.has(message.code) ? (message.code as ErrorCode) : 'server_error';
      news.backoff(message.generation, message.retryInMs, code);
    } else if (message.type === 'query' && message.generation < state.generation) {
      const { tokens, generation } = state;
      channel.post(tokens ? { type: 'tokens', tokens } : { type: 'signed-out', generation });
    }
  });

  return {
    /**
     * Asks the other tabs for anything newer than what this tab has; resolves when it arrives, or
     * after `ms` (default `syncTimeoutMs`) when no tab has anything newer (or there is none).
     */
    sync(ms = syncTimeoutMs): Promise<void> {
      if (!channel) return Promise.resolve();
      const start = state.generation;
      channel.post({ type: 'query', generation: start });
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timeout);
          off();
          resolve();
        };
        const timeout = setTimeout(done, ms);
        const off = state.subscribe(() => state.generation > start && done());
      });
    },
    /** Tells the other tabs of a newer session. */
    tokens(tokens: TokenSet): void {
      channel?.post({ type: 'tokens', tokens });
    },
    /** Tells the other tabs that every generation up to `generation` is dead. */
    signedOut(generation: number): void {
      channel?.post({ type: 'signed-out', generation });
    },
    /** Tells the other tabs that a refresh of `generation` failed: nobody retries before `retryInMs`. */
    backoff(generation: number, retryInMs: number, code: ErrorCode): void {
      channel?.post({ type: 'backoff', generation, retryInMs, code });
    },
  };
}

export type TabSync = ReturnType<typeof createTabSync>;
