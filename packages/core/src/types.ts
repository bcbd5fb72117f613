import type { BatonError } from './errors.js';

/** Claims of a JWT access token, as decoded (never verified: the client cannot verify them). */
export interface JwtClaims {
  readonly iss?: string;
  readonly sub?: string;
  readonly aud?: string | readonly string[];
  readonly exp?: number;
  readonly nbf?: number;
  readonly iat?: number;
  readonly jti?: string;
  readonly [claim: string]: unknown;
}

/**
 * The tokens of one session at one moment.
 *
 * `expiresAt` is absolute, in ms on the local clock, computed from when the request was sent and
 * the shorter of the endpoint's declared lifetime and the JWT's own (`exp - iat`): a wrong local
 * clock or a slow answer never makes a token look longer-lived than it is.
 */
export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** When the access token expires, ms since the epoch (local clock). */
  readonly expiresAt: number;
  /** When the refresh token expires, when the endpoint says so. */
  readonly refreshExpiresAt?: number;
  readonly scope?: string;
  readonly tokenType: string;
  readonly idToken?: string;
  /** Decoded claims when the access token is a JWT. */
  readonly claims?: JwtClaims;
  /**
   * DPoP (RFC 9449): the RFC 7638 thumbprint of the key the tokens are bound to. Every tab signs
   * with that key, found by this thumbprint: never another tab's newer one.
   */
  readonly jkt?: string;
  /** Grows by one with every new TokenSet of a session, across tabs. An older one never replaces a newer one. */
  readonly generation: number;
}

/**
 * A grant the token endpoint is asked for (RFC 6749 §6 refresh, §4.3 password, §4.1.3
 * authorization code with the RFC 7636 PKCE verifier).
 */
export type TokenGrant =
  | { readonly type: 'refresh_token'; readonly refreshToken: string; readonly scope?: string }
  | {
      readonly type: 'password';
      readonly username: string;
      readonly password: string;
      readonly scope?: string;
    }
  | {
      readonly type: 'authorization_code';
      readonly code: string;
      readonly redirectUri: string;
      readonly codeVerifier: string;
    };

/** An HTTP request to a token endpoint, as a dialect builds it. Plain data: easy to test. */
export interface TokenRequest {
  readonly method: 'GET' | 'POST';
  /** Absolute or page-relative URL, query string included. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** A token endpoint's HTTP answer, as a dialect reads it. */
export interface TokenResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/**
 * What a dialect reads out of a successful token response: the RFC 6749 §5.1 fields with the
 * lifetimes already converted to milliseconds.
 */
export interface TokenGrantResult {
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** Access token lifetime in ms, from the endpoint's own field and unit. */
  readonly expiresIn?: number;
  /** Refresh token lifetime in ms, when the endpoint says it. */
  readonly refreshExpiresIn?: number;
  readonly scope?: string;
  readonly tokenType: string;
  readonly idToken?: string;
}

/** What {@link Dialect.discover} is given: the manager's `fetch` and the caller's signal. */
export interface DiscoverOptions {
  /** Default: the global `fetch`. */
  readonly fetch?: typeof fetch | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Bounds the request (default 10 s). */
  readonly timeoutMs?: number | undefined;
}

/**
 * How to talk to one token endpoint: data plus two small functions.
 * Nothing else in Baton knows a provider's name.
 */
export interface Dialect {
  readonly name: string;
  /**
   * The token endpoint's URL (without query); authFetch never sends the bearer token there.
   * Empty until {@link Dialect.discover} has read it, for a dialect that discovers it.
   */
  readonly tokenUrl: string;
  /** Redirect sign-in: the authorization endpoint (absolute or page-relative). */
  readonly authorizeUrl?: string | undefined;
  /** Redirect sign-in: the `client_id` sent to the authorization endpoint. */
  readonly clientId?: string | undefined;
  /** Redirect sign-in: the scope asked for when the caller names none. */
  readonly scope?: string | undefined;
  /** An OpenID Connect provider: redirect sign-in sends a `nonce` and checks the id token's. */
  readonly oidc?: boolean | undefined;
  /** OpenID Connect RP-Initiated Logout 1.0: the provider's `end_session_endpoint`. */
  readonly endSessionUrl?: string | undefined;
  /**
   * Reads the endpoints from the provider's metadata (OpenID Connect Discovery 1.0, RFC 8414),
   * once: Baton awaits it before it uses an endpoint, so the fields above are known after it.
   * Rejects with a {@link BatonError} (`invalid_metadata`, `network`, `timeout`, `aborted`).
   */
  discover?(options?: DiscoverOptions): Promise<void>;
  /** RFC 7009: the request that revokes `token` at the provider, when it has an endpoint for it. */
  buildRevocationRequest?(
    token: string,
    hint: 'refresh_token' | 'access_token',
  ): TokenRequest | undefined;
  /** Builds the HTTP request for a grant. Pure. */
  buildTokenRequest(grant: TokenGrant): TokenRequest;
  /**
   * Reads the endpoint's answer. Returns the tokens, or throws a {@link BatonError}
   * (typed and classified terminal/transient) for every error answer and malformed body.
   */
  parseTokenResponse(response: TokenResponse): TokenGrantResult;
}

/** The states of a session. */
export type SessionStatus = 'signed-out' | 'valid' | 'refreshing' | 'expired' | 'error';

/**
 * What bindings render. A new object only when something in it changed, so
 * `useSyncExternalStore` re-renders only then.
 */
export interface Snapshot {
  readonly status: SessionStatus;
  readonly accessToken: string | undefined;
  readonly expiresAt: number | undefined;
  readonly generation: number;
  readonly claims: JwtClaims | undefined;
  /**
   * The ID token's claims (OpenID Connect: `sub`, `name`, `email`…), decoded, not verified;
   * `undefined` without an ID token or when it does not decode. Never the token itself.
   */
  readonly profile: JwtClaims | undefined;
  /** The last refresh error, while it matters (transient while retrying, or terminal). */
  readonly error: BatonError | undefined;
  /**
   * Whether the start-up is over: storage was read and the other tabs were asked for their
   * session (`manager.ready` resolves). Until then a session held by another tab still reads as
   * `signed-out`: render a loading state, not a sign-in button.
   */
  readonly ready: boolean;
}

/** What JSON carries as it is: the app state of a redirect sign-in. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };

/** How long to wait for a lock, and the caller's signal. Every wait is bounded. */
export interface LockRunOptions {
  /** Give up waiting after this long (`lock_timeout`). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/** What a lock tells the task it runs. */
export interface LockLease {
  /**
   * Await it just before the effect that must happen once. Rejects when the lock has learnt that
   * another tab held it at the same time (a lock built on messages whose delivery was later than
   * its window, as on a stalled machine): the lock then runs the task again once it truly holds
   * it. A lock that cannot be held twice (Web Locks) resolves at once.
   */
  confirm(): Promise<void>;
}

/**
 * The cross-tab refresh lock: one small interface, with Web Locks, the BroadcastChannel lock
 * (`@baton/core/broadcast-lock`) and a one-tab mutex behind it.
 */
export interface RefreshLock {
  readonly kind: 'web-locks' | 'broadcast' | 'local';
  /** Runs `task` while holding the lock; the lock is released when it settles. */
  run<T>(task: (lease: LockLease) => Promise<T>, options: LockRunOptions): Promise<T>;
  /** Lets go of what the lock holds (listeners, a lease): the manager is being destroyed. */
  close(): void;
}

/**
 * Where a session survives a reload: `webStorage()` from `@baton/core/storage`, or your own.
 * What it loads is untrusted: the manager checks its shape, and clears it when it is not a session.
 */
export interface SessionStore {
  /** Names the stored session in the `storage-corrupt` event. */
  readonly key: string;
  /** What is stored (untrusted: the manager checks it), or `undefined` when nothing is. */
  load(): unknown;
  /** Keeps the session's tokens (what of them is up to the store). */
  save(tokens: TokenSet): void;
  /** Forgets the session: sign-out, or a corrupt entry. */
  clear(): void;
}

/** Makes the store for a manager, given the app's name (its channel name, else `session`). */
export type SessionStoreFactory = (name: string) => SessionStore;

/**
 * The DPoP keys of an app (RFC 9449), shared by its tabs: `dpop()` from `@baton/core/dpop`
 * keeps them non-extractable in IndexedDB. Each session has its own key, created at sign-in and
 * found again by its thumbprint.
 */
export interface DpopKeys {
  /** Creates a key pair for a new session where every tab finds it; resolves to its thumbprint. */
  create(): Promise<string>;
  /**
   * `fetchFn`, proving possession of the key `jkt` with every request (RFC 9449): a `DPoP` proof
   * (§4.2) of the request's method and URL; for a resource request (`accessToken` given) the
   * `DPoP` scheme and the token's hash in the proof (§7.1). It learns the servers' nonces
   * (`DPoP-Nonce`, §8, §9) for every tab and sends a request once more when a server asks for
   * its nonce. Rejects with `dpop_unavailable` when the key is gone.
   */
  fetch(jkt: string, fetchFn: typeof fetch, accessToken?: string): typeof fetch;
  /** Forgets the key `jkt`: its session is over. */
  remove(jkt: string): Promise<void>;
}

/** Makes the DPoP keys for a manager, given the app's name (its channel name, else `session`). */
export type DpopKeysFactory = (name: string) => DpopKeys;
