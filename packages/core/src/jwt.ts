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
 * The text of a base64url segment (RFC 4648 §5, padding optional): its bytes read as UTF-8, or
 * one character per byte when they are not valid UTF-8 (as jwt-decode reads them). Throws when
 * the segment is not base64 (a length of 1 mod 4 included: its padding makes atob fail).
 */
const base64urlText = (segment: string): string => {
  const b64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const bytes = atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, '='));
  try {
    // escape() turns each byte into %XX, which decodeURIComponent reads as UTF-8.
    return decodeURIComponent(escape(bytes));
  } catch {
    return bytes;
  }
};

/**
 * Decodes (never verifies: a browser cannot) the claims of a JWS compact JWT (RFC 7519 §3).
 * Returns `undefined` for an opaque token or anything that does not decode to a JSON object;
 * registered claims of the wrong type (RFC 7519 §4.1, e.g. a string `exp`) are dropped.
 */
export function decodeJwtClaims(token: string): JwtClaims | undefined {
  const segments = typeof token === 'string' ? token.split('.') : [];
  if (segments.length !== 3) return undefined;
  try {
    const claims: unknown = JSON.parse(base64urlText(segments[1] as string));
    if (!isRecord(claims)) return undefined;
    return Object.fromEntries(Object.entries(claims).filter(([k, v]) => wellTyped(k, v)));
  } catch {
    return undefined;
  }
}
