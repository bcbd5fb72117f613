import { invalid } from './dialect.js';
import { decodeJwtClaims } from './jwt.js';
import type { Dialect, TokenGrantResult, TokenSet } from './types.js';
import { defined, isRecord } from './util.js';

/** When and how a token response was obtained. */
export interface TokenSetContext {
  /** Local time (ms) when the request was SENT: latency never extends a token's life. */
  readonly sentAt: number;
  /** The response's `Date` header (ms), the server's own clock. */
  readonly serverDate?: number | undefined;
  readonly generation: number;
  /** The TokenSet this one replaces: its refresh token (and scope) stay when the answer omits them. */
  readonly previous?: TokenSet | undefined;
  /** DPoP: the thumbprint of the key the request was signed with. */
  readonly jkt?: string | undefined;
}

/**
 * Builds a {@link TokenSet} from a dialect's result.
 *
 * The access token's lifetime is the shorter of the endpoint's `expires_in` (RFC 6749 §5.1) and,
 * when the token is a JWT, its own: `exp - iat` (RFC 7519 §4.1.4, §4.1.6), or else `exp` against
 * the response's `Date` header. Never against the local clock, which may be wrong by hours. A
 * negative lifetime counts as 0; `expiresAt = sentAt + lifetime`. Throws `invalid_response`
 * (transient) when nothing gives a lifetime.
 */
export function createTokenSet(result: TokenGrantResult, context: TokenSetContext): TokenSet {
  const { sentAt, serverDate, generation, previous, jkt } = context;
  const claims = decodeJwtClaims(result.accessToken);
  const exp = claims?.exp;
  const jwtLifetime =
    exp === undefined
      ? undefined
      : claims?.iat !== undefined
        ? (exp - claims.iat) * 1000
        : serverDate !== undefined
          ? exp * 1000 - serverDate
          : undefined;
  const lifetimes = [result.expiresIn, jwtLifetime].filter((n): n is number => Number.isFinite(n));
  if (lifetimes.length === 0) {
    throw invalid('no access token lifetime');
  }
  // Keep the old refresh token when none came back (RFC 6749 §6 lets the server not rotate).
  const kept = result.refreshToken === undefined ? previous : undefined;
  const refreshToken = result.refreshToken ?? kept?.refreshToken;
  const refreshExpiresAt =
    result.refreshExpiresIn === undefined
      ? kept?.refreshExpiresAt
      : sentAt + result.refreshExpiresIn;
  return {
    accessToken: result.accessToken,
    tokenType: result.tokenType,
    expiresAt: sentAt + Math.max(0, Math.min(...lifetimes)),
    generation,
    ...defined({
      refreshToken,
      refreshExpiresAt,
      // RFC 6749 §5.1: an absent scope is the one granted before.
      scope: result.scope ?? previous?.scope,
      // OIDC Core §12.2: a refresh may answer without an id token; the user is the same one.
      idToken: result.idToken ?? previous?.idToken,
      claims,
      jkt,
    }),
  };
}

const optional = (v: unknown, type: 'string' | 'number'): boolean =>
  v === undefined || (type === 'number' ? Number.isFinite(v) : typeof v === 'string');

/**
 * Whether `value` has the shape of a {@link TokenSet}: for data read from storage or another
 * tab, which is untrusted. Checks every field's type, finite times and a non-negative integer
 * generation.
 */
export function isTokenSet(value: unknown): value is TokenSet {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Record<keyof TokenSet, unknown>;
  return (
    typeof t.accessToken === 'string' &&
    t.accessToken !== '' &&
    typeof t.tokenType === 'string' &&
    Number.isFinite(t.expiresAt) &&
    Number.isSafeInteger(t.generation) &&
    (t.generation as number) >= 0 &&
    optional(t.refreshToken, 'string') &&
    optional(t.scope, 'string') &&
    optional(t.idToken, 'string') &&
    optional(t.jkt, 'string') &&
    optional(t.refreshExpiresAt, 'number') &&
    (t.claims === undefined || isRecord(t.claims))
  );
}

/** What `setTokens` takes: a TokenSet-like object, or a raw token response of the dialect. */
export type TokenInput =
  | {
      readonly accessToken: string;
      readonly refreshToken?: string;
      readonly expiresAt: number;
      readonly tokenType?: string;
      readonly scope?: string;
      readonly idToken?: string;
    }
  | Readonly<Record<string, unknown>>;

/** Reads what the app hands to `setTokens` into a TokenSet of `generation`. */
export function fromTokenInput(input: TokenInput, dialect: Dialect, generation: number): TokenSet {
  const now = Date.now();
  let result: TokenGrantResult;
  if (typeof input.accessToken === 'string' && typeof input.expiresAt === 'number') {
    const set = input as Extract<TokenInput, { accessToken: string }>;
    result = {
      accessToken: set.accessToken,
      expiresIn: set.expiresAt - now,
      tokenType: set.tokenType ?? 'Bearer',
      ...defined({ refreshToken: set.refreshToken, scope: set.scope, idToken: set.idToken }),
    };
  } else
    result = dialect.parseTokenResponse({
      status: 200,
      headers: new Headers(),
      body: JSON.stringify(input),
    });
  return createTokenSet(result, { sentAt: now, generation });
}
