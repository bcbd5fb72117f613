import { BatonError, type ErrorCode, isBatonError, isTerminalCode } from './errors.js';
import type { Dialect, TokenGrantResult, TokenResponse } from './types.js';
import { defined, isRecord } from './util.js';

/** The options every built-in dialect factory takes. */
export interface DialectOptions {
  readonly clientId: string;
  /**
   * Sent only when set. A public single-page app cannot keep a secret: leave it out and let a
   * token proxy add it server side, unless the provider insists on seeing it from the browser.
   */
  readonly clientSecret?: string;
  /** Absolute or page-relative; defaults to the provider's documented path. */
  readonly tokenUrl?: string;
  /**
   * Scope asked for at sign-in (RFC 6749 §3.3): by redirect sign-in, and with a password grant
   * that names none. Never sent with an authorization code, which already carries its scope, nor
   * with a refresh (RFC 6749 §6: the scope of a refresh is optional and must not exceed what was
   * granted, and a provider may grant less than was asked: asking again for it gets
   * `invalid_scope`, which would end the session).
   */
  readonly scope?: string;
  /**
   * The authorization endpoint for redirect sign-in (RFC 6749 §3.1), absolute or page-relative.
   * The built-in dialects default to `/oauth2/authorize` (the mock server's path for all four,
   * page-relative): set it for a real provider. `signInWithRedirect` refuses one that leads back
   * to the app's own page (a dev server answering it with the app would loop).
   */
  readonly authorizeUrl?: string;
}

/** The RFC 6749 §5.1 fields of a token response, as named on the wire. */
export type TokenField =
  | 'access_token'
  | 'token_type'
  | 'expires_in'
  | 'refresh_token'
  | 'refresh_expires_in'
  | 'scope'
  | 'id_token';

/** A provider's own error code and description, read from an error body. */
export interface ProviderError {
  readonly code?: string;
  readonly description?: string;
}

/** Describes one token endpoint: see {@link defineDialect}. */
export interface DialectSpec extends DialectOptions {
  readonly name: string;
  readonly tokenUrl: string;
  /** Default `POST`. A `GET` always sends its parameters in the query string. */
  readonly method?: 'GET' | 'POST';
  /** Default `body` (`application/x-www-form-urlencoded`); `query` sends no body. */
  readonly params?: 'body' | 'query';
  /** Parameter names to send first, in this order; the rest follow. */
  readonly order?: readonly string[];
  /** Extra parameters sent with every grant (never overriding the grant's own). */
  readonly extraParams?: Readonly<Record<string, string>>;
  /** An OpenID Connect provider: redirect sign-in sends a `nonce` and checks the id token's. */
  readonly oidc?: boolean;
  /** Unit of `expires_in` and `refresh_expires_in`. Default `s`. */
  readonly expiresInUnit?: 's' | 'ms';
  /** Fields that must be present, beyond `access_token`. */
  readonly require?: readonly TokenField[];
  /** Returns the flat token object inside an envelope (default: the body itself). */
  unwrap?(json: unknown): unknown;
  /**
   * Reads the provider's error out of a body. Used for every non-2xx answer (falling back to
   * RFC 6749 §5.2) and, when given, for 2xx answers too: an envelope that reports an error in a
   * 2xx answer ends the session unless its code names a transient one.
   */
  readError?(json: unknown): ProviderError | undefined;
}

/** RFC 6749 Appendix A.12/A.17: tokens are 1*VSCHAR, which also keeps them safe in a header. */
const VSCHAR = /^[\x20-\x7e]+$/;
const MAX_RETRY_AFTER_MS = 600_000;

const parseJson = (body: string): unknown => {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
};

const clip = (s: string): string => (s.length > 200 ? `${s.slice(0, 199)}…` : s);

/** `invalid_response` (transient): the answer is not a token response we can use. */
export const invalid = (why: string): BatonError =>
  new BatonError('invalid_response', `Invalid token response: ${why}`);

/** RFC 6749 §5.2 `error` and `error_description`. */
const rfcError = (json: unknown): ProviderError | undefined =>
  isRecord(json) && typeof json.error === 'string'
    ? {
        code: json.error,
        ...(typeof json.error_description === 'string' && { description: json.error_description }),
      }
    : undefined;

/** Maps a provider code naming an RFC 6749 §5.2 code (any case, `-` or `_`) to that code. */
const rfcCode = (code = ''): ErrorCode | undefined => {
  const c = code.toLowerCase().replace(/[\s-]/g, '_');
  // Not §5.2 codes, but some token endpoints send these §4.1.2.1 ones: never sign out on them.
  if (c === 'server_error' || c === 'temporarily_unavailable') return 'server_error';
  return c !== 'signed_out' && isTerminalCode(c as ErrorCode) ? (c as ErrorCode) : undefined;
};

/** `Retry-After` (RFC 9110 §10.2.3) in ms: seconds or an HTTP-date judged against the `Date` header. */
const retryAfter = (headers: Headers): number | undefined => {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  const ms = /^\d+$/.test(value)
    ? Number(value) * 1000
    : Date.parse(value) - (Date.parse(headers.get('date') ?? '') || Date.now());
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
};

/**
 * Maps a token endpoint's error answer to a {@link BatonError} (RFC 6749 §5.2).
 *
 * 408 → `timeout`; 429, and 503 with `Retry-After` → `rate_limited`; other 5xx → `server_error`
 * (all transient). A 4xx → the §5.2 code the body names, else `invalid_request` (terminal). A 2xx
 * that carries an error (an envelope) → the code it names, else `invalid_grant`. Anything else
 * (1xx, 3xx redirects, status 0) → `invalid_response` (transient).
 */
export function errorFromResponse(
  response: TokenResponse,
  error: ProviderError | undefined = rfcError(parseJson(response.body)),
): BatonError {
  const { status } = response;
  const retryAfterMs = retryAfter(response.headers);
  const code: ErrorCode =
    status === 408
      ? 'timeout'
      : status === 429 || (status === 503 && retryAfterMs !== undefined)
        ? 'rate_limited'
        : status >= 500 && status < 600
          ? 'server_error'
          : status >= 400 && status < 500
            ? (rfcCode(error?.code) ?? 'invalid_request')
            : status >= 200 && status < 300 && error
              ? (rfcCode(error.code) ?? 'invalid_grant')
              : 'invalid_response';
  const providerCode = error?.code ? clip(error.code) : undefined;
  return new BatonError(
    code,
    `Token endpoint answered ${status}${providerCode ? ` (${providerCode})` : ''}`,
    defined({
      status,
      providerCode,
      description: error?.description ? clip(error.description) : undefined,
      retryAfterMs,
    }),
  );
}

/**
 * Reads a flat RFC 6749 §5.1 token response, strictly: `access_token` a non-empty token string,
 * `expires_in` (and `refresh_expires_in`) a finite non-negative number or numeric string in
 * `unit`, the other fields strings when present (`null` counts as absent), `token_type`
 * defaulting to `Bearer`. Lifetimes come back in ms. Throws `invalid_response` (transient).
 */
export function readTokenBody(
  json: unknown,
  unit: 's' | 'ms' = 's',
  required: readonly TokenField[] = [],
): TokenGrantResult {
  if (!isRecord(json)) throw invalid('not a JSON object');
  const get = (k: TokenField): unknown => {
    const v = json[k] ?? undefined;
    if (v === undefined && required.includes(k)) throw invalid(`missing ${k}`);
    return v;
  };
  const text = (k: TokenField, re?: RegExp): string | undefined => {
    const v = get(k);
    if (v !== undefined && (typeof v !== 'string' || re?.test(v) === false))
      throw invalid(`bad ${k}`);
    return v as string | undefined;
  };
  const lifetime = (k: TokenField): number | undefined => {
    const v = get(k);
    if (v === undefined) return undefined;
    const n = typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v;
    const ms = typeof n === 'number' ? Math.floor(unit === 's' ? n * 1000 : n) : Number.NaN;
    if (!(ms >= 0 && ms <= Number.MAX_SAFE_INTEGER)) throw invalid(`bad ${k}`);
    return ms;
  };
  const accessToken = text('access_token', VSCHAR);
  if (accessToken === undefined) throw invalid('missing access_token');
  const rest = defined({
    refreshToken: text('refresh_token', VSCHAR),
    expiresIn: lifetime('expires_in'),
    refreshExpiresIn: lifetime('refresh_expires_in'),
    scope: text('scope'),
    idToken: text('id_token'),
  });
  return { accessToken, tokenType: text('token_type', VSCHAR) ?? 'Bearer', ...rest };
}

/**
 * Describes a token endpoint in a few lines of data (RFC 6749 §6 refresh, §4.3 password, §4.1.3
 * authorization code grants):
 * where the parameters go, in which order, the lifetime unit, required fields, and optionally an
 * envelope. The result builds requests and reads answers; reading never throws anything but a
 * {@link BatonError}.
 */
export function defineDialect(spec: DialectSpec): Dialect {
  const { tokenUrl, method = 'POST', expiresInUnit, require, unwrap = (j: unknown) => j } = spec;
  const inQuery = method === 'GET' || spec.params === 'query';
  return {
    name: spec.name,
    tokenUrl,
    authorizeUrl: spec.authorizeUrl,
    clientId: spec.clientId,
    scope: spec.scope,
    oidc: spec.oidc,
    buildTokenRequest(grant) {
      const values: Record<string, string | undefined> = {
        client_id: spec.clientId,
        client_secret: spec.clientSecret,
        grant_type: grant.type,
        ...(grant.type === 'authorization_code'
          ? { code: grant.code, redirect_uri: grant.redirectUri, code_verifier: grant.codeVerifier }
          : {
              ...(grant.type === 'password'
                ? {
                    username: grant.username,
                    password: grant.password,
                    scope: grant.scope ?? spec.scope,
                  }
                : // Only a scope the caller names, to narrow the grant: RFC 6749 §6.
                  { refresh_token: grant.refreshToken, scope: grant.scope }),
            }),
      };
      const extra = spec.extraParams ?? {};
      const params = new URLSearchParams();
      for (const k of new Set([
        ...(spec.order ?? []),
        ...Object.keys(values),
        ...Object.keys(extra),
      ])) {
        const v = values[k] ?? extra[k];
        if (v !== undefined) params.append(k, v);
      }
      const Accept = 'application/json';
      return inQuery
        ? {
            method,
            url: `${tokenUrl}${tokenUrl.includes('?') ? '&' : '?'}${params}`,
            headers: { Accept },
          }
        : {
            method,
            url: tokenUrl,
            headers: { Accept, 'Content-Type': 'application/x-www-form-urlencoded' },
            body: params.toString(),
          };
    },
    parseTokenResponse(response) {
      try {
        const json = parseJson(response.body);
        const ok = response.status >= 200 && response.status < 300;
        const error = spec.readError?.(json);
        if (!ok || error) throw errorFromResponse(response, error ?? rfcError(json));
        return readTokenBody(unwrap(json), expiresInUnit, require);
      } catch (e) {
        // A custom hook or an odd Headers object must not leak a raw TypeError to the manager.
        const error = isBatonError(e) ? e : invalid('unreadable');
        throw error.status === undefined
          ? new BatonError(error.code, error.message, {
              status: response.status,
              terminal: error.terminal,
            })
          : error;
      }
    },
  };
}
