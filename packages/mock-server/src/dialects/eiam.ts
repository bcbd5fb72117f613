import { randomBytes } from 'node:crypto';
import { DEMO_CLIENTS } from '../clients.js';
import type { DialectSpec, TokenError } from './dialect.js';

const invalidRequest = (description: string, status = 400) => ({
  status,
  body: { error: 'invalid_request', error_description: description },
});

/**
 * Tencent Cloud EIAM (seed 001): `POST /auth/oauth2/token` with every parameter in the query
 * string (the body is ignored), opaque tokens, and `{error, error_description}` errors with the
 * seed's exact descriptions. A refresh invalidates the previous access token too.
 */
export const eiam: DialectSpec = {
  client: DEMO_CLIENTS.eiam,
  basicAuth: false,
  invalidatesPreviousAccess: true,
  async mint({ family, now, accessTtl, refreshTtl }) {
    // Opaque, 32 hex characters like the seed's tokens.
    const accessToken = randomBytes(16).toString('hex');
    const refreshToken = randomBytes(16).toString('hex');
    return {
      accessToken,
      accessExpiresAt: now + accessTtl * 1000,
      refreshToken,
      refreshExpiresAt: now + refreshTtl * 1000,
      sub: family.user.username,
      body: { access_token: accessToken, expires_in: accessTtl, refresh_token: refreshToken },
    };
  },
  renderError(error: TokenError) {
    switch (error.kind) {
      case 'invalid_request':
        return invalidRequest(error.description, error.status);
      case 'missing':
        // The seed has no "missing grant_type"; its "invalid grant_type" covers it.
        return invalidRequest(
          error.param === 'grant_type' ? 'invalid grant_type' : `missing ${error.param} parameter`,
        );
      case 'unsupported_grant_type':
        return invalidRequest('invalid grant_type');
      case 'invalid_client':
        return invalidRequest('invalid client');
      case 'invalid_scope':
        // Not reached (EIAM grants no scope, so none is checked); RFC 6749 §5.2 if it were.
        return {
          status: 400,
          body: { error: 'invalid_scope', error_description: 'invalid scope' },
        };
      case 'invalid_grant':
        // The seed does not document a dead refresh token. Assumed: RFC 6749 §5.2's
        // invalid_grant, with a description in the seed's style.
        return {
          status: 400,
          body: { error: 'invalid_grant', error_description: 'invalid refresh_token' },
        };
      case 'bad_code':
        // The seed's own descriptions for these three.
        return invalidRequest(
          error.reason === 'code'
            ? 'invalid code'
            : error.reason === 'redirect_uri'
              ? 'invalid redirect_uri'
              : 'invalid code challenge',
        );
      case 'bad_credentials':
        return {
          status: 403,
          body: { error: 'unauthorized_client', error_description: 'invalid user password' },
        };
      case 'injected':
        return {
          status: error.status,
          body: { error: error.error, error_description: 'injected fault' },
        };
    }
  },
  sampleBody: {
    access_token: 'c6a40b1e35058eaed0f59509b541c6a4',
    expires_in: 7200,
    refresh_token: '6865e2501df8081e4562e26c82aa6865',
  },
  wrongTypesBody: { access_token: 42, expires_in: '7200', refresh_token: false },
};
