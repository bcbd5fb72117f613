import { randomBytes } from 'node:crypto';
import type { CryptoKey, JWK, JWTPayload } from 'jose';
import {
  calculateJwkThumbprint,
  compactVerify,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  SignJWT,
} from 'jose';

/**
 * The server's signing keys. Each server makes its own at start: nothing is persisted, so a
 * restarted mock can never accept a token it did not issue in this run.
 */
export interface Keys {
  readonly kid: string;
  readonly publicJwk: JWK;
  signRs256(payload: JWTPayload, header: { readonly kid: boolean }): Promise<string>;
  signHs256(payload: JWTPayload): Promise<string>;
  /**
   * True when the token is a JWT this server signed. Signature only: whether it is still alive
   * is the session store's call (server time, revocation), never the token's own `exp`.
   */
  verify(token: string): Promise<boolean>;
}

export async function createKeys(): Promise<Keys> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  // Chat-room's seed token is HS256: a shared secret that only this server knows.
  const hmacSecret = new Uint8Array(randomBytes(32));

  return {
    kid,
    publicJwk: { ...publicJwk, kid, alg: 'RS256', use: 'sig' },
    signRs256: (payload, header) =>
      new SignJWT(payload)
        // Header order as in the CIAM seed; UAA's seed header is only {"alg":"RS256"}.
        .setProtectedHeader(header.kid ? { kid, typ: 'JWT', alg: 'RS256' } : { alg: 'RS256' })
        .sign(privateKey),
    signHs256: (payload) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(hmacSecret),
    verify: (token) => verifySignature(token, publicKey, kid, hmacSecret),
  };
}

async function verifySignature(
  token: string,
  publicKey: CryptoKey,
  kid: string,
  hmacSecret: Uint8Array,
): Promise<boolean> {
  try {
    const header = decodeProtectedHeader(token);
    if (header.alg === 'RS256') {
      if (header.kid !== undefined && header.kid !== kid) return false;
      await compactVerify(token, publicKey, { algorithms: ['RS256'] });
      return true;
    }
    if (header.alg === 'HS256') {
      await compactVerify(token, hmacSecret, { algorithms: ['HS256'] });
      return true;
    }
    return false;
  } catch {
    return false;
  }
}
