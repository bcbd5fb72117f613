import { type DialectOptions, defineDialect } from '../dialect.js';
import type { Dialect } from '../types.js';

/**
 * Tencent Cloud EIAM: `POST /auth/oauth2/token` with every parameter in the query string and no
 * body; a flat answer (`access_token`, `expires_in` in seconds, and an optional `refresh_token`:
 * when absent the session keeps the one it has); RFC 6749 §5.2 errors (`400 invalid_request`,
 * `403 unauthorized_client`). A refresh rotates both tokens.
 *
 * **Security risk of this provider's protocol:** the refresh token (and the client secret when
 * one is set, the password of a password grant, or the authorization code and its PKCE verifier)
 * travel in the URL, where server logs, proxies and monitoring tools record them. Prefer a same-origin token proxy that keeps such logs clean.
 */
export const eiam = (options: DialectOptions): Dialect =>
  defineDialect({
    ...options,
    name: 'eiam',
    tokenUrl: options.tokenUrl ?? '/auth/oauth2/token',
    authorizeUrl: options.authorizeUrl ?? '/oauth2/authorize',
    params: 'query',
    order: ['client_id', 'grant_type'],
  });
