import { misuse } from './options.js';
import type { TokenManager } from './tokenManagerTypes.js';

/** Options of {@link createAuthFetch}. */
export interface AuthFetchOptions {
  /**
   * Origins that get the bearer token (`https://api.example.com`), compared exactly by
   * `new URL(x).origin`: scheme, host and port, no prefix or suffix matching. Default: the page's
   * own origin. When given, only these: list `location.origin` too if same-origin calls need it.
   */
  readonly allowedOrigins?: readonly string[];
  /** What sends the request (default: the global `fetch` at call time). */
  readonly fetch?: typeof fetch;
  /**
   * Which 401 answers refresh the token and replay the request once: `'invalid_token'` (default)
   * those whose `WWW-Authenticate` says `error="invalid_token"` (RFC 6750 §3.1); `'always'` all.
   */
  readonly retryOn401?: 'invalid_token' | 'always';
}

/** `fetch`, with the session's bearer token for allowed origins. */
// `RequestInfo` spelled out: it is DOM-only, and a Node project without the DOM lib reads this too.
export type AuthFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

const INVALID_TOKEN = /\berror\s*=\s*"?invalid_token\b/i;

/**
 * A `fetch` that adds `Authorization: Bearer <token>` to requests for `allowedOrigins` (never to
 * the token endpoint, never over a header the caller set), and on a 401 refreshes once (across
 * tabs) and replays the request once. Other requests go out untouched.
 *
 * Rejects like `fetch`: with the signal's reason (an `AbortError`) when the request's signal
 * fires at any step; with `BatonError('signed_out')`, sending nothing, without a session; with
 * the refresh's `BatonError` when the refresh after a 401 fails. A body that cannot be replayed
 * (a `ReadableStream`, `duplex: 'half'`) still triggers the refresh, and its 401 is returned.
 * Throws a `TypeError` at once when an allowed origin is not an absolute URL.
 */
export function createAuthFetch(manager: TokenManager, options: AuthFetchOptions = {}): AuthFetch {
  const page = globalThis.location;
  const allowed = new Set(
    (options.allowedOrigins ?? (page ? [page.origin] : [])).map((origin) => {
      try {
        return new URL(origin).origin;
      } catch {
        throw misuse(`allowedOrigins: ${String(origin).slice(0, 80)} is not an absolute URL`);
      }
    }),
  );
  allowed.delete('null'); // opaque origins (data:, file:) are all `null`: never a match
  const send = (request: Request, token?: string) => {
    const fetchFn: typeof fetch = (input, init) => (options.fetch ?? fetch)(input, init);
    // DPoP (RFC 9449 §7): the token goes with a proof of the session's key.
    if (token && manager.dpop) return manager.dpop.fetch(fetchFn, token)(request);
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return fetchFn(request);
  };
  // The manager rejects with BatonError('aborted'); fetch's callers expect the signal's reason.
  const wait = async <T>(promise: Promise<T>, signal: AbortSignal): Promise<T> => {
    try {
      return await promise;
    } catch (error) {
      signal.throwIfAborted();
      throw error;
    }
  };

  return async (input, init) => {
    // Decide on the URL the request will really go to (relative ones resolve like fetch's).
    const request = new Request(input, init);
    const { signal } = request;
    const url = new URL(request.url);
    const token = new URL(
      manager.dialect.tokenUrl,
      globalThis.document?.baseURI ?? page?.href ?? url,
    );
    if (
      !allowed.has(url.origin) ||
      request.headers.has('authorization') ||
      (token.origin === url.origin && token.pathname === url.pathname)
    )
      return send(request);
    const accessToken = await wait(manager.getAccessToken({ signal }), signal);
    const streamed =
      init?.body instanceof ReadableStream || (init !== undefined && 'duplex' in init);
    const replay = streamed ? undefined : request.clone();
    const response = await send(request, accessToken);
    const challenge = response.headers.get('www-authenticate') ?? '';
    if (
      response.status !== 401 ||
      (options.retryOn401 !== 'always' && !INVALID_TOKEN.test(challenge))
    )
      return response;
    // Refresh even when the body cannot be replayed, so that the caller's own retry succeeds.
    const fresh = await wait(manager.refresh({ staleAccessToken: accessToken, signal }), signal);
    if (!replay) return response;
    response.body?.cancel().catch(() => {});
    return send(replay, fresh);
  };
}
