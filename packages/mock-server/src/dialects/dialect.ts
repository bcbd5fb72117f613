import type { DemoClient } from '../clients.js';
import type { Keys } from '../jwt.js';
import type { Family, Issued } from '../sessions.js';

/** Why a token request failed, before a dialect turns it into its own error shape. */
export type TokenError =
  /** Junk: wrong content type, bad encoding, repeated parameter, wrong method (405), too large (413). */
  | { readonly kind: 'invalid_request'; readonly description: string; readonly status?: 405 | 413 }
  | {
      readonly kind: 'missing';
      readonly param:
        | 'grant_type'
        | 'refresh_token'
        | 'username'
        | 'password'
        | 'code'
        | 'redirect_uri'
        | 'code_verifier';
    }
  | { readonly kind: 'unsupported_grant_type' }
  /** Missing or wrong client id or secret. */
  | { readonly kind: 'invalid_client' }
  /** The refresh token is unknown, expired, revoked, reused or another client's. */
  | { readonly kind: 'invalid_grant' }
  /** RFC 6749 §6: a refresh asked for a scope beyond what the session was granted. */
  | { readonly kind: 'invalid_scope' }
  /** Wrong username or password on the password grant. */
  | { readonly kind: 'bad_credentials' }
  /**
   * The authorization_code grant failed on: the code (unknown, expired, spent, another client's),
   * the redirect URI (not the authorization request's), or the PKCE verifier (RFC 7636 §4.6).
   */
  | { readonly kind: 'bad_code'; readonly reason: 'code' | 'redirect_uri' | 'code_verifier' }
  /** A status fault injected through /__mock/faults. */
  | { readonly kind: 'injected'; readonly status: number; readonly error: string };

export interface Rendered {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface MintContext {
  readonly family: Family;
  /** Server time, ms since the epoch. */
  readonly now: number;
  readonly issuer: string;
  /** Seconds. */
  readonly accessTtl: number;
  /** Seconds. */
  readonly refreshTtl: number;
  readonly keys: Keys;
  /** The authorization request's OIDC nonce, for the id token of a code exchange. */
  readonly nonce?: string | undefined;
}

/** Everything that makes one seed endpoint different from the others. */
export interface DialectSpec {
  readonly client: DemoClient;
  /** Also accept `client_secret_basic` (RFC 6749 §2.3.1), as standard OAuth clients send it. */
  readonly basicAuth: boolean;
  /**
   * The scope every session of this endpoint is granted (space separated), whatever was asked.
   * A refresh that asks for more is refused with `invalid_scope` (RFC 6749 §6), as a standard
   * provider does. Unset where the seed shows no scope (EIAM): then scope is not checked.
   */
  readonly grantedScope?: string;
  /** A refresh kills the previous access token too (EIAM, seed 001). */
  readonly invalidatesPreviousAccess: boolean;
  /** The success body, in the seed's shape and key order. */
  mint(ctx: MintContext): Promise<Issued>;
  /** The error answer, in the seed's shape (or the documented assumption where it is silent). */
  renderError(error: TokenError): Rendered;
  /** A well-shaped success body with placeholder values (cut short by the `truncated` fault). */
  readonly sampleBody: unknown;
  /** The success body's keys with values of the wrong types (the `wrong-types` fault). */
  readonly wrongTypesBody: unknown;
}

/** `error_description`s of a failed authorization_code grant, where a dialect has no own words. */
export const CODE_ERRORS = {
  code: 'authorization code is invalid, expired or spent',
  redirect_uri: 'redirect_uri does not match the authorization request',
  code_verifier: 'code_verifier does not match the code challenge',
} as const;

/** The usual OAuth error code for an injected status when the test did not name one. */
export function defaultErrorCode(status: number): string {
  if (status === 401) return 'invalid_client';
  if (status === 403) return 'access_denied';
  if (status === 429 || status === 503) return 'temporarily_unavailable';
  if (status >= 500) return 'server_error';
  return 'invalid_request';
}
