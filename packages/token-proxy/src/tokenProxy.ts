/**
 * A token proxy: the small server-side handler that lets a browser app refresh its tokens at a
 * provider that demands a client secret, without the secret ever reaching the browser.
 *
 * Why: a single-page app is a public client. Whatever it ships, its users (and any script on
 * its pages) can read, so it cannot keep a secret (RFC 6749 §2.1; draft-ietf-oauth-browser-based-apps
 * §6, whose architecture patterns put anything secret on a backend: the backend-for-frontend
 * and the token-mediating backend). The providers Baton speaks document `client_secret` in the
 * browser's own request anyway, EIAM and UAA even in the URL, which RFC 6749 §2.3.1 forbids
 * ("MUST NOT be included in the request URI"). This handler sits in front of such a token
 * endpoint: the browser sends its grant without a secret, the proxy checks where it comes from
 * and what it asks for, adds the secret from server configuration, forwards the request in the
 * provider's own shape, and hands the provider's answer back.
 *
 * Only web-standard APIs (`Request`, `Response`, `URL`, `URLSearchParams`, `fetch`,
 * `TextDecoder`, timers): it runs unchanged on Node, Bun, Deno and edge runtimes.
 *
 * It never logs, and never writes the client secret into anything the browser receives: its own
 * errors name no parameter value, and the provider's error bodies are scrubbed of the secret in
 * case the provider echoes the request.
 *
 * @module
 */

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
/** A body over the limit is still read (and dropped) up to this, so that the 413 gets through. */
const DRAIN_CAP = 1024 * 1024;
/** Token answers are small; anything larger is not one. */
const MAX_UPSTREAM_BYTES = 1024 * 1024;
const FORM = 'application/x-www-form-urlencoded';
/** Parameter names an error description may name; any other name stays anonymous. */
const KNOWN_PARAMS = new Set([
  'grant_type',
  'client_id',
  'client_secret',
  'refresh_token',
  'username',
  'password',
  'code',
  'code_verifier',
  'redirect_uri',
  'scope',
]);

type Param = readonly [name: string, value: string];

interface Config {
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

/**
 * Creates the token proxy handler: mount it on one path of any server that speaks `Request` and
 * `Response`, one handler per provider endpoint.
 *
 * For each request, in this order:
 * 1. `Origin` must be allowed (403); an allowed cross-origin `OPTIONS` preflight gets 204.
 * 2. Method `POST` or `GET` (405); body (and query string) at most `maxBodyBytes` (413, 414);
 *    a body must be `application/x-www-form-urlencoded` in UTF-8 (400).
 * 3. The parameters are the query string's plus the body's, strictly decoded; a parameter sent
 *    twice is refused (RFC 6749 §3.2), one sent empty counts as omitted.
 * 4. A `client_secret` from the browser is refused (400 `invalid_request`): the browser must not
 *    have one, and one that does was built with a secret that is now public. Rotate it. (Stripping
 *    it silently would hide that.) The browser's `Authorization` header is never forwarded.
 * 5. `grant_type` must be present (400 `invalid_request`) and allowed (400 `unsupported_grant_type`);
 *    `client_id` must match `clientId` when that is set (401 `invalid_client`).
 * 6. The request goes upstream in the provider's shape (`params`, `method`) with the secret added
 *    (after `client_id`), URL-encoded by `URLSearchParams`, redirects not followed.
 * 7. The provider's answer comes back with its status, its JSON body, `Retry-After` and `Date`,
 *    and `Cache-Control: no-store`. Its error bodies are scrubbed of the client secret. A 3xx, or
 *    a 2xx that is not JSON, is 502; a 4xx/5xx that is not JSON keeps its status with an RFC 6749
 *    §5.2 body instead. No answer (network failure) is 502, a timeout 504, both
 *    `{"error":"server_error"}`: transient for the app, which keeps its session and retries.
 *
 * Every answer the proxy makes itself is RFC 6749 §5.2 JSON and names no parameter value.
 *
 * @throws TypeError or RangeError at creation for invalid options (never naming the secret).
 */
export function createTokenProxy(options: TokenProxyOptions): TokenProxyHandler {
  const config = resolveConfig(options);
  return async (request) => {
    try {
      return await handle(config, request);
    } catch {
      // A bug, or a runtime handing over a broken Request: still an answer, never a secret.
      return oauthError(500, 'server_error', 'token proxy failure');
    }
  };
}

async function handle(config: Config, request: Request): Promise<Response> {
  const { headers } = request;
  const origin = checkOrigin(config, headers.get('origin'), headers.get('sec-fetch-site'));
  if (origin === false) return oauthError(403, 'invalid_request', 'origin not allowed');
  const cors = corsHeaders(origin);

  if (request.method === 'OPTIONS') return preflight(cors);
  if (request.method !== 'POST' && request.method !== 'GET') {
    return oauthError(405, 'invalid_request', 'method must be POST or GET', {
      ...cors,
      Allow: 'POST, GET, OPTIONS',
    });
  }
  const fail = (status: number, error: string, description: string) =>
    oauthError(status, error, description, cors);

  const url = new URL(request.url);
  const query = url.search.slice(1);
  if (query.length > config.maxBodyBytes) return fail(414, 'invalid_request', 'query too long');
  let bodyText = '';
  if (request.method === 'POST') {
    const body = await readBrowserBody(request, config.maxBodyBytes);
    if (body === 'too-large') return fail(413, 'invalid_request', 'request body too large');
    if (body === 'unreadable') return fail(400, 'invalid_request', 'unreadable request body');
    if (body.length > 0) {
      if (!isFormContentType(headers.get('content-type'))) {
        return fail(400, 'invalid_request', `Content-Type must be ${FORM}`);
      }
      const text = decodeUtf8(body);
      if (text === undefined) return fail(400, 'invalid_request', 'request body is not UTF-8');
      bodyText = text;
    }
  }

  const parsed = parseParams([query, bodyText]);
  if (typeof parsed === 'string') return fail(400, 'invalid_request', parsed);
  const get = (name: string) => parsed.find(([k]) => k === name)?.[1];
  if (get('client_secret') !== undefined) {
    return fail(
      400,
      'invalid_request',
      'client_secret must not come from the browser: the token proxy adds it',
    );
  }
  const grantType = get('grant_type');
  if (grantType === undefined) return fail(400, 'invalid_request', 'missing grant_type parameter');
  if (!config.grantTypes.has(grantType)) {
    return fail(400, 'unsupported_grant_type', 'grant_type not allowed by the token proxy');
  }
  const clientId = get('client_id');
  if (config.clientId !== undefined && clientId !== undefined && clientId !== config.clientId) {
    return fail(401, 'invalid_client', 'unknown client_id');
  }
  const params: readonly Param[] =
    clientId === undefined && config.clientId !== undefined
      ? [['client_id', config.clientId], ...parsed]
      : parsed;
  return forward(config, params, cors);
}

/**
 * `false`: refused. `undefined`: accepted, no CORS needed (same-origin, or no Origin allowed).
 * A string: an allowed cross-origin caller, to name in `Access-Control-Allow-Origin`.
 */
function checkOrigin(
  config: Config,
  origin: string | null,
  fetchSite: string | null,
): string | undefined | false {
  if (origin === null || origin === 'null') {
    // The browser's own word (a forbidden header: no page can set it).
    if (fetchSite === 'same-origin') return undefined;
    return origin === null && config.allowNoOrigin ? undefined : false;
  }
  return config.isAllowedOrigin(origin) ? origin : false;
}

function corsHeaders(origin: string | undefined): Record<string, string> {
  return origin === undefined
    ? {}
    : {
        'Access-Control-Allow-Origin': origin,
        // Baton reads Date to measure clock skew, and Retry-After to back off.
        'Access-Control-Expose-Headers': 'Date, Retry-After',
      };
}

function preflight(cors: Record<string, string>): Response {
  return new Response(null, {
    status: 204,
    headers: {
      ...cors,
      ...(cors['Access-Control-Allow-Origin'] !== undefined && {
        'Access-Control-Allow-Methods': 'POST, GET',
        'Access-Control-Allow-Headers': 'Accept, Content-Type',
        'Access-Control-Max-Age': '600',
      }),
      Allow: 'POST, GET, OPTIONS',
      Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      'Cache-Control': 'no-store',
    },
  });
}

async function forward(
  config: Config,
  params: readonly Param[],
  cors: Record<string, string>,
): Promise<Response> {
  const search = new URLSearchParams();
  for (const [name, value] of params) {
    search.append(name, value);
    if (name === 'client_id') search.append('client_secret', config.clientSecret);
  }
  if (!search.has('client_secret')) search.append('client_secret', config.clientSecret);
  // URLSearchParams encodes `+`, `/` and `=` (EIAM's secret needs it: a raw `+` reads as a space).
  const encoded = search.toString();
  const inQuery = config.params === 'query';
  const url = inQuery
    ? `${config.upstream}${config.upstream.includes('?') ? '&' : '?'}${encoded}`
    : config.upstream;
  const init: RequestInit = {
    method: config.method,
    headers: inQuery
      ? { Accept: 'application/json' }
      : { Accept: 'application/json', 'Content-Type': FORM },
    // A token endpoint that redirects is misconfigured; following it would resend the secret.
    redirect: 'manual',
    ...(!inQuery && { body: encoded }),
  };

  // One controller for the whole exchange; the race also ends a fetch that ignores its signal.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, config.timeoutMs);
  const stopped = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(new Error('timeout')));
  });
  let upstream: { status: number; headers: Headers; body: Uint8Array | 'too-large' };
  try {
    upstream = await Promise.race([
      (async () => {
        const res = await config.fetch(url, { ...init, signal: controller.signal });
        return {
          status: res.status,
          headers: res.headers,
          body: await readLimited(res.body, MAX_UPSTREAM_BYTES, 0),
        };
      })(),
      stopped,
    ]);
  } catch {
    // Never the error's message: a runtime may put the URL (EIAM, UAA: the secret) into it.
    return timedOut
      ? oauthError(504, 'server_error', 'token endpoint timed out', cors)
      : oauthError(502, 'server_error', 'token endpoint unreachable', cors);
  } finally {
    clearTimeout(timer);
  }
  return relay(config, upstream, cors);
}

/** The provider's answer, as the browser gets it. */
function relay(
  config: Config,
  upstream: { status: number; headers: Headers; body: Uint8Array | 'too-large' },
  cors: Record<string, string>,
): Response {
  const { status } = upstream;
  const passed: Record<string, string> = { ...cors };
  for (const name of ['Date', 'Retry-After']) {
    const value = upstream.headers.get(name);
    if (value !== null) passed[name] = value;
  }
  if (status < 200 || status > 599 || (status >= 300 && status < 400)) {
    return oauthError(502, 'server_error', 'token endpoint answered with a redirect', passed);
  }
  if (upstream.body === 'too-large') {
    return oauthError(502, 'server_error', 'token endpoint answer too large', passed);
  }
  const text = decodeUtf8(upstream.body);
  const json = text === undefined ? undefined : parseJson(text);
  if (text === undefined || json === undefined) {
    if (status < 300) {
      return oauthError(502, 'server_error', 'token endpoint answered without JSON', passed);
    }
    // Keep the status (what an app decides on); replace a body no app could read.
    const error = status >= 500 ? 'server_error' : 'invalid_request';
    return oauthError(status, error, `token endpoint answered ${status} without JSON`, passed);
  }
  // A success body carries the tokens and is passed byte for byte. An error body may echo the
  // request (some providers do): it never carries the client secret back.
  const body = status < 300 ? text : scrub(text, json.value, config.secretForms);
  return new Response(body, { status, headers: jsonHeaders(passed) });
}

function oauthError(
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ error, error_description: description }), {
    status,
    headers: jsonHeaders(headers),
  });
}

/** RFC 6749 §5.1: token answers are never cached. */
function jsonHeaders(extra: Record<string, string>): Record<string, string> {
  return {
    'Content-Type': 'application/json;charset=UTF-8',
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    Vary: 'Origin',
    ...extra,
  };
}

/** Reads the browser's body up to `limit` bytes; a larger one is drained (up to a cap) and dropped. */
async function readBrowserBody(
  request: Request,
  limit: number,
): Promise<Uint8Array | 'too-large' | 'unreadable'> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > Math.max(limit, DRAIN_CAP)) return 'too-large';
  try {
    return await readLimited(request.body, limit, DRAIN_CAP);
  } catch {
    return 'unreadable';
  }
}

/**
 * Reads a stream, keeping at most `limit` bytes. Past the limit it keeps reading (and dropping)
 * up to `drainCap` bytes in total, then gives up.
 */
async function readLimited(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
  drainCap: number,
): Promise<Uint8Array | 'too-large'> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size <= limit) chunks.push(value);
    else if (size > drainCap) {
      await reader.cancel().catch(() => {});
      return 'too-large';
    }
  }
  if (size > limit) return 'too-large';
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** `application/x-www-form-urlencoded`, with no charset or a UTF-8 one (RFC 6749 Appendix B). */
function isFormContentType(header: string | null): boolean {
  if (header === null) return false;
  const [type, ...rest] = header.split(';').map((s) => s.trim().toLowerCase());
  if (type !== FORM) return false;
  return rest.every((p) => {
    const [name, value] = p.split('=', 2);
    return p === '' || name !== 'charset' || value?.replaceAll('"', '') === 'utf-8';
  });
}

/**
 * The parameters of several `application/x-www-form-urlencoded` strings, in order, or why they
 * are refused. Strict: a bad percent-escape is an error (not a silent U+FFFD), a parameter sent
 * twice is an error (RFC 6749 §3.2), and an empty value counts as omitted (§3.2).
 */
function parseParams(sources: readonly string[]): Param[] | string {
  const seen = new Set<string>();
  const params: Param[] = [];
  for (const source of sources) {
    for (const part of source.split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const name = decodeComponent(eq < 0 ? part : part.slice(0, eq));
      const value = decodeComponent(eq < 0 ? '' : part.slice(eq + 1));
      if (name === undefined || value === undefined) return 'malformed percent-encoding';
      if (seen.has(name)) {
        return KNOWN_PARAMS.has(name) ? `repeated ${name} parameter` : 'repeated parameter';
      }
      seen.add(name);
      if (name !== '' && value !== '') params.push([name, value]);
    }
  }
  return params;
}

function decodeComponent(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

/** The JSON text with every occurrence of the secret in its strings replaced. */
function scrub(text: string, json: unknown, forms: readonly string[]): string {
  let changed = false;
  const clean = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const next = forms.reduce((s, form) => s.split(form).join('[redacted]'), value);
      changed ||= next !== value;
      return next;
    }
    if (Array.isArray(value)) return value.map(clean);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [clean(k) as string, clean(v)]),
      );
    }
    return value;
  };
  const cleaned = clean(json);
  return changed ? JSON.stringify(cleaned) : text;
}

function resolveConfig(options: TokenProxyOptions): Config {
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
    secretForms: [
      ...new Set([
        clientSecret,
        encodeURIComponent(clientSecret),
        new URLSearchParams({ s: clientSecret }).toString().slice(2),
      ]),
    ].sort((a, b) => b.length - a.length),
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
