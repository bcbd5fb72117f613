import { BatonError } from './errors.js';
import { decodeJwtClaims } from './jwt.js';
import { misuse } from './options.js';
import { codeChallenge, randomString } from './pkce.js';
import type { Dialect, JsonValue, TokenGrant } from './types.js';
import { defined, isRecord } from './util.js';

/** Where a sign-in in progress waits for its callback: `sessionStorage` (this tab only). */
export type TransactionStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface AuthorizeOptions {
  /** Where the provider sends the user back; the code exchange repeats it exactly. */
  readonly redirectUri: string;
  /** Default: the dialect's scope, else `openid` for an OpenID Connect dialect. */
  readonly scope?: string | undefined;
  /**
   * App data (e.g. `{ returnTo: '/orders/42' }`), handed back by the callback: a string or any
   * JSON value. It stays in this tab's sessionStorage: the `state` sent to the provider is always
   * a fresh random value.
   */
  readonly state?: JsonValue | undefined;
  /** More parameters (`prompt`, `login_hint`…); they never replace Baton's own. */
  readonly extraParams?: Readonly<Record<string, string>> | undefined;
  /** Send a `nonce` (default: when the dialect is OpenID Connect). */
  readonly nonce?: boolean | undefined;
  /** The app's channel name (default `baton`): two apps on one origin keep apart. */
  readonly channel?: string | undefined;
  /** DPoP (RFC 9449 §10): the thumbprint of the key the code is to be bound to (`dpop_jkt`). */
  readonly dpopJkt?: string | undefined;
}

/** A callback ready to exchange: the grant, plus what the sign-in kept for afterwards. */
export type RedirectCallback = Extract<TokenGrant, { type: 'authorization_code' }> & {
  /** The nonce sent, to check the id token's against ({@link checkNonce}). */
  readonly nonce?: string | undefined;
  /** The app data given to {@link createAuthorizeRequest}. */
  readonly state?: JsonValue | undefined;
  /** DPoP: the key the sign-in started with, to exchange the code with. */
  readonly jkt?: string | undefined;
};

/** What waits in sessionStorage for the callback; `state` is the app's. */
interface Transaction {
  readonly verifier: string;
  readonly redirectUri: string;
  readonly createdAt: number;
  readonly nonce?: string | undefined;
  readonly state?: JsonValue | undefined;
  readonly jkt?: string | undefined;
}

/**
 * Whether `v` survives JSON as it is: no function, class instance, `NaN`, cycle (a cycle ends at
 * the depth bound)…; `undefined` only as an object's property, which JSON leaves out.
 */
const isJson = (v: unknown, depth = 0): boolean =>
  depth < 64 &&
  (v === null ||
    typeof v === 'string' ||
    typeof v === 'boolean' ||
    Number.isFinite(v) ||
    (typeof v === 'object' &&
      (Array.isArray(v) || [Object.prototype, null].includes(Object.getPrototypeOf(v))) &&
      Object.values(v).every(
        (x) => (x === undefined && !Array.isArray(v)) || isJson(x, depth + 1),
      )));

/** Storage is untrusted: a transaction of another shape is no sign-in of ours. */
const isTransaction = (tx: unknown): tx is Transaction =>
  isRecord(tx) &&
  typeof tx.verifier === 'string' &&
  typeof tx.redirectUri === 'string' &&
  Number.isFinite(tx.createdAt) &&
  (tx.nonce === undefined || typeof tx.nonce === 'string') &&
  (tx.jkt === undefined || typeof tx.jkt === 'string');

const keyOf = (channel = 'baton', state: string) => `baton:${channel}:pkce:${state}`;

/**
 * Starts a redirect sign-in (RFC 6749 §4.1 authorization code, RFC 7636 PKCE `S256`): returns
 * the authorization URL to navigate to, and keeps the code verifier, the redirect URI, the nonce
 * and the app's state in `storage` (default `sessionStorage`, never anything longer-lived) under
 * `baton:<channel>:pkce:<state>`. Throws a `TypeError` when the dialect has no `authorizeUrl` or
 * `clientId`, or when the app state is not JSON data; a dialect that discovers its endpoints
 * reads them first (a {@link BatonError} when it cannot).
 */
export async function createAuthorizeRequest(
  dialect: Dialect,
  options: AuthorizeOptions,
  storage: TransactionStorage = sessionStorage,
): Promise<{ url: string }> {
  await dialect.discover?.();
  const { authorizeUrl, clientId, oidc } = dialect;
  if (!authorizeUrl || !clientId)
    throw misuse(
      `set authorizeUrl and clientId on the ${dialect.name} dialect to sign in by redirect`,
    );
  const { redirectUri } = options;
  if (options.state !== undefined && !isJson(options.state))
    throw misuse("a redirect sign-in's app `state` must be JSON data");
  const verifier = randomString();
  const state = randomString();
  const nonce = (options.nonce ?? oidc) ? randomString() : undefined;
  const own = {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: options.scope ?? dialect.scope ?? (oidc ? 'openid' : undefined),
    state,
    code_challenge: await codeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce,
    dpop_jkt: options.dpopJkt,
  };
  const params = new URLSearchParams(defined(own));
  for (const [k, v] of Object.entries(options.extraParams ?? {}))
    if (!(k in own)) params.append(k, v);
  // JSON leaves out what is undefined (no nonce, no app state).
  const transaction: Transaction = {
    verifier,
    redirectUri,
    createdAt: Date.now(),
    nonce,
    state: options.state,
    jkt: options.dpopJkt,
  };
  storage.setItem(keyOf(options.channel, state), JSON.stringify(transaction));
  return { url: `${authorizeUrl}${authorizeUrl.includes('?') ? '&' : '?'}${params}` };
}

/**
 * Reads the redirect back from the provider (absolute `url`). The sign-in it answers is removed
 * from `storage` at once, so the same callback (a reload) can never be exchanged twice.
 *
 * Throws a {@link BatonError}, having sent nothing: `invalid_state` when `state` is missing,
 * unknown here (forged, another tab's or app's, already used) or older than 10 minutes;
 * `access_denied` for an `error` redirect (RFC 6749 §4.1.2.1), the provider's `error` and
 * `error_description` in `providerCode` and `description`; `invalid_request` without a code.
 */
export function parseRedirectCallback(
  url: string | URL,
  storage: TransactionStorage = sessionStorage,
  channel?: string,
): RedirectCallback {
  const params = new URL(url).searchParams;
  const get = (k: string) => params.get(k)?.slice(0, 200);
  const key = keyOf(channel, get('state') ?? '');
  const raw = get('state') && storage.getItem(key);
  if (!raw) throw new BatonError('invalid_state', 'Callback of no sign-in of this tab');
  storage.removeItem(key);
  const error = get('error');
  const description = get('error_description');
  if (error)
    throw new BatonError('access_denied', 'Sign-in refused', {
      providerCode: error,
      ...(description && { description }),
    });
  let tx: unknown;
  try {
    tx = JSON.parse(raw);
  } catch {}
  // 10 minutes (RFC 6749 §4.1.2's longest code lifetime).
  if (
    !isTransaction(tx) ||
    !tx.verifier ||
    !tx.redirectUri ||
    !(Date.now() - tx.createdAt < 600_000)
  )
    throw new BatonError('invalid_state', 'Sign-in expired');
  const { verifier, redirectUri } = tx;
  const code = params.get('code');
  if (!code) throw new BatonError('invalid_request', 'Callback without a code');
  return {
    type: 'authorization_code',
    code,
    redirectUri,
    codeVerifier: verifier,
    nonce: tx.nonce,
    state: tx.state,
    jkt: tx.jkt,
  };
}

/**
 * OpenID Connect Core §3.1.3.7: the id token from the code exchange must carry the `nonce` this
 * sign-in sent. Throws `invalid_nonce` when it does not; nothing to check without a nonce or an
 * id token.
 */
export function checkNonce(idToken: string | undefined, nonce: string | undefined): void {
  if (nonce && idToken && decodeJwtClaims(idToken)?.nonce !== nonce)
    throw new BatonError('invalid_nonce', 'Id token of another sign-in');
}

/**
 * Removes the callback's parameters (`code`, `state`, `session_state`, `error`,
 * `error_description`, `error_uri`, `iss`) from the address bar with `history.replaceState`, so
 * that no code stays in the history, a bookmark or a shared link. Does nothing outside a page.
 */
export function cleanCallbackUrl(): void {
  if (typeof location === 'undefined') return;
  const url = new URL(location.href);
  for (const p of 'code state session_state error error_description error_uri iss'.split(' '))
    url.searchParams.delete(p);
  history.replaceState(history.state, '', url.href);
}
