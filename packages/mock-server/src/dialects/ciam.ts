import { randomBytes, randomUUID } from 'node:crypto';
import { DEMO_CLIENTS } from '../clients.js';
import type { DialectSpec, TokenError } from './dialect.js';

/**
 * Tencent CIAM (seeds 000 and 002): `POST /oauth2/token`, form body, a flat RFC 6749 answer with
 * an RS256 access token and an OIDC id token. Errors carry only `error`, as the seed shows.
 * A DPoP-bound family (`dpop` option) gets `token_type: "DPoP"` and `cnf.jkt` in the access
 * token (RFC 9449 §6), so a resource can tell which key must sign the proofs.
 */
export const ciam: DialectSpec = {
  client: DEMO_CLIENTS.ciam,
  basicAuth: true,
  grantedScope: 'openid',
  invalidatesPreviousAccess: false,
  async mint({ family, now, issuer, accessTtl, refreshTtl, keys, nonce }) {
    const { clientId, user, jkt } = family;
    const iat = Math.floor(now / 1000);
    const exp = iat + accessTtl;
    // Claim order as in the seed's access token.
    const accessToken = await keys.signRs256(
      {
        sub: user.username,
        aud: clientId,
        nbf: iat,
        scope: ['openid'],
        iss: issuer,
        exp,
        iat,
        jti: randomUUID(),
        // RFC 9449 §6.1: the JWK SHA-256 thumbprint of the key the token is bound to.
        ...(jkt !== undefined && { cnf: { jkt } }),
      },
      { kid: true },
    );
    // The seed's id token lives six times as long as its access token (1800 s vs 300 s).
    const idToken = await keys.signRs256(
      {
        sub: user.username,
        aud: clientId,
        azp: clientId,
        iss: issuer,
        exp: iat + accessTtl * 6,
        iat,
        jti: randomUUID(),
        // OIDC Core §3.1.3.6: the authorization request's nonce, on the code exchange only.
        ...(nonce !== undefined && { nonce }),
      },
      { kid: true },
    );
    const refreshToken = randomBytes(32).toString('base64url');
    return {
      accessToken,
      accessExpiresAt: exp * 1000,
      refreshToken,
      refreshExpiresAt: now + refreshTtl * 1000,
      sub: user.username,
      // The seed answers `expires_in: 299` for a JWT whose exp is iat + 300.
      body: {
        access_token: accessToken,
        refresh_token: refreshToken,
        scope: 'openid',
        id_token: idToken,
        token_type: jkt === undefined ? 'Bearer' : 'DPoP',
        expires_in: Math.max(0, accessTtl - 1),
      },
    };
  },
  renderError(error: TokenError) {
    switch (error.kind) {
      case 'invalid_request':
        return { status: error.status ?? 400, body: { error: 'invalid_request' } };
      case 'missing':
        return { status: 400, body: { error: 'invalid_request' } };
      case 'unsupported_grant_type':
        return { status: 400, body: { error: 'unsupported_grant_type' } };
      case 'invalid_client':
        return { status: 401, body: { error: 'invalid_client' } };
      case 'invalid_scope':
        return { status: 400, body: { error: 'invalid_scope' } };
      // The seed has one documented error: a bad grant (refresh token or, RFC 6749 §5.2,
      // resource owner credentials or authorization code) is a plain 400 invalid_grant.
      case 'invalid_grant':
      case 'bad_credentials':
      case 'bad_code':
        return { status: 400, body: { error: 'invalid_grant' } };
      case 'injected':
        return { status: error.status, body: { error: error.error } };
    }
  },
  sampleBody: {
    access_token: 'eyJraWQiOiJNT0NLIiwidHlwIjoiSldUIiwiYWxnIjoiUlMyNTYifQ.e30.c2lnbmF0dXJl',
    refresh_token: 'MOCK_REFRESH_TOKEN',
    scope: 'openid',
    id_token: 'eyJraWQiOiJNT0NLIiwidHlwIjoiSldUIiwiYWxnIjoiUlMyNTYifQ.e30.c2lnbmF0dXJl',
    token_type: 'Bearer',
    expires_in: 299,
  },
  wrongTypesBody: {
    access_token: 42,
    refresh_token: true,
    scope: ['openid'],
    id_token: null,
    token_type: 1,
    expires_in: '299',
  },
};
