import { withSignal } from './abort.js';
import { BatonError, ErrorCode, isBatonError, isTerminalCode } from './errors.js';
import {
  type BatonEvent,
  createListeners,
  type RefreshReason,
  type SignOutReason,
  type WakeSource,
} from './events.js';
import { createLock, type LockOption, type RefreshLock } from './lock.js';
import {
  checkNonce,
  cleanCallbackUrl,
  createAuthorizeRequest,
  parseRedirectCallback,
  type RedirectCallback,
} from './redirectSignIn.js';
import { backoffDelay, createWallTimer, refreshTime } from './refreshScheduler.js';
import { resolveStorage, type StorageOption } from './storage.js';
import { createTabChannel, createTabId } from './tabChannel.js';
import { requestTokens } from './tokenEndpoint.js';
import { createTokenSet, isTokenSet } from './tokenSet.js';
import type { Dialect, Snapshot, TokenGrant, TokenGrantResult, TokenSet } from './types.js';
import { defined } from './util.js';

export interface RetryOptions {
  /** Automatic attempts after a transient failure before waiting for a trigger (default 5). */
  readonly attempts?: number;
  /** First backoff step (default 1000 ms); doubles each attempt, with full jitter. */
  readonly baseDelayMs?: number;
  /** Longest backoff (default 30 000 ms). */
  readonly maxDelayMs?: number;
}

export interface TokenManagerOptions {
  /** How to talk to the token endpoint: `dialects.ciam({...})`, or your own `defineDialect`. */
  readonly dialect: Dialect;
  /**
   * BroadcastChannel name shared by the app's tabs (default `'baton'`); `false` for this tab
   * alone. Two apps on one origin need two names.
   */
  readonly channel?: string | false;
  /** Cross-tab refresh lock (default `'auto'`: Web Locks where they exist, else BroadcastChannel). */
  readonly lock?: LockOption;
  /** Where the session survives a reload (default `'memory'`: nothing written). */
  readonly storage?: StorageOption;
  /** Write the refresh token to `storage` too (default false: it stays in memory). */
  readonly persistRefreshToken?: boolean;
  /** Refresh this long before expiry (default 30 s; a third of the lifetime for short tokens). */
  readonly refreshSkewSeconds?: number;
  /** Never refresh more often than this (default 2 s), whatever the token's lifetime. */
  readonly minRefreshIntervalSeconds?: number;
  /** Token request timeout (default 10 s). */
  readonly requestTimeoutSeconds?: number;
  /** Bound on waiting for the refresh lock (default 30 s). */
  readonly lockTimeoutSeconds?: number;
  /** How long to wait for other tabs' answers (hand-off, double-check; default 100 ms). */
  readonly syncTimeoutMs?: number;
  readonly retry?: RetryOptions;
  /** The `fetch` to call the token endpoint with (default the global one). */
  readonly fetch?: typeof fetch;
}

/** What `setTokens` takes: a TokenSet-like object, or a raw token response of the dialect. */
export type TokenInput =
  | {
      readonly accessToken: string;
      readonly refreshToken?: string;
      readonly expiresAt: number;
      readonly tokenType?: string;
      readonly scope?: string;
      readonly idToken?: string;
    }
  | Readonly<Record<string, unknown>>;

export interface GetAccessTokenOptions {
  /**
   * Seconds the token must still be valid for. Default: the manager's own refresh point (the
   * proactive timer's), so callers and timer agree. A fresh token shorter-lived than this is
   * returned all the same: a refresh never loops.
   */
  readonly minValidity?: number;
  readonly signal?: AbortSignal;
}

export interface RefreshOptions {
  /**
   * The access token the caller found stale (e.g. the one an API answered 401 to). When the
   * session already holds another one, from this tab or another, that one is returned and
   * nothing is sent.
   */
  readonly staleAccessToken?: string;
  readonly signal?: AbortSignal;
  /** @internal */
  readonly reason?: RefreshReason;
}

/** Keeps one session's access token valid, in one tab and across all of them. */
export interface TokenManager {
  /** This page load's id (events and the demo's timeline use it). */
  readonly tabId: string;
  readonly dialect: Dialect;
  /** Which lock guards refreshes here. */
  readonly lockKind: RefreshLock['kind'];
  /** Settles once the session was looked for in storage and in the other tabs. */
  readonly ready: Promise<void>;
  /** Signs in with the password grant (RFC 6749 §4.3): for demos and first-party apps only. */
  signIn(credentials: {
    username: string;
    password: string;
    scope?: string;
    signal?: AbortSignal;
  }): Promise<void>;
  /**
   * Signs in by redirect (authorization code + PKCE, RFC 7636): leaves for the provider's login
   * page. `state` is app data that `handleRedirectCallback` hands back; `redirectUri` defaults to
   * this page (origin + path). The recommended way to sign in.
   */
  signInWithRedirect(options?: {
    redirectUri?: string;
    scope?: string;
    state?: string;
    extraParams?: Record<string, string>;
  }): Promise<void>;
  /**
   * On the redirect URI's page: exchanges the code (once: a reload cannot resend it), checks the
   * nonce, starts the session in every tab and cleans the address bar. Resolves to the app state.
   */
  handleRedirectCallback(url?: string): Promise<{ state?: string | undefined }>;
  /** Starts a session with tokens obtained some other way; every tab adopts them. */
  setTokens(tokens: TokenInput): void;
  /** A valid access token, refreshed first (once, across all tabs) when needed. */
  getAccessToken(options?: GetAccessTokenOptions): Promise<string>;
  /** Refreshes now (single-flight, cross-tab), resolving to the new access token. */
  refresh(options?: RefreshOptions): Promise<string>;
  /** Ends the session in every tab. A refresh still in flight cannot revive it. */
  signOut(): Promise<void>;
  /** For bindings (`useSyncExternalStore`): called whenever the snapshot changes. */
  subscribe(listener: () => void): () => void;
  /** The current state; the same object until something changes. */
  getSnapshot(): Snapshot;
  /** Logging and devtools: events never carry a token. */
  onEvent(listener: (event: BatonEvent) => void): () => void;
  /** Stops timers, listeners and the channel. */
  destroy(): void;
}

/** Another tab's backoff is taken up to this long (a Retry-After may ask for more than maxDelayMs). */
const MAX_SHARED_BACKOFF_MS = 600_000;

const signedOutError = () => new BatonError('signed_out', 'Not signed in');

/** Creates the token manager. See {@link TokenManagerOptions}. */
export function createTokenManager(options: TokenManagerOptions): TokenManager {
  const { dialect } = options;
  const skewMs = (options.refreshSkewSeconds ?? 30) * 1000;
  const minIntervalMs = (options.minRefreshIntervalSeconds ?? 2) * 1000;
  const timeoutMs = (options.requestTimeoutSeconds ?? 10) * 1000;
  const lockTimeoutMs = (options.lockTimeoutSeconds ?? 30) * 1000;
  const syncMs = options.syncTimeoutMs ?? 100;
  const { attempts = 5, baseDelayMs = 1000, maxDelayMs = 30_000 } = options.retry ?? {};
  const name = options.channel === false ? undefined : (options.channel ?? 'baton');
  const storage = resolveStorage(options.storage);
  const storageKey = `baton:${name ?? 'session'}`;

  const events = createListeners<BatonEvent>();
  const changes = createListeners<void>();
  const emit = events.emit;
  const channel = name
    ? createTabChannel(name, (reason) => emit({ type: 'message-rejected', reason }))
    : undefined;
  const lock = createLock(options.lock ?? 'auto', channel, name ?? 'baton');

  let tokens: TokenSet | undefined;
  /** The newest generation seen here: of tokens, or of a sign-out (which kills all up to it). */
  let generation = 0;
  let receivedAt = 0;
  /** No refresh before this: a token that arrived with a tiny lifetime cannot start a loop. */
  let restUntil = 0;
  let jitter = 0;
  /** This tab adopted its tokens from another tab: the tab that refreshed goes first next time. */
  let follower = false;
  let error: BatonError | undefined;
  let inflight: Promise<TokenSet> | undefined;
  let session = new AbortController();
  let failures = 0;
  let retryAt: number | undefined;

  const timer = createWallTimer((late) => (late ? wake('late-timer') : evaluate()));

  const refreshAt = (set: TokenSet) => {
    const at = Math.max(refreshTime(set.expiresAt, receivedAt, skewMs, jitter), restUntil);
    // Held back by the minimum interval, every tab would wake at the same instant: spread them.
    const due = at === restUntil ? at + jitter * 0.1 * Math.max(0, set.expiresAt - at) : at;
    // Followers give the last refresher a head start (up to 1 s, at most half of what is left),
    // so its news usually arrives before their timers fire and the lock is not contended.
    const headStart = Math.min(1000, Math.max(0, set.expiresAt - due) / 2) * (0.75 + jitter / 4);
    return follower ? due + headStart : due;
  };

  /** When the next automatic refresh is due: none after the last automatic attempt failed. */
  function nextDue(): number {
    if (!tokens?.refreshToken) return Number.POSITIVE_INFINITY;
    if (failures > attempts) return Number.POSITIVE_INFINITY; // until a caller or a wake-up
    if (failures > 0) return retryAt ?? Number.POSITIVE_INFINITY;
    return refreshAt(tokens);
  }

  const read = (): Snapshot => ({
    status: !tokens
      ? 'signed-out'
      : inflight
        ? 'refreshing'
        : Date.now() < tokens.expiresAt
          ? 'valid'
          : error
            ? 'error'
            : 'expired',
    accessToken: tokens?.accessToken,
    expiresAt: tokens?.expiresAt,
    generation,
    claims: tokens?.claims,
    error,
  });
  let snapshot = read();

  /** Publishes a new snapshot object when (and only when) something in it changed. */
  function update(): void {
    const next = read();
    const prev = snapshot;
    if (
      Object.keys(next).some((key) => next[key as keyof Snapshot] !== prev[key as keyof Snapshot])
    ) {
      snapshot = next;
      changes.emit();
    }
  }

  function schedule(): void {
    timer.clear();
    if (!tokens) return;
    const due = nextDue();
    // Also wake at expiry, so the snapshot turns `expired` on time.
    timer.at(Date.now() < tokens.expiresAt ? Math.min(due, tokens.expiresAt) : due);
  }

  /** Takes a TokenSet if it is newer than what this tab has. The one way tokens enter. */
  function accept(next: TokenSet, from?: 'tab' | 'storage' | 'app'): boolean {
    // Same generation: to fill in a refresh token this tab lacks (it came from storage), or when
    // two tabs started a session at once: the same one (the greater token) wins in every tab.
    if (
      next.generation < generation ||
      (next.generation === generation &&
        (!tokens ||
          ((tokens.refreshToken || !next.refreshToken) &&
            !(next.refreshToken && next.accessToken > tokens.accessToken))))
    )
      return false;
    tokens = next;
    generation = next.generation;
    receivedAt = Date.now();
    follower = from === 'tab';
    // Tokens from storage or from the app may be long expired: refresh them at once.
    restUntil = from === 'storage' || from === 'app' ? 0 : receivedAt + minIntervalMs;
    jitter = Math.random();
    error = undefined;
    failures = 0;
    retryAt = undefined;
    if (storage) {
      const { refreshToken, ...rest } = next;
      storage.set(storageKey, JSON.stringify(options.persistRefreshToken ? next : rest));
    }
    if (from && from !== 'app') emit({ type: 'tokens-adopted', generation, from });
    schedule();
    update();
    return true;
  }

  /** Ends the session here. `upTo` is the generation of the sign-out. */
  function end(reason: SignOutReason, upTo: number, cause?: BatonError): void {
    const had = tokens !== undefined;
    generation = Math.max(generation, upTo);
    tokens = undefined;
    error = cause;
    retryAt = undefined;
    session.abort();
    session = new AbortController();
    timer.clear();
    storage?.remove(storageKey);
    update();
    if (had) emit({ type: 'signed-out', reason, ...defined({ error: cause }) });
  }

  function endEverywhere(reason: SignOutReason, cause?: BatonError): void {
    const upTo = generation + 1;
    end(reason, upTo, cause);
    channel?.post({ type: 'signed-out', generation: upTo });
  }

  /** Asks the other tabs for anything newer; resolves when it arrives or after `syncMs`. */
  function syncWithTabs(ms = syncMs): Promise<void> {
    if (!channel) return Promise.resolve();
    const start = generation;
    channel.post({ type: 'query', generation });
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timeout);
        off();
        resolve();
      };
      const timeout = setTimeout(done, ms);
      const off = changes.subscribe(() => generation > start && done());
    });
  }

  channel?.subscribe((message) => {
    if (message.type === 'tokens') accept(message.tokens, 'tab');
    else if (message.type === 'signed-out') {
      if (message.generation >= generation && tokens) end('remote', message.generation);
      else generation = Math.max(generation, message.generation);
    } else if (message.type === 'backoff' && message.generation === generation && tokens) {
      // Another tab's refresh of this same token just failed: wait as it waits (no storm).
      failures = Math.max(failures, 1);
      // Another tab's word: never wait longer than this tab's own longest backoff.
      const waitMs = Math.min(message.retryInMs, Math.max(maxDelayMs, MAX_SHARED_BACKOFF_MS));
      retryAt = Math.max(retryAt ?? 0, Date.now() + waitMs);
      // Only a transient code this library knows: the message is untrusted input.
      const known = Object.values(ErrorCode) as string[];
      const code = known.includes(message.code) && !isTerminalCode(message.code as ErrorCode);
      error = new BatonError(
        code ? (message.code as ErrorCode) : 'server_error',
        'A refresh failed in another tab',
        {
          retryAfterMs: waitMs,
          terminal: false,
        },
      );
      schedule();
      update();
    } else if (message.type === 'query' && message.generation < generation)
      channel.post(tokens ? { type: 'tokens', tokens } : { type: 'signed-out', generation });
  });

  const send = (grant: TokenGrant, signal?: AbortSignal) =>
    requestTokens(dialect, grant, { timeoutMs, signal, fetch: options.fetch });

  /** Stamps a token response into the next generation after `base` (or after all seen). */
  function stamp(sent: Awaited<ReturnType<typeof requestTokens>>, base?: TokenSet): TokenSet {
    return createTokenSet(sent.result, {
      sentAt: sent.sentAt,
      serverDate: sent.serverDate,
      generation: (base?.generation ?? generation) + 1,
      previous: base,
    });
  }

  async function runRefresh(reason: RefreshReason, stale: number): Promise<TokenSet> {
    const started = Date.now();
    const { signal } = session;
    const newer = () => (generation > stale ? tokens : undefined);
    /** A newer session (another tab's), taken instead of refreshing. */
    const skipped = () => {
      const adopted = newer();
      if (adopted) emit({ type: 'refresh-skipped', generation });
      return adopted;
    };
    const backingOff = () => retryAt !== undefined && Date.now() < retryAt && error;
    // Waiting for the lock is moot once another tab's news arrives: a newer session, or its
    // failure (then everyone waits out the same backoff). So the wait stops early on either.
    const early = new AbortController();
    const stop = () => early.abort();
    signal.addEventListener('abort', stop);
    const unwatch = changes.subscribe(() => (newer() || backingOff()) && stop());
    let ended: BatonError | undefined;
    /** A terminal answer: adopt another tab's rotation that raced it, else end every tab. */
    const giveUp = async (failure: BatonError): Promise<TokenSet> => {
      await syncWithTabs();
      // Said even when rescued: the request was refused (with no reuse grace, that may have
      // revoked the session the rescue adopts). Not `refresh-skipped`: a request was sent.
      emit({ type: 'refresh-failure', error: failure, retryInMs: undefined });
      const rescued = newer();
      if (rescued) return rescued;
      if (signal.aborted) throw signedOutError();
      ended = failure;
      endEverywhere('terminal', failure);
      throw failure;
    };
    emit({ type: 'refresh-start', reason, generation });
    try {
      if (backingOff()) throw error;
      const result = await lock.run(
        async () => {
          unwatch();
          emit({ type: 'lock-acquired', waitedMs: Date.now() - started });
          // A lock is not a memory barrier: the previous holder's news may still be on its way.
          if (!newer()) await syncWithTabs();
          if (signal.aborted || !tokens) throw signedOutError();
          const adopted = skipped();
          if (adopted) return adopted;
          // Backing off (here or, as a tab told us, elsewhere): no request before its time.
          if (backingOff()) throw error;
          const base = tokens;
          let sent: Awaited<ReturnType<typeof send>>;
          try {
            if (!base.refreshToken)
              throw new BatonError('invalid_grant', 'No refresh token to refresh with');
            sent = await send({ type: 'refresh_token', refreshToken: base.refreshToken }, signal);
          } catch (caught) {
            // A dead refresh token is settled before the lock passes on (a Web Lock goes to the
            // next waiter at once), so that no waiting tab presents the same dead token again.
            if (isBatonError(caught) && caught.terminal && !signal.aborted) return giveUp(caught);
            throw caught;
          }
          if (signal.aborted) throw signedOutError();
          const next = stamp(sent, base);
          // Tell the other tabs before the lock is released, on the channel the lock uses.
          if (accept(next)) channel?.post({ type: 'tokens', tokens: next });
          if (!tokens) throw signedOutError();
          emit({
            type: 'refresh-success',
            generation,
            expiresAt: tokens.expiresAt,
            durationMs: Date.now() - started,
          });
          return tokens;
        },
        { timeoutMs: lockTimeoutMs, signal: early.signal },
      );
      schedule();
      return result;
    } catch (caught) {
      if (ended) throw ended; // the session's end (which aborted `signal`) says why
      if (signal.aborted) throw signedOutError();
      if (early.signal.aborted) {
        // The wait was cut short by news: a newer session to adopt, or a shared backoff.
        const adopted = skipped();
        if (adopted) return adopted;
        if (error) throw error;
      }
      const failure = isBatonError(caught)
        ? caught
        : new BatonError('network', 'Refresh failed', { cause: caught });
      if (failure === error || failure.terminal) throw failure; // nothing new to count
      error = failure;
      failures += 1;
      // Past the last automatic attempt, callers may still try, but not more often than this.
      const automatic = failures <= attempts;
      const delay = automatic
        ? backoffDelay(failures - 1, baseDelayMs, maxDelayMs, failure.retryAfterMs)
        : Math.max(maxDelayMs, failure.retryAfterMs ?? 0);
      retryAt = Date.now() + delay;
      const retryInMs = Math.ceil(delay);
      channel?.post({ type: 'backoff', generation, retryInMs, code: failure.code });
      emit({ type: 'refresh-failure', error: failure, retryInMs: automatic ? delay : undefined });
      schedule();
      throw failure;
    } finally {
      unwatch();
      signal.removeEventListener('abort', stop);
    }
  }

  /** Single-flight: every caller, timer and 401 in this tab shares one refresh. */
  function refreshOnce(reason: RefreshReason, stale = generation): Promise<TokenSet> {
    if (!inflight) {
      inflight = runRefresh(reason, stale).finally(() => {
        inflight = undefined;
        update();
      });
      update();
    }
    return inflight;
  }

  /** The timer's and the wake-ups' check: refresh when due. */
  function evaluate(): void {
    update();
    // Not before the hand-off has answered: storage's session may be one the others already spent.
    if (!tokens || inflight || !settled) return;
    if (Date.now() >= nextDue()) refreshOnce(failures ? 'retry' : 'timer').catch(() => {});
    else schedule();
  }

  let lastWake = 0;
  /** A woken tab's question to the others: callers wait for its answer before using a token. */
  let waking: Promise<void> = Promise.resolve();
  function wake(source: WakeSource): void {
    // Focus and visibility come in bursts; one look a second is enough.
    if (Date.now() - lastWake < 1000 && source !== 'online') return;
    lastWake = Date.now();
    emit({ type: 'wake', source });
    // Back online or back in sight: one more attempt now, even after the backoff gave up.
    if (failures > 0 && source !== 'focus' && source !== 'late-timer') retryAt = Date.now();
    waking = syncWithTabs().then(evaluate);
  }

  const win = typeof window === 'undefined' ? undefined : window;
  const wakeUps: [EventTarget | undefined, string, (event: Event) => void][] = [
    [win, 'online', () => wake('online')],
    [win, 'focus', () => wake('focus')],
    [win, 'pageshow', (event) => (event as PageTransitionEvent).persisted && wake('pageshow')],
    [
      win?.document,
      'visibilitychange',
      () => document.visibilityState === 'visible' && wake('visible'),
    ],
  ];
  for (const [target, type, listener] of wakeUps) target?.addEventListener(type, listener);

  function loadStored(): void {
    const raw = storage?.get(storageKey);
    if (raw == null) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {}
    if (isTokenSet(value)) accept(value, 'storage');
    else {
      storage?.remove(storageKey);
      emit({ type: 'storage-corrupt', key: storageKey });
    }
  }

  // Started after a microtask, so that listeners subscribed right after creation hear it all.
  /** Set once storage and the other tabs had their say: a new session is stamped after them. */
  let settled = !channel && !storage;
  const ready = Promise.resolve().then(async () => {
    loadStored();
    // Hand-off: a live tab answers with the session, so memory-only tokens reach a new tab.
    await syncWithTabs(syncMs * 2);
    settled = true;
    evaluate();
  });

  function fromInput(input: TokenInput): TokenSet {
    const now = Date.now();
    let result: TokenGrantResult;
    if (typeof input.accessToken === 'string' && typeof input.expiresAt === 'number') {
      const set = input as Extract<TokenInput, { accessToken: string }>;
      result = {
        accessToken: set.accessToken,
        expiresIn: set.expiresAt - now,
        tokenType: set.tokenType ?? 'Bearer',
        ...defined({ refreshToken: set.refreshToken, scope: set.scope, idToken: set.idToken }),
      };
    } else
      result = dialect.parseTokenResponse({
        status: 200,
        headers: new Headers(),
        body: JSON.stringify(input),
      });
    return createTokenSet(result, { sentAt: now, generation: generation + 1 });
  }

  function startSession(set: TokenSet, from?: 'app'): void {
    // Before the hand-off's answers, a sign-out the other tabs know of would outrank the session.
    if (!settled) {
      void ready.then(() => startSession(set, from));
      return;
    }
    // A new session outranks everything this tab has seen, a sign-out's tombstone included.
    set = { ...set, generation: Math.max(set.generation, generation + 1) };
    if (accept(set, from)) {
      channel?.post({ type: 'tokens', tokens: set });
      emit({ type: 'signed-in', generation });
    }
  }

  return {
    tabId: channel?.tabId ?? createTabId(),
    dialect,
    lockKind: lock.kind,
    ready,
    async signIn({ username, password, scope, signal }) {
      const grant: TokenGrant = {
        type: 'password',
        username,
        password,
        ...(scope ? { scope } : {}),
      };
      const sent = await send(grant, signal);
      await withSignal(ready, signal);
      startSession(stamp(sent));
    },
    async signInWithRedirect({ redirectUri = location.origin + location.pathname, ...rest } = {}) {
      const { url } = await createAuthorizeRequest(dialect, {
        ...rest,
        redirectUri,
        channel: name,
      });
      location.assign(url);
    },
    async handleRedirectCallback(url = location.href) {
      let callback: RedirectCallback;
      try {
        callback = parseRedirectCallback(url, sessionStorage, name);
      } finally {
        cleanCallbackUrl();
      }
      const sent = await send(callback);
      checkNonce(sent.result.idToken, callback.nonce);
      await ready; // a callback page is a new tab: stamp after what the others know
      startSession(stamp(sent));
      return { state: callback.state };
    },
    setTokens(input) {
      startSession(fromInput(input), 'app');
    },
    async getAccessToken({ minValidity, signal } = {}) {
      await withSignal(Promise.all([ready, waking]), signal);
      const current = tokens;
      if (!current) throw signedOutError();
      const now = Date.now();
      const fresh =
        now < current.expiresAt &&
        (minValidity === undefined
          ? now < refreshAt(current)
          : current.expiresAt - now >= minValidity * 1000);
      // Just refreshed (by any tab): use what we have, even if short-lived, rather than loop.
      if (fresh || (now < restUntil && !inflight)) return current.accessToken;
      // Backing off after a transient failure: the old token while it lasts, else the failure.
      if (retryAt !== undefined && now < retryAt && !inflight && error) {
        if (now < current.expiresAt) return current.accessToken;
        throw error;
      }
      try {
        return (await withSignal(refreshOnce('demand'), signal)).accessToken;
      } catch (failure) {
        // A transient failure keeps the session: the old token is still good until it expires.
        if (isBatonError(failure) && !failure.terminal && tokens && Date.now() < tokens.expiresAt)
          return tokens.accessToken;
        throw failure;
      }
    },
    async refresh({ staleAccessToken, signal, reason = 'manual' } = {}) {
      await withSignal(ready, signal);
      if (!tokens) throw signedOutError();
      if (
        staleAccessToken !== undefined &&
        tokens.accessToken !== staleAccessToken &&
        Date.now() < tokens.expiresAt
      )
        return tokens.accessToken;
      return (await withSignal(refreshOnce(reason), signal)).accessToken;
    },
    async signOut() {
      // A tab behind the others must not sign out an older generation only: learn the newest.
      await syncWithTabs();
      endEverywhere('user');
    },
    subscribe: changes.subscribe,
    getSnapshot: () => snapshot,
    onEvent: events.subscribe,
    destroy() {
      timer.clear();
      session.abort();
      lock.close();
      channel?.close();
      for (const [target, type, listener] of wakeUps) target?.removeEventListener(type, listener);
    },
  };
}
