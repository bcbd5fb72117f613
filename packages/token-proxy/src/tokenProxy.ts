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

import { oauthError } from './answers.js';
import { readBrowserBody } from './body.js';
import { checkOrigin, corsHeaders, preflight } from './cors.js';
import {
  decodeUtf8,
  FORM_CONTENT_TYPE,
  type FormParam,
  isFormContentType,
  parseForm,
} from './form.js';
import { forward } from './forward.js';
import {
  type Config,
  resolveConfig,
  type TokenProxyHandler,
  type TokenProxyOptions,
} from './options.js';

export type { TokenProxyHandler, TokenProxyOptions, TokenProxyParams } from './options.js';

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
        return fail(400, 'invalid_request', `Content-Type must be ${FORM_CONTENT_TYPE}`);
      }
      const text = decodeUtf8(body);
      if (text === undefined) return fail(400, 'invalid_request', 'request body is not UTF-8');
      bodyText = text;
    }
  }

  const form = parseForm([query, bodyText]);
  if (!form.ok) return fail(400, 'invalid_request', form.description);
  // RFC 6749 §3.2: a parameter sent without a value is treated as omitted.
  const parsed = form.params.filter(([name, value]) => name !== '' && value !== '');
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
  const params: readonly FormParam[] =
    clientId === undefined && config.clientId !== undefined
      ? [['client_id', config.clientId], ...parsed]
      : parsed;
  return forward(config, params, cors);
}
