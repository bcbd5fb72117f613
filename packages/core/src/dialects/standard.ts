import { withSignal } from '../abort.js';
import { type DialectOptions, defineDialect } from '../dialect.js';
import { discover, type MetadataKind } from '../discovery.js';
import { misuse } from '../options.js';
import type { Dialect, DiscoverOptions } from '../types.js';

/** The options of {@link oidc} and {@link oauth2}. */
export interface StandardDialectOptions extends DialectOptions {
  /**
   * The provider's issuer identifier, exactly as its metadata states it (`https://id.example.com`,
   * `https://keycloak.example.com/realms/app`; some providers end it with a `/`).
   */
  readonly issuer: string;
  /** RFC 7009 revocation endpoint; default: the metadata's `revocation_endpoint`. */
  readonly revocationUrl?: string;
  /** RP-Initiated Logout endpoint; default: the metadata's `end_session_endpoint`. */
  readonly endSessionUrl?: string;
}

interface Endpoints {
  readonly tokenUrl?: string | undefined;
  readonly authorizeUrl?: string | undefined;
  readonly revocationUrl?: string | undefined;
  readonly endSessionUrl?: string | undefined;
}

function standard(options: StandardDialectOptions, kind: MetadataKind): Dialect {
  if (typeof options?.issuer !== 'string' || typeof options.clientId !== 'string')
    throw misuse('a standard dialect needs `issuer` and `clientId`');
  const isOidc = kind === 'openid-configuration';
  let endpoints: Endpoints = options;
  let discovering: Promise<void> | undefined;
  const spec = { ...options, name: isOidc ? 'oidc' : 'oauth2', oidc: isOidc };
  // Reading an answer needs no endpoint (a `setTokens` of a raw response may come first).
  const reader = defineDialect({ ...spec, tokenUrl: '' });
  let builder: Dialect | undefined;

  return {
    name: spec.name,
    clientId: options.clientId,
    scope: options.scope ?? (isOidc ? 'openid' : undefined),
    oidc: isOidc,
    get tokenUrl() {
      return endpoints.tokenUrl ?? '';
    },
    get authorizeUrl() {
      return endpoints.authorizeUrl;
    },
    get endSessionUrl() {
      return endpoints.endSessionUrl;
    },
    discover(discoverOptions: DiscoverOptions = {}) {
      // One request for the page's lifetime; a failed one is asked again next time.
      discovering ??= discover(options.issuer, kind, {
        ...discoverOptions,
        signal: undefined,
      }).then(
        (metadata) => {
          // Explicit endpoints win over the document's.
          endpoints = {
            tokenUrl: options.tokenUrl ?? metadata.token_endpoint,
            authorizeUrl: options.authorizeUrl ?? metadata.authorization_endpoint,
            revocationUrl: options.revocationUrl ?? metadata.revocation_endpoint,
            endSessionUrl: options.endSessionUrl ?? metadata.end_session_endpoint,
          };
        },
        (error: unknown) => {
          discovering = undefined;
          throw error;
        },
      );
      return withSignal(discovering, discoverOptions.signal);
    },
    buildTokenRequest(grant) {
      const { tokenUrl } = endpoints;
      if (!tokenUrl) throw misuse(`await discover() before building a ${spec.name} request`);
      builder ??= defineDialect({ ...spec, tokenUrl });
      return builder.buildTokenRequest(grant);
    },
    parseTokenResponse: (response) => reader.parseTokenResponse(response),
    buildRevocationRequest(token, hint) {
      const url = endpoints.revocationUrl;
      if (!url) return undefined;
      // RFC 7009 §2.1; a public client identifies itself with client_id (RFC 6749 §2.3).
      const body = new URLSearchParams({
        token,
        token_type_hint: hint,
        client_id: options.clientId,
      });
      if (options.clientSecret) body.set('client_secret', options.clientSecret);
      return {
        method: 'POST',
        url,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
      };
    },
  };
}

/**
 * Any OpenID Connect provider (Keycloak, Auth0, Okta, Entra ID, Zitadel, Ory, Cognito…), given
 * its issuer: the token, authorization, revocation and end-session endpoints are read from its
 * discovery document (OpenID Connect Discovery 1.0, `<issuer>/.well-known/openid-configuration`)
 * the first time one is needed, once. Endpoints given here win. Redirect sign-in sends a
 * `nonce` and checks the ID token's; the scope defaults to `openid` (add `profile`, `email`,
 * `offline_access` as the provider wants).
 */
export const oidc = (options: StandardDialectOptions): Dialect =>
  standard(options, 'openid-configuration');

/**
 * A plain OAuth 2.0 authorization server that publishes RFC 8414 metadata
 * (`/.well-known/oauth-authorization-server<issuer path>`): as {@link oidc}, without ID tokens.
 */
export const oauth2 = (options: StandardDialectOptions): Dialect =>
  standard(options, 'oauth-authorization-server');
