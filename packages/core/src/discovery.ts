import { BatonError } from './errors.js';
import { send } from './http.js';
import type { DiscoverOptions } from './types.js';
import { isRecord } from './util.js';

/**
 * The fields of a provider's metadata Baton uses (OpenID Connect Discovery 1.0 §3, RFC 8414 §2);
 * the document's other fields are kept as they came.
 */
export interface ProviderMetadata {
  readonly issuer: string;
  readonly token_endpoint: string;
  readonly authorization_endpoint?: string;
  /** RFC 7009 (RFC 8414 §2). */
  readonly revocation_endpoint?: string;
  /** OpenID Connect RP-Initiated Logout 1.0 §2.1. */
  readonly end_session_endpoint?: string;
  readonly [field: string]: unknown;
}

/** Which document: OpenID Connect's, or RFC 8414's for a plain OAuth 2.0 server. */
export type MetadataKind = 'openid-configuration' | 'oauth-authorization-server';

/**
 * Where `issuer`'s metadata is. OpenID Connect Discovery §4: appended to the issuer's path;
 * RFC 8414 §3.1: inserted between the host and the issuer's path.
 */
export function metadataUrl(issuer: string, kind: MetadataKind): string {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  url.pathname =
    kind === 'openid-configuration'
      ? `${path}/.well-known/openid-configuration`
      : `/.well-known/oauth-authorization-server${path}`;
  return url.href;
}

/** `URL.canParse`, which Safari has only since 17. */
const isAbsoluteUrl = (value: unknown): boolean => {
  try {
    return typeof value === 'string' && !!new URL(value);
  } catch {
    return false;
  }
};

const bad = (why: string, status?: number): BatonError =>
  new BatonError('invalid_metadata', `Provider metadata unusable: ${why}`, {
    ...(status !== undefined && { status }),
  });

/**
 * Reads and checks `issuer`'s metadata (one request; a standard dialect's `discover()` caches it): the
 * `issuer` in the document must be the one asked for, exactly (Discovery §4.3, RFC 8414 §3.3: a
 * document naming another issuer could send the tokens anywhere), and every endpoint an absolute
 * URL. Rejects with a {@link BatonError}: `invalid_metadata`, or `network`, `timeout`, `aborted`.
 */
export async function discover(
  issuer: string,
  kind: MetadataKind = 'openid-configuration',
  options: DiscoverOptions = {},
): Promise<ProviderMetadata> {
  let url: string;
  try {
    url = metadataUrl(issuer, kind);
  } catch {
    throw bad(`issuer ${issuer.slice(0, 100)} is not an absolute URL`);
  }
  const request = { method: 'GET', url, headers: { Accept: 'application/json' } } as const;
  const response = await send(request, { ...options, what: 'Provider metadata' });
  if (response.status !== 200) throw bad(`${url} answered ${response.status}`, response.status);
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {}
  if (!isRecord(json)) throw bad(`${url} is not a JSON object`);
  if (json.issuer !== issuer)
    throw bad(`it names issuer ${String(json.issuer).slice(0, 100)}, not ${issuer}`);
  for (const field of [
    'token_endpoint',
    'authorization_endpoint',
    'revocation_endpoint',
    'end_session_endpoint',
  ]) {
    const value = json[field];
    if (value === undefined && field !== 'token_endpoint') continue;
    if (!isAbsoluteUrl(value)) throw bad(`${field} is not an absolute URL`);
  }
  return json as ProviderMetadata;
}
