import { randomUUID } from 'node:crypto';
import { DEMO_CLIENTS } from '../clients.js';
import { CODE_ERRORS, type DialectSpec, type Rendered, type TokenError } from './dialect.js';

/**
 * Failure answers. The seed is silent about them; this envelope style (`rc`/`mc`/`ma`) usually
 * fails with HTTP 200 and a non-zero `rc`, so business errors do that. Transport-level refusals
 * (405 wrong method, 413 too large) and injected faults keep their real HTTP status, with the
 * same envelope.
 */
function envelopeError(rc: number, mc: string, message: string, status = 200): Rendered {
  return { status, body: { rc, mc, ma: [message], result: null } };
}

/**
 * A "UAA" style provider (seed 003): `GET /public/uaa/oauth2/token` with query parameters, an
 * envelope answer, lifetimes in MILLISECONDS, and RS256 JWTs (without `kid`, as in the seed).
 */
export const uaa: DialectSpec = {
  client: DEMO_CLIENTS.uaa,
  basicAuth: false,
  grantedScope: 'userinfo',
  invalidatesPreviousAccess: false,
  async mint({ family, now, issuer, accessTtl, refreshTtl, keys }) {
    const { clientId, user } = family;
    const iat = Math.floor(now / 1000);
    const exp = iat + accessTtl;
    const refreshExp = iat + refreshTtl;
    const sub = String(user.numericId);
    // Claims as in the seed (sub, user-id, scope, iss, exp, client_id), plus iat and jti.
    const claims = { sub, 'user-id': user.numericId, scope: 'userinfo', iss: issuer };
    const accessToken = await keys.signRs256(
      { ...claims, exp, client_id: clientId, iat, jti: randomUUID() },
      { kid: false },
    );
    // The seed's refresh token is a JWT too; the server still looks it up (it can be revoked).
    const refreshToken = await keys.signRs256(
      { ...claims, exp: refreshExp, client_id: clientId, iat, jti: randomUUID() },
      { kid: false },
    );
    return {
      accessToken,
      accessExpiresAt: exp * 1000,
      refreshToken,
      refreshExpiresAt: refreshExp * 1000,
      sub,
      body: {
        rc: 0,
        mc: 'SUCCESS',
        ma: [],
        result: {
          user_id: user.userId,
          access_token: accessToken,
          refresh_token: refreshToken,
          // Milliseconds, one less than the lifetime, as in the seed (15551999).
          expires_in: Math.max(0, accessTtl * 1000 - 1),
          refresh_expires_in: Math.max(0, refreshTtl * 1000 - 1),
          client_id: clientId,
          scope: 'userinfo',
        },
      },
    };
  },
  renderError(error: TokenError) {
    switch (error.kind) {
      case 'invalid_request':
        if (error.status === 405) {
          return envelopeError(40500, 'METHOD_NOT_ALLOWED', error.description, 405);
        }
        if (error.status === 413) {
          return envelopeError(41300, 'PAYLOAD_TOO_LARGE', error.description, 413);
        }
        return envelopeError(40000, 'INVALID_REQUEST', error.description);
      case 'missing':
        return envelopeError(40000, 'INVALID_REQUEST', `missing ${error.param} parameter`);
      case 'unsupported_grant_type':
        return envelopeError(40000, 'INVALID_REQUEST', 'unsupported grant_type');
      case 'invalid_client':
        return envelopeError(40101, 'INVALID_CLIENT', 'client authentication failed');
      case 'invalid_grant':
        return envelopeError(40001, 'INVALID_GRANT', 'refresh token is invalid');
      case 'invalid_scope':
        return envelopeError(40005, 'INVALID_SCOPE', 'scope exceeds the granted scope');
      case 'bad_credentials':
        return envelopeError(40001, 'INVALID_GRANT', 'invalid username or password');
      case 'bad_code':
        return envelopeError(40001, 'INVALID_GRANT', CODE_ERRORS[error.reason]);
      case 'injected':
        return envelopeError(
          error.status * 100,
          error.error.toUpperCase(),
          'injected fault',
          error.status,
        );
    }
  },
  sampleBody: {
    rc: 0,
    mc: 'SUCCESS',
    ma: [],
    result: {
      user_id: '12345678',
      access_token: 'eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl',
      refresh_token: 'eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl',
      expires_in: 15551999,
      refresh_expires_in: 18143999,
      client_id: '35LF2FSLHX5IRQA4',
      scope: 'userinfo',
    },
  },
  // rc 0 so that a client gets past the envelope check and must catch the bad fields.
  wrongTypesBody: {
    rc: 0,
    mc: 'SUCCESS',
    ma: [],
    result: {
      user_id: 12345678,
      access_token: 42,
      refresh_token: null,
      expires_in: '15551999',
      refresh_expires_in: {},
      client_id: 7,
      scope: ['userinfo'],
    },
  },
};
