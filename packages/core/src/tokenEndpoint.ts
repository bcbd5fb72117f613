import { abortError } from './abort.js';
import { invalid } from './dialect.js';
import { BatonError, isBatonError } from './errors.js';
import { type SendOptions, send } from './http.js';
import type { Dialect, TokenGrant, TokenGrantResult, TokenRequest } from './types.js';
import { defined } from './util.js';

export interface RequestTokensOptions extends Omit<SendOptions, 'redact' | 'what'> {
  /** Default `Date.now`. */
  readonly now?: () => number;
  /** Wraps the token request's `fetch` (not discovery's): DPoP proves the key with it. */
  readonly prove?: ((fetchFn: typeof fetch) => typeof fetch) | undefined;
}

export interface TokenEndpointAnswer {
  readonly result: TokenGrantResult;
  /** `now()` right before the request was sent. */
  readonly sentAt: number;
  /** The response's `Date` header in ms, when it parses. */
  readonly serverDate?: number;
}

type Redact = (text: string) => string;

/** The grant's secrets and every secret parameter of the request, raw and URL-encoded. */
const redactor = (grant: TokenGrant, request: TokenRequest): Redact => {
  const raw =
    grant.type === 'password'
      ? [grant.password]
      : grant.type === 'refresh_token'
        ? [grant.refreshToken]
        : [grant.code, grant.codeVerifier];
  for (const p of [
    new URLSearchParams(request.url.split('?')[1]),
    new URLSearchParams(request.body),
  ]) {
    for (const k of ['client_secret', 'refresh_token', 'password', 'code', 'code_verifier'])
      raw.push(...p.getAll(k));
  }
  const secrets = [
    ...new Set(
      raw.flatMap((s) =>
        s ? [s, encodeURIComponent(s), new URLSearchParams({ s }).toString().slice(2)] : [],
      ),
    ),
  ].sort((a, b) => b.length - a.length);
  return (text) => secrets.reduce((t, s) => t.split(s).join('[redacted]'), text);
};

/** Redacts every string of a JSON body (whatever its escapes), or the raw text. */
const redactBody = (body: string, redact: Redact): string => {
  try {
    return JSON.stringify(
      JSON.parse(body, (_k, v: unknown) => (typeof v === 'string' ? redact(v) : v)),
    );
  } catch {
    return redact(body);
  }
};

/** A copy of `e` whose texts are redacted; no `cause`, which could hold anything. */
const redactError = (e: BatonError, redact: Redact): BatonError =>
  new BatonError(
    e.code,
    redact(e.message),
    defined({
      terminal: e.terminal,
      status: e.status,
      providerCode: e.providerCode && redact(e.providerCode),
      description: e.description && redact(e.description),
      retryAfterMs: e.retryAfterMs,
    }),
  );

/**
 * Sends one grant to a token endpoint (RFC 6749 §6 refresh, §4.3 password, §4.1.3 authorization
 * code) and reads the answer with the dialect (§5.1 success, §5.2 error).
 *
 * Rejects only with a {@link BatonError}: `aborted` (the caller's signal; nothing is sent when it
 * fired before), `timeout`, `network` (no answer, or the body could not be read), or the
 * dialect's classification of the answer. No error carries the grant's refresh token, password,
 * authorization code or code verifier, or the client secret, even when the endpoint echoes them.
 */
export async function requestTokens(
  dialect: Dialect,
  grant: TokenGrant,
  options: RequestTokensOptions = {},
): Promise<TokenEndpointAnswer> {
  const { now = Date.now } = options;
  if (options.signal?.aborted) throw abortError();
  await dialect.discover?.(options);
  const request = dialect.buildTokenRequest(grant);
  const redact = redactor(grant, request);
  const sentAt = now();
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const response = await send(request, {
    ...options,
    fetch: options.prove ? options.prove(fetchFn) : fetchFn,
    redact,
    what: 'Token endpoint',
  });

  let result: TokenGrantResult;
  try {
    result = dialect.parseTokenResponse(response);
  } catch (e) {
    let error = isBatonError(e) ? e : invalid('unreadable');
    // Read the error again from a redacted body: a secret echoed across the point where a
    // description is cut would otherwise survive in part.
    try {
      dialect.parseTokenResponse({ ...response, body: redactBody(response.body, redact) });
    } catch (again) {
      if (isBatonError(again) && again.code === error.code) error = again;
    }
    throw redactError(error, redact);
  }
  const serverDate = Date.parse(response.headers.get('date') ?? '');
  return { result, sentAt, ...(Number.isFinite(serverDate) && { serverDate }) };
}
