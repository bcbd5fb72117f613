import type { BatonEvent } from './events.js';
import type { LockOption } from './lock.js';
import type { RetryOptions } from './retryer.js';
import type { TokenInput } from './tokenSet.js';
import type {
  Dialect,
  DpopKeysFactory,
  RefreshLock,
  SessionStoreFactory,
  Snapshot,
  TokenGrant,
  TokenGrantResult,
  TokenSet,
} from './types.js';

/** The options of `createTokenManager`: `dialect` is required, every other one has a default. */
export interface TokenManagerOptions {
  /** How to talk to the token endpoint: `ciam({...})` from `@baton/core/dialects`, or `defineDialect`. */
  readonly dialect: Dialect;
  /**
   * BroadcastChannel name shared by the app's tabs (default `'baton'`); `false` for this tab
   * alone. Two apps on one origin need two names.
   */
  readonly channel?: string | false;
  /** Cross-tab refresh lock (default `'auto'`: Web Locks where they exist, else BroadcastChannel). */
  readonly lock?: LockOption;
  /**
   * Where the session survives a reload: `webStorage('local')` from `@baton/core/storage`.
   * Default: memory (nothing written; a new tab gets the session from a live one).
   */
  readonly storage?: SessionStoreFactory;
  /** Refresh this long before expiry (default 30 000 ms; a third of the lifetime for short tokens). */
  readonly refreshSkewMs?: number;
  /** Never refresh more often than this (default 2000 ms), whatever the token's lifetime. */
  readonly minRefreshIntervalMs?: number;
  /** Token request timeout (default 10 000 ms). */
  readonly requestTimeoutMs?: number;
  /** Bound on waiting for the refresh lock (default 30 000 ms). */
  readonly lockTimeoutMs?: number;
  /**
   * How long to wait for other tabs' answers (default 100 ms). With Web Locks a tab knows from
   * the lock manager whether any tab holds a newer generation: it then waits for that one (up to
   * ten times this), and otherwise not at all. Without Web Locks, the hand-off waits twice this,
   * and the double-check inside the lock this long.
   */
  readonly syncTimeoutMs?: number;
  readonly retry?: RetryOptions;
  /** The `fetch` to call the token endpoint with (default the global one). */
  readonly fetch?: typeof fetch;
  /**
   * DPoP (RFC 9449): `dpop()` from `@baton/core/dpop` binds the tokens to a key that no script
   * can read. Throws `BatonError('dpop_unavailable')` at once where IndexedDB or WebCrypto is
   * missing: never a silent fall back to bearer tokens.
   */
  readonly dpop?: DpopKeysFactory;
}

/** A manager's DPoP keys, as redirect sign-in and `authFetch` use them. */
export interface SessionDpop {
  /** A new key for a sign-in about to start; its thumbprint (for `dpop_jkt`). */
  create(): Promise<string>;
  /** `fetchFn`, sending `accessToken` with proofs of the session's key (see `DpopKeys.fetch`). */
  fetch(fetchFn: typeof fetch, accessToken: string): typeof fetch;
}

/** Options of {@link TokenManager.getAccessToken}. */
export interface GetAccessTokenOptions {
  /**
   * How long (ms) the token must still be valid. Default: the manager's own refresh point (the
   * proactive timer's), so callers and timer agree. A fresh token shorter-lived than this is
   * returned all the same: a refresh never loops.
   */
  readonly minValidityMs?: number;
  readonly signal?: AbortSignal;
}

/** Options of {@link TokenManager.refresh}. */
export interface RefreshOptions {
  /**
   * The access token the caller found stale (e.g. the one an API answered 401 to). When the
   * session already holds another one, from this tab or another, that one is returned and
   * nothing is sent. The refresh is reported with reason `unauthorized`.
   */
  readonly staleAccessToken?: string;
  readonly signal?: AbortSignal;
}

/** Options of {@link TokenManager.signInWithGrant}. */
export interface SignInWithGrantOptions {
  readonly signal?: AbortSignal;
  /**
   * Checks the endpoint's answer before the session starts (e.g. the id token's nonce); what it
   * throws rejects the sign-in, and no tab sees the tokens.
   */
  readonly verify?: (result: TokenGrantResult) => void;
  /** DPoP: the key this sign-in started with (redirect sign-in's `dpop_jkt`); default a new one. */
  readonly jkt?: string | undefined;
}

/** Keeps one session's access token valid, in one tab and across all of them. */
export interface TokenManager {
  /** This page load's id (events and the demo's timeline use it). */
  readonly tabId: string;
  readonly dialect: Dialect;
  /** The app's BroadcastChannel name; `undefined` when the manager works for this tab alone. */
  readonly channelName: string | undefined;
  /** Which lock guards refreshes here. */
  readonly lockKind: RefreshLock['kind'];
  /** DPoP, when the manager was given `dpop`. */
  readonly dpop: SessionDpop | undefined;
  /** Settles once the session was looked for in storage and in the other tabs. */
  readonly ready: Promise<void>;
  /**
   * Sends `grant` to the token endpoint and starts the session with the answer, in every tab.
   * What `signInWithRedirect`/`handleRedirectCallback` (`@baton/core/redirect`) and
   * `signInWithPassword` (`@baton/core/password`) are built on.
   */
  signInWithGrant(grant: TokenGrant, options?: SignInWithGrantOptions): Promise<void>;
  /** Starts a session with tokens obtained some other way; every tab adopts them. */
  setTokens(tokens: TokenInput): void;
  /** A valid access token, refreshed first (once, across all tabs) when needed. */
  getAccessToken(options?: GetAccessTokenOptions): Promise<string>;
  /** Refreshes now (single-flight, cross-tab), resolving to the new access token. */
  refresh(options?: RefreshOptions): Promise<string>;
  /**
   * Ends the session in every tab. A refresh still in flight cannot revive it. To also revoke
   * the tokens and end the provider's session, use `signOut` of `@baton/core/sign-out`.
   */
  signOut(options?: {
    /**
     * Called with the session's last tokens once every tab has been told (not without a
     * session): what `@baton/core/sign-out` revokes at the provider.
     */
    readonly ended?: (tokens: TokenSet) => void;
  }): Promise<void>;
  /** For bindings (`useSyncExternalStore`): called whenever the snapshot changes. */
  subscribe(listener: () => void): () => void;
  /** The current state; the same object until something changes. */
  getSnapshot(): Snapshot;
  /** Logging and devtools: events never carry a token. */
  onEvent(listener: (event: BatonEvent) => void): () => void;
  /** Stops timers, listeners and the channel. */
  destroy(): void;
}
