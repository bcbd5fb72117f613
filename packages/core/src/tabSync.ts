import type { ErrorCode } from './errors.js';
import type { GenerationLocks } from './generationLocks.js';
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

/** How much longer than its bound a tab waits for a generation it knows a live tab holds. */
const KNOWN_NEWER_FACTOR = 10;

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
  'invalid_metadata',
] satisfies ErrorCode[]);

/**
 * The session's side of the cross-tab protocol (the lock has its own): tells the other tabs of
 * new tokens, sign-outs and backoffs, answers their queries from the session state, and asks
 * them for anything newer. See `tabChannel.ts` for the messages.
 *
 * With `generations` (Web Locks), this tab holds the lock of its generation, and learns from the
 * lock manager whether any live tab has a newer one: then it waits for that one, else not at all.
 * Without, it waits up to `syncTimeoutMs` for answers that may never come.
 */
export function createTabSync(
  channel: TabChannel | undefined,
  state: SessionState,
  news: TabNews,
  syncTimeoutMs: number,
  generations?: GenerationLocks,
) {
  if (channel && generations) state.subscribe(() => void generations.hold(state.generation));

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

  /** Asks the other tabs; resolves at the first newer answer, or after `ms`. */
  function ask(ms: number, known?: Promise<number>): Promise<void> {
    if (!channel) return Promise.resolve();
    const start = state.generation;
    channel.post({ type: 'query', generation: start });
    return new Promise((resolve) => {
      let newest: number | undefined;
      const done = () => {
        clearTimeout(timeout);
        off();
        resolve();
      };
      // Done at the first newer answer, or once this tab holds the newest generation any live
      // tab holds (at once when that is its own).
      const check = () =>
        (state.generation > start || (newest !== undefined && state.generation >= newest)) &&
        done();
      const timeout = setTimeout(done, ms);
      const off = state.subscribe(check);
      void known?.then((n) => {
        newest = n;
        check();
      });
    });
  }

  return {
    /**
     * Resolves once this tab has what the other tabs have. Without generation locks: at the first
     * newer answer, or after `ms` (default `syncTimeoutMs`). With them: also at once when no live
     * tab holds a newer generation, and else up to ten times `ms`, since this tab's refresh token
     * is then most likely spent. `known`: the lock manager's answer, when it was asked for earlier
     * (a new tab asks at once, while the page still starts).
     */
    catchUp(ms = syncTimeoutMs, known = generations?.newest()): Promise<void> {
      return known ? ask(ms * KNOWN_NEWER_FACTOR, known) : ask(ms);
    },
    /**
     * Tells the other tabs of a newer session; resolves once its generation lock is held, so that
     * a tab that takes the refresh lock after this one releases it knows of the new tokens.
     */
    tokens(tokens: TokenSet): Promise<void> {
      channel?.post({ type: 'tokens', tokens });
      return channel && generations ? generations.hold(tokens.generation) : Promise.resolve();
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
