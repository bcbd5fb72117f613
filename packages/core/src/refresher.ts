import { BatonError, isBatonError } from './errors.js';
import type { BatonEvent, RefreshReason, SignOutReason } from './events.js';
import type { Retryer } from './retryer.js';
import type { SessionState } from './sessionState.js';
import type { TabSync } from './tabSync.js';
import type { RefreshLock, TokenSet } from './types.js';

export const signedOutError = (): BatonError => new BatonError('signed_out', 'Not signed in');

/** What a refresh works with: the manager's parts, and the three things only it may do. */
export interface RefreshContext {
  readonly state: SessionState;
  readonly lock: RefreshLock;
  readonly tabs: TabSync;
  readonly retryer: Retryer;
  readonly lockTimeoutMs: number;
  readonly emit: (event: BatonEvent) => void;
  /** Aborts when the session ends: a refresh in flight cannot revive it. */
  session(): AbortSignal;
  /** Sends the refresh token and returns the next generation's tokens. */
  redeem(tokens: TokenSet, signal: AbortSignal): Promise<TokenSet>;
  /** Takes tokens into the session (persisted, scheduled); false when they are not newer. */
  accept(tokens: TokenSet): boolean;
  /** Ends the session in every tab. */
  endEverywhere(reason: SignOutReason, cause?: BatonError): void;
  /** Sets the timer for the next refresh. */
  schedule(): void;
}

/**
 * The refresh itself: single-flight in this tab, under the cross-tab lock across tabs, with a
 * double-check (another tab may have refreshed while this one waited), a rescue (a terminal answer
 * may have raced another tab's rotation) and shared backoff. Every caller, timer and 401 in this
 * tab shares one refresh.
 */
export function createRefresher(ctx: RefreshContext) {
  const { state, lock, tabs, retryer, emit } = ctx;
  let inflight: Promise<TokenSet> | undefined;

  async function run(reason: RefreshReason, stale: number): Promise<TokenSet> {
    const started = Date.now();
    const signal = ctx.session();
    const newer = () => (state.generation > stale ? state.tokens : undefined);
    /** A newer session (another tab's), taken instead of refreshing. */
    const skipped = () => {
      const adopted = newer();
      if (adopted) emit({ type: 'refresh-skipped', generation: state.generation });
      return adopted;
    };
    const backingOff = () => retryer.backingOff() && state.error;
    // Waiting for the lock is moot once another tab's news arrives: a newer session, or its
    // failure (then everyone waits out the same backoff). So the wait stops early on either.
    const early = new AbortController();
    const stop = () => early.abort();
    signal.addEventListener('abort', stop);
    const watch = () => state.subscribe(() => (newer() || backingOff()) && stop());
    let unwatch = watch();
    let ended: BatonError | undefined;
    /** A terminal answer: adopt another tab's rotation that raced it, else end every tab. */
    const giveUp = async (failure: BatonError): Promise<TokenSet> => {
      await tabs.catchUp();
      // Said even when rescued: the request was refused (with no reuse grace, that may have
      // revoked the session the rescue adopts). Not `refresh-skipped`: a request was sent.
      emit({ type: 'refresh-failure', error: failure, retryInMs: undefined });
      const rescued = newer();
      if (rescued) return rescued;
      if (signal.aborted) throw signedOutError();
      ended = failure;
      ctx.endEverywhere('terminal', failure);
      throw failure;
    };
    emit({ type: 'refresh-start', reason, generation: state.generation });
    try {
      if (backingOff()) throw state.error;
      const result = await lock.run(
        async (lease) => {
          unwatch();
          emit({ type: 'lock-acquired', waitedMs: Date.now() - started });
          // A lock is not a memory barrier: the previous holder's news may still be on its way.
          if (!newer()) await tabs.catchUp();
          const base = state.tokens;
          if (signal.aborted || !base) throw signedOutError();
          const adopted = skipped();
          if (adopted) return adopted;
          // Backing off (here or, as a tab told us, elsewhere): no request before its time.
          if (backingOff()) throw state.error;
          // The point of no return: a refresh token can be spent once.
          try {
            await lease.confirm();
          } catch (lost) {
            // The lock waits again, for a hold of its own: news ends that wait too.
            emit({ type: 'lock-lost' });
            unwatch = watch();
            throw lost;
          }
          let next: TokenSet;
          try {
            next = await ctx.redeem(base, signal);
          } catch (caught) {
            // A dead refresh token is settled before the lock passes on (a Web Lock goes to the
            // next waiter at once), so that no waiting tab presents the same dead token again.
            if (isBatonError(caught) && caught.terminal && !signal.aborted) return giveUp(caught);
            throw caught;
          }
          if (signal.aborted) throw signedOutError();
          // Tell the other tabs before the lock is released, on the channel the lock uses.
          if (ctx.accept(next)) await tabs.tokens(next);
          const now = state.tokens;
          if (!now) throw signedOutError();
          emit({
            type: 'refresh-success',
            generation: state.generation,
            expiresAt: now.expiresAt,
            durationMs: Date.now() - started,
          });
          return now;
        },
        { timeoutMs: ctx.lockTimeoutMs, signal: early.signal },
      );
      ctx.schedule();
      return result;
    } catch (caught) {
      if (ended) throw ended; // the session's end (which aborted `signal`) says why
      if (signal.aborted) throw signedOutError();
      if (early.signal.aborted) {
        // The wait was cut short by news: a newer session to adopt, or a shared backoff.
        const adopted = skipped();
        if (adopted) return adopted;
        if (state.error) throw state.error;
      }
      const failure = isBatonError(caught)
        ? caught
        : new BatonError('network', 'Refresh failed', { cause: caught });
      if (failure === state.error || failure.terminal) throw failure; // nothing new to count
      state.setError(failure);
      const { delayMs, automatic } = retryer.fail(failure);
      tabs.backoff(state.generation, Math.ceil(delayMs), failure.code);
      emit({ type: 'refresh-failure', error: failure, retryInMs: automatic ? delayMs : undefined });
      ctx.schedule();
      throw failure;
    } finally {
      unwatch();
      signal.removeEventListener('abort', stop);
    }
  }

  return {
    /** Whether a refresh is in flight in this tab. */
    get busy() {
      return inflight !== undefined;
    },
    /**
     * Refreshes the session, or joins the refresh in flight. `stale`: the generation found
     * stale (default the current one); any newer one, from any tab, is returned instead.
     */
    refresh(reason: RefreshReason, stale = state.generation): Promise<TokenSet> {
      if (!inflight) {
        inflight = run(reason, stale).finally(() => {
          inflight = undefined;
          state.setRefreshing(false);
          state.update();
        });
        state.setRefreshing(true);
        state.update();
      }
      return inflight;
    },
  };
}
