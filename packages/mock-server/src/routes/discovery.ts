import type { Context } from 'hono';
import type { AppEnv, Deps } from '../context.js';
import { DPOP_ALGS } from '../dpop.js';
import { json } from '../http.js';
import { AUTHORIZE_PATH } from './authorize.js';

/** The RS256 public key, so anyone can check the CIAM and UAA JWTs. */
export const jwksRoute = (deps: Deps) => (_c: Context<AppEnv>) =>
  json(200, { keys: [deps.keys.publicJwk] }, { 'Cache-Control': 'public, max-age=60' });

/**
 * OIDC discovery for the CIAM route, so a standard OIDC client can sign in (authorization code
 * with PKCE S256) and refresh against it. With the `dpop` option, RFC 9449 §5.1's
 * `dpop_signing_alg_values_supported` tells it to send proofs, and with which algorithm.
 */
export const openidConfigurationRoute = (deps: Deps) => (_c: Context<AppEnv>) => {
  const issuer = deps.issuer();
  return json(200, {
    issuer,
    authorization_endpoint: `${issuer}${AUTHORIZE_PATH}`,
    token_endpoint: `${issuer}/oauth2/token`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    grant_types_supported: ['authorization_code', 'refresh_token', 'password'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid'],
    claims_supported: ['sub', 'aud', 'azp', 'iss', 'exp', 'iat', 'jti', 'nonce'],
    ...(deps.settings.dpop !== 'off' && { dpop_signing_alg_values_supported: [...DPOP_ALGS] }),
  });
};
