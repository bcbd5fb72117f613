import { randomUUID } from 'node:crypto';
import { DEMO_CLIENTS } from '../clients.js';
import { CODE_ERRORS, type DialectSpec, type TokenError } from './dialect.js';

const oauthError = (status: number, error: string, description: string) => ({
  status,
  body: { error, error_description: description },
});

/**
 * A chat-room platform (seed 004): `POST /chatroom/api/token`, form body, every success field
 * required, an HS256 access token whose `aud` is an array and which has no `iat` (as in the
 * seed). The seed documents no errors: RFC 6749 §5.2 is assumed.
 */
export const chatroom: DialectSpec = {
  client: DEMO_CLIENTS.chatroom,
  basicAuth: true,
  grantedScope: 'user_info_read',
  invalidatesPreviousAccess: false,
  async mint({ family, now, accessTtl, refreshTtl, keys }) {
    const { clientId, user } = family;
    const exp = Math.floor(now / 1000) + accessTtl;
    // jti only makes two tokens minted in the same second differ; the seed's claims are sub, aud, exp.
    const accessToken = await keys.signHs256({
      sub: user.userId,
      aud: [clientId],
      exp,
      jti: randomUUID(),
    });
    // Shaped like the seed's (upper-case base64 of a UUID).
    const refreshToken = Buffer.from(randomUUID())
      .toString('base64')
      .replace(/=+$/, '')
      .toUpperCase();
    return {
      accessToken,
      accessExpiresAt: exp * 1000,
      refreshToken,
      refreshExpiresAt: now + refreshTtl * 1000,
      sub: user.userId,
      body: {
        access_token: accessToken,
        expires_in: accessTtl,
        refresh_token: refreshToken,
        scope: 'user_info_read',
        token_type: 'Bearer',
      },
    };
  },
  renderError(error: TokenError) {
    switch (error.kind) {
      case 'invalid_request':
        return oauthError(error.status ?? 400, 'invalid_request', error.description);
      case 'missing':
        return oauthError(400, 'invalid_request', `missing ${error.param} parameter`);
      case 'unsupported_grant_type':
        return oauthError(400, 'unsupported_grant_type', 'grant_type is not supported');
      case 'invalid_client':
        return oauthError(401, 'invalid_client', 'client authentication failed');
      case 'invalid_grant':
        return oauthError(400, 'invalid_grant', 'refresh token is invalid, expired or revoked');
      case 'invalid_scope':
        return oauthError(400, 'invalid_scope', 'scope exceeds the granted scope');
      case 'bad_credentials':
        return oauthError(400, 'invalid_grant', 'invalid username or password');
      case 'bad_code':
        return oauthError(400, 'invalid_grant', CODE_ERRORS[error.reason]);
      case 'injected':
        return oauthError(error.status, error.error, 'injected fault');
    }
  },
  sampleBody: {
    access_token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.c2lnbmF0dXJl',
    expires_in: 7200,
    refresh_token: 'MMQXODA4NDETMGU2ZC01MZI2LTLKNGUTZDHHNDY1NDQ0ZDK3',
    scope: 'user_info_read',
    token_type: 'Bearer',
  },
  wrongTypesBody: {
    access_token: [],
    expires_in: '7200',
    refresh_token: 1,
    scope: 5,
    token_type: null,
  },
};
