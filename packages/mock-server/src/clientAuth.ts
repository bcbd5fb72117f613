import type { Deps } from './context.js';
import type { DialectSpec, TokenError } from './dialects/dialect.js';
import { type BasicCredentials, type Params, param, secretEquals } from './params.js';

/**
 * Client authentication: `client_id` + `client_secret` in the request (every seed does this), or
 * HTTP Basic where standard clients use it. A route behind a token proxy (`proxiedRoutes`) may
 * omit the secret, because the proxy is where it lives; a wrong secret is still refused.
 */
export function authenticateClient(
  spec: DialectSpec,
  deps: Deps,
  params: Params,
  basic: BasicCredentials,
): TokenError | undefined {
  const { client } = spec;
  let clientId = param(params, 'client_id');
  let secret = param(params, 'client_secret');
  if (basic.kind === 'malformed') return { kind: 'invalid_client' };
  if (basic.kind === 'ok') {
    // RFC 6749 §2.3: one authentication method per request.
    if (secret !== undefined) {
      return { kind: 'invalid_request', description: 'more than one client authentication method' };
    }
    if (clientId !== undefined && clientId !== basic.clientId) return { kind: 'invalid_client' };
    clientId = basic.clientId;
    secret = basic.clientSecret;
  }
  if (clientId === undefined || !secretEquals(clientId, client.clientId)) {
    return { kind: 'invalid_client' };
  }
  if (secret === undefined) {
    return deps.settings.proxiedRoutes.has(client.dialect) ? undefined : { kind: 'invalid_client' };
  }
  return secretEquals(secret, client.clientSecret) ? undefined : { kind: 'invalid_client' };
}
