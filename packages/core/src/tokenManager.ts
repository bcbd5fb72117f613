import { withSignal } from './abort.js';
import { BatonError, isBatonError } from './errors.js';
import { type BatonEvent, createListeners, type SignOutReason } from './events.js';
import { createGenerationLocks } from './generationLocks.js';
import { createGrants } from './grants.js';
import { createLock } from './lock.js';
import { checkDialect, durationMs, HAND_OFF_FACTOR, misuse } from './options.js';
import { createRefresher, signedOutError } from './refresher.js';
import { type Arrival, isFresh, refreshDue, restUntil, type TokenSource } from './refreshPolicy.js';
import { createRetryer } from './retryer.js';
import { createSessionState } from './sessionState.js';
import { createTabChannel, createTabId } from './tabChannel.js';
import { createTabSync } from './tabSync.js';
import type { TokenManager, TokenManagerOptions } from './tokenManagerTypes.js';
import { fromTokenInput, isTokenSet } from './tokenSet.js';
import type { TokenSet } from './types.js';
import { defined } from './util.js';
import { createWakeSources } from './wakeSources.js';
import { createWallTimer } from './wallTimer.js';

/** Creates the token manager. See {@link TokenManagerOptions}. */
export function createTokenManager(options: TokenManagerOptions): TokenManager {
  const { dialect, channel: channelOption = 'baton', retry } = options ?? {};
  checkDialect(dialect);
  if (channelOption !== false && (typeof channelOption !== 'string' || !channelOption))
    throw misuse('`channel` must be a non-empty string, or false');
  const policy = {
    skewMs: durationMs(options, 'refreshSkewMs'),
    minIntervalMs: durationMs(options, 'minRefreshIntervalMs'),
  };
  const requestTimeoutMs = durationMs(options, 'requestTimeoutMs');
  const syncTimeoutMs = durationMs(options, 'syncTimeoutMs');
  const name = channelOption || undefined;

  const events = createListeners<BatonEvent>();
  const emit = events.emit;
  const state = createSessionState();
  const retryer = createRetryer(retry);
  const store = options.storage?.(name ?? 'session');
  const dpop = options.dpop?.(name ?? 'session');
  const channel = name
    ? createTabChannel(name, (reason) => emit({ type: 'message-rejected', reason }))
    : undefined;
  const lock = createLock(options.lock ?? 'auto', channel, name ?? 'baton');
  // Only with Web Locks as the refresh lock: the generation locks and the refresh lock must have
  // the same arbiter for a query after a grant to see what the previous holder held.
  const locks = lock.kind === 'web-locks' ? globalThis.navigator?.locks : undefined;
  const generations =
    channel && name && typeof locks?.query === 'function'
      ? createGenerationLocks(name, locks)
      : undefined;
  let arrival: Arrival = { at: 0, from: 'app', jitter: 0 };
  let session = new AbortController();
  /** Set once storage and the other tabs had their say: a new session is stamped after them. */
  let settled = !channel && !store;

  /** When the next automatic refresh is due: none after the last automatic attempt failed. */
  const nextDue = (): number => {
    const { tokens } = state;
    if (!tokens?.refreshToken) return Number.POSITIVE_INFINITY;
    return retryer.due(refreshDue(tokens, arrival, policy));
  };

  const timer = createWallTimer((late) => (late ? wakes.wake('late-timer') : evaluate()));
  function schedule(): void {
    timer.clear();
    const { tokens } = state;
    if (!tokens) return;
    const due = nextDue();
    // Also wake at expiry, so the snapshot turns `expired` on time.
    timer.at(Date.now() < tokens.expiresAt ? Math.min(due, tokens.expiresAt) : due);
  }

  /** Takes a TokenSet if it is newer than what this tab has. The one way tokens enter. */
  function accept(next: TokenSet, from: TokenSource = 'refresh'): boolean {
    if (!state.isNewer(next)) return false;
    state.take(next);
    arrival = { at: Date.now(), from, jitter: Math.random() };
    retryer.reset();
    store?.save(next);
    if (from === 'tab' || from === 'storage')
      emit({ type: 'tokens-adopted', generation: next.generation, from });
    schedule();
    state.update();
    return true;
  }

  /** Ends the session here. `upTo` is the generation of the sign-out. */
  function end(reason: SignOutReason, upTo: number, cause?: BatonError): void {
    const had = state.tokens !== undefined;
    forgetKey(state.tokens?.jkt);
    state.end(upTo, cause);
    retryer.reset();
    session.abort();
    session = new AbortController();
    timer.clear();
    store?.clear();
    state.update();
    if (had) emit({ type: 'signed-out', reason, ...defined({ error: cause }) });
  }

  /** DPoP: a session's key goes with it (every tab forgets it: the same key, by thumbprint). */
  function forgetKey(jkt: string | undefined): void {
    if (jkt) dpop?.remove(jkt).catch(() => {});
  }

  function endEverywhere(reason: SignOutReason, cause?: BatonError): void {
    const upTo = state.generation + 1;
    // The others first: this tab's listeners and renders must not delay their news.
    tabs.signedOut(upTo);
    end(reason, upTo, cause);
  }

  const tabs = createTabSync(
    channel,
    state,
    {
      tokens: (tokens) => accept(tokens, 'tab'),
      signedOut(generation) {
        if (generation >= state.generation && state.tokens) end('remote', generation);
        else {
          state.see(generation);
          state.update();
        }
      },
      backoff(generation, retryInMs, code) {
        if (generation !== state.generation || !state.tokens) return;
        // Another tab's refresh of this same token just failed: wait as it waits (no storm).
        const waitMs = retryer.share(retryInMs);
        state.setError(
          new BatonError(code, 'A refresh failed in another tab', {
            retryAfterMs: waitMs,
            terminal: false,
          }),
        );
        schedule();
        state.update();
      },
    },
    syncTimeoutMs,
    generations,
  );

  const { send, stamp } = createGrants(dialect, {
    fetch: options.fetch,
    timeoutMs: requestTimeoutMs,
    dpop,
    generation: () => state.generation,
  });

  const refresher = createRefresher({
    state,
    lock,
    tabs,
    retryer,
    lockTimeoutMs: durationMs(options, 'lockTimeoutMs'),
    emit,
    session: () => session.signal,
    async redeem(base, signal) {
      if (!base.refreshToken)
        throw new BatonError('invalid_grant', 'No refresh token to refresh with');
      const grant = { type: 'refresh_token', refreshToken: base.refreshToken } as const;
      return stamp(await send(grant, signal, base.jkt), base);
    },
    accept,
    endEverywhere,
    schedule,
  });

  /** The timer's and the wake-ups' check: refresh when due. */
  function evaluate(): void {
    state.update();
    // Not before the hand-off has answered: storage's session may be one the others already spent.
    if (!state.tokens || refresher.busy || !settled) return;
    if (Date.now() >= nextDue())
      refresher.refresh(retryer.failures ? 'retry' : 'timer').catch(() => {});
    else schedule();
  }

  /** A woken tab's question to the others: callers wait for its answer before using a token. */
  let waking: Promise<void> = Promise.resolve();
  const wakes = createWakeSources((source) => {
    emit({ type: 'wake', source });
    if (source !== 'focus' && source !== 'late-timer') retryer.retryNow();
    waking = tabs.catchUp().then(evaluate);
  });

  function loadStored(): void {
    const value = store?.load();
    if (value === undefined || !store) return;
    if (isTokenSet(value)) accept(value, 'storage');
    else {
      store.clear();
      emit({ type: 'storage-corrupt', key: store.key });
    }
  }

  // The lock manager is asked at once (its first answer to a page can take a while); the rest
  // starts after a microtask, so that listeners subscribed right after creation hear it all.
  const newestAtStart = generations?.newest();
  const ready = Promise.resolve().then(async () => {
    try {
      loadStored();
      // Hand-off: a live tab answers with the session, so memory-only tokens reach a new tab.
      await tabs.catchUp(syncTimeoutMs * HAND_OFF_FACTOR, newestAtStart);
    } finally {
      // Even after a failure: a loading state must end, and a sign-in must not wait forever.
      settled = true;
      state.setReady();
      evaluate(); // publishes `ready` in the snapshot before `ready` resolves
    }
  });

  function startSession(set: TokenSet): void {
    // Before the hand-off's answers, a sign-out the other tabs know of would outrank the session.
    if (!settled) {
      void ready.then(() => startSession(set));
      return;
    }
    // A new session outranks everything this tab has seen, a sign-out's tombstone included.
    const next = { ...set, generation: Math.max(set.generation, state.generation + 1) };
    const replaced = state.tokens?.jkt;
    if (accept(next, 'app')) {
      if (replaced !== next.jkt) forgetKey(replaced);
      tabs.tokens(next);
      emit({ type: 'signed-in', generation: next.generation });
    }
  }

  return {
    tabId: channel?.tabId ?? createTabId(),
    dialect,
    channelName: name,
    lockKind: lock.kind,
    ready,
    dpop: dpop && {
      create: () => dpop.create(),
      fetch(fetchFn, accessToken) {
        const jkt = state.tokens?.jkt;
        return jkt ? dpop.fetch(jkt, fetchFn, accessToken) : () => Promise.reject(signedOutError());
      },
    },
    async signInWithGrant(grant, { signal, verify, ...rest } = {}) {
      const jkt = rest.jkt ?? (await dpop?.create());
      try {
        const sent = await send(grant, signal, jkt);
        verify?.(sent.result);
        await withSignal(ready, signal); // a new tab's session is stamped after what the others know
        startSession(stamp(sent, undefined, jkt));
      } catch (error) {
        forgetKey(jkt); // a sign-in that failed leaves no key behind
        throw error;
      }
    },
    setTokens(input) {
      startSession(fromTokenInput(input, dialect, state.generation + 1));
    },
    async getAccessToken({ minValidityMs, signal } = {}) {
      await withSignal(Promise.all([ready, waking]), signal);
      const current = state.tokens;
      if (!current) throw signedOutError();
      const now = Date.now();
      const busy = refresher.busy;
      // Just refreshed (by any tab): use what we have, even if short-lived, rather than loop.
      if (
        isFresh(current, refreshDue(current, arrival, policy), minValidityMs, now) ||
        (now < restUntil(arrival, policy) && !busy)
      )
        return current.accessToken;
      // Backing off after a transient failure: the old token while it lasts, else the failure.
      if (retryer.backingOff(now) && !busy && state.error) {
        if (now < current.expiresAt) return current.accessToken;
        throw state.error;
      }
      try {
        return (await withSignal(refresher.refresh('demand'), signal)).accessToken;
      } catch (failure) {
        // A transient failure keeps the session: the old token is still good until it expires.
        const { tokens } = state;
        if (isBatonError(failure) && !failure.terminal && tokens && Date.now() < tokens.expiresAt)
          return tokens.accessToken;
        throw failure;
      }
    },
    async refresh({ staleAccessToken, signal } = {}) {
      await withSignal(ready, signal);
      const { tokens } = state;
      if (!tokens) throw signedOutError();
      if (
        staleAccessToken !== undefined &&
        tokens.accessToken !== staleAccessToken &&
        Date.now() < tokens.expiresAt
      )
        return tokens.accessToken;
      const reason = staleAccessToken === undefined ? 'manual' : 'unauthorized';
      return (await withSignal(refresher.refresh(reason), signal)).accessToken;
    },
    async signOut({ ended } = {}) {
      // A tab behind the others must not sign out an older generation only: learn the newest.
      await tabs.catchUp();
      const last = state.tokens;
      endEverywhere('user');
      if (last) ended?.(last);
    },
    subscribe: state.subscribe,
    getSnapshot: state.getSnapshot,
    onEvent: events.subscribe,
    destroy() {
      timer.clear();
      session.abort();
      lock.close();
      generations?.close();
      channel?.close();
      wakes.destroy();
    },
  };
}
