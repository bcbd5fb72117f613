import { chatroom } from './chatroom.js';
import { ciam } from './ciam.js';
import { eiam } from './eiam.js';
import { oauth2, oidc } from './standard.js';
import { uaa } from './uaa.js';

export { chatroom, ciam, eiam, oauth2, oidc, uaa };

/**
 * The built-in dialect factories, by name. An interface, so that each member keeps its doc comment
 * in the published declarations (an `as const` object's type would show none).
 */
export interface BuiltInDialects {
  /** Tencent CIAM: `POST /oauth2/token`, form body, an OIDC `id_token`. See {@link ciam}. */
  readonly ciam: typeof ciam;
  /**
   * Tencent Cloud EIAM: `POST /auth/oauth2/token` with every parameter in the query string (the
   * refresh token travels in the URL). See {@link eiam}.
   */
  readonly eiam: typeof eiam;
  /**
   * A "UAA" style provider: `GET`, query string, an `{ rc, mc, ma, result }` envelope, lifetimes
   * in milliseconds. See {@link uaa}.
   */
  readonly uaa: typeof uaa;
  /**
   * A chat-room platform: `POST /chatroom/api/token`, form body, all five fields of the answer
   * required. See {@link chatroom}.
   */
  readonly chatroom: typeof chatroom;
  /**
   * Any OpenID Connect provider, from its issuer: the endpoints come from its discovery
   * document. See {@link oidc}.
   */
  readonly oidc: typeof oidc;
  /** A plain OAuth 2.0 server with RFC 8414 metadata. See {@link oauth2}. */
  readonly oauth2: typeof oauth2;
}

/**
 * The built-in dialects: one factory per seed endpoint (`dialects.ciam({ clientId })`) and the
 * standard ones (`dialects.oidc({ issuer, clientId })`).
 */
export const dialects: BuiltInDialects = { ciam, eiam, uaa, chatroom, oidc, oauth2 };
