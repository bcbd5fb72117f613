/**
 * The codes of {@link ErrorCode}, by name. An interface, not an `as const` object's type: the
 * declaration bundler keeps an interface member's doc comment, and moves an object type's
 * one-line member docs onto the previous member's line, where editors no longer see them.
 */
export interface ErrorCodes {
  /** RFC 6749 §5.2: the refresh token (or password) is invalid, expired or revoked. */
  readonly InvalidGrant: 'invalid_grant';
  /** RFC 6749 §5.2: client authentication failed. */
  readonly InvalidClient: 'invalid_client';
  /** RFC 6749 §5.2: the client may not use this grant. */
  readonly UnauthorizedClient: 'unauthorized_client';
  /** RFC 6749 §5.2: the request was malformed (or any other 4xx the endpoint gave). */
  readonly InvalidRequest: 'invalid_request';
  /** RFC 6749 §5.2: the grant type is not supported. */
  readonly UnsupportedGrantType: 'unsupported_grant_type';
  /** RFC 6749 §5.2: the scope is invalid. */
  readonly InvalidScope: 'invalid_scope';
  /** The endpoint answered 2xx with a body that is not a valid token response. */
  readonly InvalidResponse: 'invalid_response';
  /** The request never got an answer (offline, DNS, connection reset, CORS). */
  readonly Network: 'network';
  /** The endpoint did not answer within the request timeout. */
  readonly Timeout: 'timeout';
  /** The endpoint answered 5xx. */
  readonly ServerError: 'server_error';
  /** The endpoint answered 429 (or 503 with `Retry-After`). */
  readonly RateLimited: 'rate_limited';
  /** The caller's `AbortSignal` fired. */
  readonly Aborted: 'aborted';
  /** There is no session: sign in first. */
  readonly SignedOut: 'signed_out';
  /** The cross-tab refresh lock could not be had within its bound. */
  readonly LockTimeout: 'lock_timeout';
  /** A token (or stored / received data) could not be read. */
  readonly InvalidToken: 'invalid_token';
  /**
   * Redirect sign-in: the callback's `state` is missing or matches no sign-in started in this tab
   * (forged, already used, e.g. by a reload, or older than 10 minutes). Nothing was sent.
   */
  readonly InvalidState: 'invalid_state';
  /**
   * Redirect sign-in: the provider sent the user back with an error (RFC 6749 §4.1.2.1), e.g. they
   * said no; `providerCode` and `description` are its `error` and `error_description`.
   */
  readonly AccessDenied: 'access_denied';
  /** Redirect sign-in: the id token's `nonce` is not the one this sign-in sent (OIDC Core §3.1.3.7). */
  readonly InvalidNonce: 'invalid_nonce';
  /**
   * The provider's metadata (OpenID Connect Discovery 1.0, RFC 8414) could not be used: not
   * found, not JSON, an endpoint that is not an absolute URL, or an `issuer` other than the one
   * configured (§4.3 / §3.3: the document must name the issuer it was read from). Transient: the
   * session is kept and the refresh retried.
   */
  readonly InvalidMetadata: 'invalid_metadata';
  /**
   * DPoP (RFC 9449) cannot work here: no IndexedDB or WebCrypto (old browsers, some privacy
   * modes; thrown by `createTokenManager` at once, never a silent fall back to bearer tokens), or
   * the session's key is gone (its storage was cleared: the session cannot be refreshed).
   */
  readonly DpopUnavailable: 'dpop_unavailable';
}

/**
 * Every failure Baton reports is a {@link BatonError} with a stable `code`.
 *
 * `terminal` says whether the session is over: a terminal error means the refresh token is dead
 * (RFC 6749 §5.2 `invalid_grant` and the other 4xx answers of a token endpoint) and the user must
 * sign in again; a transient one (network, timeout, 5xx, 429) keeps the session and is retried.
 *
 * Messages and fields never carry a token value. `ErrorCode.InvalidGrant` is `'invalid_grant'`.
 */
export const ErrorCode: ErrorCodes = {
  InvalidGrant: 'invalid_grant',
  InvalidClient: 'invalid_client',
  UnauthorizedClient: 'unauthorized_client',
  InvalidRequest: 'invalid_request',
  UnsupportedGrantType: 'unsupported_grant_type',
  InvalidScope: 'invalid_scope',
  InvalidResponse: 'invalid_response',
  Network: 'network',
  Timeout: 'timeout',
  ServerError: 'server_error',
  RateLimited: 'rate_limited',
  Aborted: 'aborted',
  SignedOut: 'signed_out',
  LockTimeout: 'lock_timeout',
  InvalidToken: 'invalid_token',
  InvalidState: 'invalid_state',
  AccessDenied: 'access_denied',
  InvalidNonce: 'invalid_nonce',
  InvalidMetadata: 'invalid_metadata',
  DpopUnavailable: 'dpop_unavailable',
};

/** A {@link BatonError}'s `code`: one of the values of {@link ErrorCode}. */
export type ErrorCode = ErrorCodes[keyof ErrorCodes];

const TERMINAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'invalid_grant',
  'invalid_client',
  'unauthorized_client',
  'invalid_request',
  'unsupported_grant_type',
  'invalid_scope',
  'signed_out',
  'invalid_state',
  'access_denied',
  'invalid_nonce',
  'dpop_unavailable',
]);

/** Whether an error with this code ends the session. */
export function isTerminalCode(code: ErrorCode): boolean {
  return TERMINAL_CODES.has(code);
}

/** What a {@link BatonError} carries besides its code and message. */
export interface BatonErrorOptions {
  /** HTTP status of the token endpoint's answer, when there was one. */
  status?: number;
  /** The provider's own error code or envelope code (e.g. `invalid_grant`, `40001`). */
  providerCode?: string;
  /** The provider's `error_description` (or envelope message), with any known secret redacted. */
  description?: string;
  /** How long the server asked us to wait (`Retry-After`), in ms. */
  retryAfterMs?: number;
  /** Overrides the terminal flag derived from `code`. */
  terminal?: boolean;
  cause?: unknown;
}

/** The one error class of Baton. Check `code` (see {@link ErrorCode}) and `terminal`. */
export class BatonError extends Error {
  override readonly name = 'BatonError';
  readonly code: ErrorCode;
  /** True when the session is over and the user must sign in again. */
  readonly terminal: boolean;
  readonly status?: number;
  readonly providerCode?: string;
  readonly description?: string;
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, message: string, options: BatonErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.terminal = options.terminal ?? isTerminalCode(code);
    // The fields above exist from the start (undefined): an absent option leaves them so.
    const { status, providerCode, description, retryAfterMs } = options;
    Object.assign(this, { status, providerCode, description, retryAfterMs });
  }
}

/** Narrows `value` to a {@link BatonError}, optionally of one code. */
export function isBatonError(value: unknown, code?: ErrorCode): value is BatonError {
  return value instanceof BatonError && (code === undefined || value.code === code);
}

/** The refresh lock could not be had within its bound. */
export const lockTimeoutError = (): BatonError =>
  new BatonError('lock_timeout', 'Timed out waiting for the refresh lock');
