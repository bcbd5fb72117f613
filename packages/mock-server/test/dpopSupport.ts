import { createHash, randomUUID } from 'node:crypto';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type JWK,
  SignJWT,
} from 'jose';
import { type Answer, answer, decodeJwt, tokenFetch } from './support.js';

/** A client's DPoP key pair, as a browser would hold it (ES256, P-256). */
export interface DpopKey {
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
  /** RFC 7638 SHA-256 thumbprint, base64url: what `cnf.jkt` and `dpop_jkt` carry. */
  readonly jkt: string;
}

export async function dpopKey(): Promise<DpopKey> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256') };
}

export interface ProofClaims {
  readonly htu: string;
  readonly htm?: string;
  /** Seconds; default the clock's now. */
  readonly iat?: number;
  readonly jti?: string;
  readonly nonce?: string;
  /** At a resource: the token `ath` hashes. */
  readonly accessToken?: string;
  /** Header members to add or override (`typ`, `jwk`…). */
  readonly header?: Record<string, unknown>;
}

export const ath = (token: string) => createHash('sha256').update(token).digest('base64url');

/** A DPoP proof (RFC 9449 §4.2) made with jose, as a client makes it. */
export function proof(key: DpopKey, now: () => number, claims: ProofClaims): Promise<string> {
  const payload = {
    htm: claims.htm ?? 'POST',
    htu: claims.htu,
    jti: claims.jti ?? randomUUID(),
    ...(claims.nonce !== undefined && { nonce: claims.nonce }),
    ...(claims.accessToken !== undefined && { ath: ath(claims.accessToken) }),
  };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk, ...claims.header })
    .setIssuedAt(claims.iat ?? Math.floor(now() / 1000))
    .sign(key.privateKey);
}

/** A CIAM token request with these DPoP headers (none: no proof). */
export async function ciamToken(
  base: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return answer(await tokenFetch(base, 'ciam', params, { headers }));
}

export const PASSWORD = { grant_type: 'password', username: 'alice', password: 'alice-password' };

/** The fields of a CIAM success body these tests look at. */
export function tokens(a: Answer): {
  accessToken: string;
  refreshToken: string;
  tokenType: unknown;
  cnf: unknown;
} {
  if (a.status !== 200) throw new Error(`token request failed: ${a.status} ${a.text}`);
  const body = a.body as Record<string, unknown>;
  const accessToken = String(body.access_token);
  return {
    accessToken,
    refreshToken: String(body.refresh_token),
    tokenType: body.token_type,
    cnf: decodeJwt(accessToken).payload.cnf,
  };
}

/** `GET /api/me` with any `Authorization` and DPoP header. */
export async function meWith(base: string, headers: Record<string, string>): Promise<Answer> {
  return answer(await fetch(`${base}/api/me`, { headers }));
}

/** Signs alice in at the CIAM authorization endpoint (its form, as the page posts it): a code. */
export async function ciamCode(
  base: string,
  extra: Record<string, string> = {},
): Promise<{ code: string; verifier: string; location: URL }> {
  const verifier = randomUUID() + randomUUID();
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const r = await fetch(`${base}/oauth2/authorize`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      response_type: 'code',
      client_id: 'TENANT_CLIENT_ID',
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      username: 'alice',
      password: 'alice-password',
      action: 'allow',
      ...extra,
    }),
    redirect: 'manual',
  });
  const location = new URL(r.headers.get('location') ?? 'about:blank');
  return { code: location.searchParams.get('code') ?? '', verifier, location };
}

export const REDIRECT = 'http://127.0.0.1:5173/callback';

/** The parameters of the code exchange. */
export const exchangeParams = (code: string, verifier: string) => ({
  grant_type: 'authorization_code',
  code,
  redirect_uri: REDIRECT,
  code_verifier: verifier,
});
