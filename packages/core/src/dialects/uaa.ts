import { type DialectOptions, defineDialect } from '../dialect.js';
import type { Dialect } from '../types.js';

interface Envelope {
  readonly rc?: unknown;
  readonly mc?: unknown;
  readonly ma?: unknown;
  readonly result?: unknown;
}

const envelope = (json: unknown): Envelope =>
  typeof json === 'object' && json !== null ? json : {};

/** The envelope's return code; a numeric string counts, anything else is no code. */
const rcOf = ({ rc }: Envelope): number | undefined =>
  typeof rc === 'number'
    ? rc
    : typeof rc === 'string' && /^-?\d+$/.test(rc)
      ? Number(rc)
      : undefined;

/**
 * A "UAA" style provider: `GET /public/uaa/oauth2/token` with the parameters in the query
 * string, answering in an envelope `{ rc, mc, ma, result }` whose `result` holds the tokens with
 * `expires_in` and `refresh_expires_in` in MILLISECONDS (as documented; the access JWT's `exp`
 * cross-checks it, and the shorter wins). A non-zero `rc`, even with HTTP 200, is an error
 * carrying `mc` as its provider code: an `mc` naming an RFC 6749 §5.2 code maps to it, any other
 * signs out (`invalid_grant`). HTTP 5xx and 429 stay transient.
 *
 * **Security risk of this provider's protocol:** the refresh token (and the client secret when
 * one is set, the password of a password grant, or the authorization code and its PKCE verifier)
 * travel in the URL, where server logs, proxies and monitoring tools record them. Prefer a same-origin token proxy that keeps such logs clean.
 */
export const uaa = (options: DialectOptions): Dialect =>
  defineDialect({
    ...options,
    name: 'uaa',
    tokenUrl: options.tokenUrl ?? '/public/uaa/oauth2/token',
    authorizeUrl: options.authorizeUrl ?? '/oauth2/authorize',
    method: 'GET',
    expiresInUnit: 'ms',
    unwrap: (json) => {
      const e = envelope(json);
      return rcOf(e) === 0 ? e.result : undefined;
    },
    readError: (json) => {
      const e = envelope(json);
      const rc = rcOf(e);
      if (rc === undefined || rc === 0) return undefined;
      const ma = [e.ma].flat().filter((m): m is string => typeof m === 'string');
      return {
        code: typeof e.mc === 'string' && e.mc ? e.mc : String(rc),
        ...(ma.length > 0 && { description: ma.join('; ') }),
      };
    },
  });
