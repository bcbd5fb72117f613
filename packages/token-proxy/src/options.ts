import { secretForms } from './redact.js';

/** The token proxy's options, and their checked form (`Config`): one place for every default. */

/** A `Request → Response` handler; it never rejects. */
export type TokenProxyHandler = (request: Request) => Promise<Response>;

/** Where the provider wants the token request's parameters. */
export type TokenProxyParams = 'body' | 'query';

/** The options of `createTokenProxy`: where to forward, the secret to add, whom to serve. */
export interface TokenProxyOptions {
  /** The provider's token endpoint, absolute `http(s)` URL (it may carry a query of its own). */
  readonly upstream: string;
  /** Added to every forwarded request (RFC 6749 §2.3.1 `client_secret`). Server-side only. */
  readonly clientSecret: string;
  /**
   * When set, a request naming another `client_id` is refused (401 `invalid_client`), and one
   * naming none gets this one.
   */
  readonly clientId?: string | undefined;
  /**
   * Browser origins allowed to use the proxy: exact matches of the `Origin` header, each written
   * as browsers serialize it (`https://app.example.com`, `http://127.0.0.1:5173`: scheme, host,
   * port when not the default, no path, no trailing slash). A function decides instead (it gets
   * the header as sent; `null` origins never reach it). Allowed cross-origin callers also get CORS
   * answers, preflight included; everyone else gets 403.
   *
   * Without an `Origin` (or with `Origin: null`), a request is accepted only when the browser
   * itself says it is same-origin (`Sec-Fetch-Site: same-origin`, which no page can forge): the
   * Fetch standard sends no `Origin` on a same-origin GET (the `uaa` dialect's method) and
   * `null` on a same-origin POST from a page with `Referrer-Policy: no-referrer`.
   */
  readonly allowedOrigins: readonly string[] | ((origin: string) => boolean);
  /**
   * Also accept requests with no `Origin` and no same-origin `Sec-Fetch-Site` (server-to-server
   * callers, curl). Default false. `Origin: null` is refused either way.
   */
  readonly allowNoOrigin?: boolean | undefined;
  /**
   * Grant types the proxy forwards. Default `['refresh_token']`; add `'authorization_code'` for a
   * code exchange through the proxy, `'password'` for a demo's sign-in. Anything else gets 400
   * `unsupported_grant_type` without reaching the provider.
   */
  readonly grantTypes?: readonly string[] | undefined;
  /**
   * Where the provider wants the parameters, as the dialects send them: `body`
   * (`application/x-www-form-urlencoded`: CIAM, chat-room) or `query` (EIAM; UAA with `GET`).
   * Default `body`, or `query` when `method` is `GET`.
   */
  readonly params?: TokenProxyParams | undefined;
  /** The method of the forwarded request. Default `POST`; UAA wants `GET` (with `params: 'query'`). */
  readonly method?: 'GET' | 'POST' | undefined;
  /** Largest request body (and query string) accepted from the browser, bytes. Default 8 kB. */
  readonly maxBodyBytes?: number | undefined;
  /** Default `globalThis.fetch`. */
  readonly fetch?: typeof fetch | undefined;
  /**
   * Bounds the whole upstream exchange, body included; past it the browser gets 504. Default
   * 8000 ms: under Baton's own 10 s request timeout, so the app sees the proxy's answer.
   */
  readonly timeoutMs?: number | undefined;
}

const DEFAULT_MAX_BODY_BYTES = 8 * 1024;
const DEFAULT_TIMEOUT_MS = 8000;

export interface Config {
  readonly upstream: string;
  readonly clientSecret: string;
  readonly clientId: string | undefined;
  readonly isAllowedOrigin: (origin: string) => boolean;
  readonly allowNoOrigin: boolean;
  readonly grantTypes: ReadonlySet<string>;
  readonly params: TokenProxyParams;
  readonly method: 'GET' | 'POST';
  readonly maxBodyBytes: number;
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  /** The secret as it could appear in an echoed request: raw and URL-encoded, longest first. */
  readonly secretForms: readonly string[];
}

export function resolveConfig(options: TokenProxyOptions): Config {
  const { clientSecret, clientId } = options;
  if (typeof clientSecret !== 'string' || clientSecret === '') {
    throw new TypeError('createTokenProxy: clientSecret must be a non-empty string');
  }
  if (clientId !== undefined && (typeof clientId !== 'string' || clientId === '')) {
    throw new TypeError('createTokenProxy: clientId, when set, must be a non-empty string');
  }
  const upstream = validUpstream(options.upstream);
  const method = options.method ?? 'POST';
  if (method !== 'GET' && method !== 'POST') {
    throw new TypeError("createTokenProxy: method must be 'GET' or 'POST'");
  }
  const params = options.params ?? (method === 'GET' ? 'query' : 'body');
  if (params !== 'body' && params !== 'query') {
    throw new TypeError("createTokenProxy: params must be 'body' or 'query'");
  }
  if (method === 'GET' && params === 'body') {
    throw new TypeError("createTokenProxy: a GET sends no body: use params: 'query'");
  }
  const grantTypes = options.grantTypes ?? ['refresh_token'];
  if (!Array.isArray(grantTypes) || grantTypes.some((g) => typeof g !== 'string' || g === '')) {
    throw new TypeError('createTokenProxy: grantTypes must be non-empty strings');
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw new RangeError('createTokenProxy: maxBodyBytes must be a whole number, 1 or more');
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError('createTokenProxy: timeoutMs must be a positive number of ms');
  }
  const fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  return {
    upstream,
    clientSecret,
    clientId,
    isAllowedOrigin: originMatcher(options.allowedOrigins),
    allowNoOrigin: options.allowNoOrigin === true,
    grantTypes: new Set(grantTypes),
    params,
    method,
    maxBodyBytes,
    fetch: fetchFn,
    // setTimeout fires at once above 2^31-1 ms.
    timeoutMs: Math.min(timeoutMs, 2 ** 31 - 1),
    secretForms: secretForms(clientSecret),
  };
}

function validUpstream(upstream: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof upstream === 'string' ? new URL(upstream) : undefined;
  } catch {
    url = undefined;
  }
  if (
    url === undefined ||
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.username !== '' ||
    url.password !== '' ||
    url.hash !== ''
  ) {
    throw new TypeError(
      'createTokenProxy: upstream must be an absolute http(s) URL without credentials or fragment',
    );
  }
  return url.href;
}

function originMatcher(allowed: TokenProxyOptions['allowedOrigins']): (origin: string) => boolean {
  if (typeof allowed === 'function') return (origin) => allowed(origin) === true;
  if (!Array.isArray(allowed)) {
    throw new TypeError(
      'createTokenProxy: allowedOrigins must be an array of origins or a function',
    );
  }
  for (const origin of allowed) {
    if (!isSerializedOrigin(origin)) {
      throw new TypeError(
        `createTokenProxy: allowedOrigins: ${JSON.stringify(origin)} is not an origin like https://app.example.com (no path, no trailing slash, no wildcard)`,
      );
    }
  }
  const set = new Set<string>(allowed);
  return (origin) => set.has(origin);
}

function isSerializedOrigin(origin: unknown): boolean {
  if (typeof origin !== 'string') return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === origin;
  } catch {
    return false;
  }
}
