import { type DialectOptions, defineDialect } from '../dialect.js';
import type { Dialect } from '../types.js';

/**
 * Tencent CIAM: `POST /oauth2/token` with a form body (`client_id`, `client_secret`, `grant_type`,
 * `refresh_token`), a flat RFC 6749 §5.1 answer with `expires_in` in seconds and an OIDC
 * `id_token`, and RFC 6749 §5.2 errors such as `400 {"error":"invalid_grant"}`. An OpenID Connect
 * provider: redirect sign-in sends a `nonce` and checks the id token's.
 */
export const ciam = (options: DialectOptions): Dialect =>
  defineDialect({
    ...options,
    name: 'ciam',
    tokenUrl: options.tokenUrl ?? '/oauth2/token',
    authorizeUrl: options.authorizeUrl ?? '/oauth2/authorize',
    oidc: true,
  });
