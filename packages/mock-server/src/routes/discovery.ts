import type { Context } from 'hono';
import type { AppEnv, Deps } from '../context.js';
import { json } from '../http.js';

/** The RS256 public key, so anyone can check the CIAM and UAA JWTs. */
export const jwksRoute = (deps: Deps) => (_c: Context<AppEnv>) =>
  json(200, { keys: [deps.keys.publicJwk] }, { 'Cache-Control': 'public, max-age=60' });

/**
 * OIDC discovery for the CIAM route, so a standard OIDC client can refresh against it. There is
 * no authorization endpoint (sign-in is the password grant), so none is advertised.
 */
export const openidConfigurationRoute = (deps: Deps) => (_c: Context<AppEnv>) => {
  const issuer = deps.issuer();
  return json(200, {
    issuer,
    token_endpoint: `${issuer}/oauth2/token`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    grant_types_supported: ['refresh_token', 'password'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    response_types_supported: [],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid'],
    claims_supported: ['sub', 'aud', 'azp', 'iss', 'exp', 'iat', 'jti'],
  });
};
