import { base64url, randomString } from './pkce.js';

/** A DPoP key as Baton keeps it: the private half cannot be read by any script. */
export interface DpopKey {
  /** RFC 7638 SHA-256 thumbprint of the public key, base64url. */
  readonly jkt: string;
  readonly privateKey: CryptoKey;
  /** The public key as a JWK (RFC 7517): `kty`, `crv`, `x`, `y` only. */
  readonly jwk: {
    readonly kty: 'EC';
    readonly crv: 'P-256';
    readonly x: string;
    readonly y: string;
  };
}

/** What one proof is about (RFC 9449 §4.2). */
export interface ProofClaims {
  readonly method: string;
  /** The request's URL; the proof names it without query and fragment (`htu`). */
  readonly url: string;
  /** A resource request's access token: its hash goes in `ath` (§7.1). */
  readonly accessToken?: string | undefined;
  /** The server's last `DPoP-Nonce` (§8, §9). */
  readonly nonce?: string | undefined;
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const sha256 = async (text: string) =>
  base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(text))));
const json64 = (value: object) => base64url(utf8(JSON.stringify(value)));

/**
 * Creates an ECDSA P-256 key pair whose private key is not extractable (WebCrypto): it can sign,
 * and be stored in IndexedDB, but never be read out, not even by this page's own scripts.
 */
export async function generateDpopKey(): Promise<DpopKey> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ]);
  const { x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  if (!x || !y) throw new TypeError('Baton: the public key has no coordinates');
  const jwk = { kty: 'EC', crv: 'P-256', x, y } as const;
  // RFC 7638 §3.2: the required members, in lexicographic order, without whitespace.
  const jkt = await sha256(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x, y }));
  return { jkt, privateKey: pair.privateKey, jwk };
}

/**
 * A DPoP proof (RFC 9449 §4.2): a JWT of type `dpop+jwt` signed `ES256` with `key`, carrying its
 * public key (`jwk`), a fresh `jti`, `htm`, `htu` (no query, no fragment), `iat`, and `ath` and
 * `nonce` when given. WebCrypto's ECDSA signature is already the JWS form (R ‖ S, RFC 7518 §3.4).
 */
export async function createDpopProof(key: DpopKey, claims: ProofClaims): Promise<string> {
  const htu = new URL(claims.url, globalThis.location?.href);
  htu.search = '';
  htu.hash = '';
  const payload = {
    jti: randomString(16),
    htm: claims.method.toUpperCase(),
    htu: htu.href,
    iat: Math.floor(Date.now() / 1000),
    ...(claims.accessToken !== undefined && { ath: await sha256(claims.accessToken) }),
    ...(claims.nonce !== undefined && { nonce: claims.nonce }),
  };
  const input = `${json64({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk })}.${json64(payload)}`;
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    key.privateKey,
    utf8(input),
  );
  return `${input}.${base64url(new Uint8Array(signature))}`;
}
