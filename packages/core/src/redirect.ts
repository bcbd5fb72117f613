import { misuse } from './options.js';
import {
  checkNonce,
  cleanCallbackUrl,
  createAuthorizeRequest,
  parseRedirectCallback,
  type RedirectCallback,
} from './redirectSignIn.js';
import type { TokenManager } from './tokenManagerTypes.js';
import type { JsonValue } from './types.js';

export interface SignInWithRedirectOptions {
  /** Where the provider sends the user back (default: this page, origin + path). */
  readonly redirectUri?: string;
  /** Default: the dialect's scope, else `openid` for an OpenID Connect dialect. */
  readonly scope?: string;
  /**
   * App data, e.g. `{ returnTo: '/orders/42' }`: a string or any JSON value, kept in this tab's
   * sessionStorage (never in a URL) and handed back by {@link handleRedirectCallback}.
   */
  readonly state?: JsonValue;
  /** More parameters (`prompt`, `login_hint`…); they never replace Baton's own. */
  readonly extraParams?: Readonly<Record<string, string>>;
}

/**
 * Signs in by redirect (RFC 6749 §4.1 authorization code with RFC 7636 PKCE, the recommended way
 * for a browser app): leaves for the provider's login page. Throws a `TypeError`, without
 * leaving, when the dialect has no `authorizeUrl` or `clientId`, when `authorizeUrl` led back to
 * this page (a page-relative default answered by the app's own server would loop), or when the
 * app `state` is not JSON data (a function, a class instance, a cycle…).
 */
export async function signInWithRedirect(
  manager: TokenManager,
  { redirectUri = location.origin + location.pathname, ...rest }: SignInWithRedirectOptions = {},
): Promise<void> {
  await manager.dialect.discover?.(); // a standard dialect learns its authorizeUrl
  // A page-relative authorizeUrl that the app's own server answers (a dev server's SPA fallback)
  // loads this app again, which signs in again: a loop. Its second pass is refused here.
  const { authorizeUrl } = manager.dialect;
  const target = authorizeUrl ? new URL(authorizeUrl, location.href) : undefined;
  if (target?.origin === location.origin && target.pathname === location.pathname)
    throw misuse(
      `authorizeUrl (${target.pathname}) led back to this app: set it to your provider's ` +
        'authorization endpoint (an absolute URL, or a path your server proxies to it)',
    );
  const { url } = await createAuthorizeRequest(manager.dialect, {
    ...rest,
    redirectUri,
    channel: manager.channelName,
    // DPoP: the code is bound to a new key, which the callback's exchange proves (RFC 9449 §10).
    dpopJkt: await manager.dpop?.create(),
  });
  location.assign(url);
}

/**
 * On the redirect URI's page: exchanges the code (once: a reload cannot resend it), checks the
 * id token's nonce (OpenID Connect Core §3.1.3.7), starts the session in every tab and cleans
 * the address bar. Resolves to the app state given to {@link signInWithRedirect}.
 *
 * Rejects with a `BatonError`: `invalid_state` (no sign-in of this tab: forged, reloaded or
 * expired), `access_denied` (the provider said no), `invalid_nonce`, or the token endpoint's.
 */
export async function handleRedirectCallback(
  manager: TokenManager,
  url: string = location.href,
): Promise<{ state?: JsonValue | undefined }> {
  let callback: RedirectCallback;
  try {
    callback = parseRedirectCallback(url, sessionStorage, manager.channelName);
  } finally {
    cleanCallbackUrl();
  }
  const { nonce, state, jkt, ...grant } = callback;
  await manager.signInWithGrant(grant, {
    verify: (result) => checkNonce(result.idToken, nonce),
    jkt,
  });
  return { state };
}
