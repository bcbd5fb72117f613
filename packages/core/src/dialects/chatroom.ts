import { type DialectOptions, defineDialect } from '../dialect.js';
import type { Dialect } from '../types.js';

/**
 * A chat-room platform: `POST /chatroom/api/token` with a form body (`grant_type`, `client_id`,
 * `client_secret`, `refresh_token`, in its OpenAPI order); a flat answer in which all five fields
 * are required (`access_token`, an HS256 JWT whose `aud` is an array; `expires_in` in seconds;
 * `refresh_token`; `scope`, space separated; `token_type`). Errors are not documented: RFC 6749
 * §5.2 is assumed.
 */
export const chatroom = (options: DialectOptions): Dialect =>
  defineDialect({
    ...options,
    name: 'chatroom',
    tokenUrl: options.tokenUrl ?? '/chatroom/api/token',
    authorizeUrl: options.authorizeUrl ?? '/oauth2/authorize',
    order: ['grant_type'],
    require: ['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type'],
  });
