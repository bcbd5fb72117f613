import { jwtDecode } from 'jwt-decode';
import type { JwtClaims } from './types.js';
import { isRecord } from './util.js';

/** Whether a claim has the type RFC 7519 §4.1 gives it; other claims pass as they are. */
const wellTyped = (name: string, v: unknown): boolean =>
  name === 'exp' || name === 'iat' || name === 'nbf'
    ? Number.isFinite(v)
    : name === 'iss' || name === 'sub' || name === 'jti'
      ? typeof v === 'string'
      : name !== 'aud' ||
        typeof v === 'string' ||
        (Array.isArray(v) && v.every((a) => typeof a === 'string'));

/**
 * Decodes (never verifies: a browser cannot) the claims of a JWS compact JWT (RFC 7519 §3), with
 * `jwt-decode`. Returns `undefined` for an opaque token or anything that does not decode to a
 * JSON object; registered claims of the wrong type (RFC 7519 §4.1, e.g. a string `exp`) are
 * dropped.
 */
export function decodeJwtClaims(token: string): JwtClaims | undefined {
  if (typeof token !== 'string' || token.split('.').length !== 3) return undefined;
  try {
    const claims: unknown = jwtDecode(token);
    if (!isRecord(claims)) return undefined;
    return Object.fromEntries(Object.entries(claims).filter(([k, v]) => wellTyped(k, v)));
  } catch {
    return undefined;
  }
}
