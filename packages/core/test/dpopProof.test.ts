import { createHash } from 'node:crypto';
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  jwtVerify,
} from 'jose';
import { describe, expect, it } from 'vitest';
import { createDpopProof, generateDpopKey } from '../src/dpopProof.js';

/** Checks a proof as a server does (RFC 9449 §4.3), with jose: returns its claims. */
async function verify(proof: string) {
  const header = decodeProtectedHeader(proof);
  const jwk = header.jwk as JWK;
  const { payload, protectedHeader } = await jwtVerify(proof, await importJWK(jwk, 'ES256'), {
    typ: 'dpop+jwt',
    algorithms: ['ES256'],
    maxTokenAge: '60s',
  });
  return { payload, protectedHeader, jwk };
}
const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

describe('DPoP proofs (RFC 9449 §4.2)', () => {
  it('are ES256 dpop+jwt signed by the key in their header, whose thumbprint is the jkt', async () => {
    const key = await generateDpopKey();
    const proof = await createDpopProof(key, {
      method: 'post',
      url: 'https://id.example/token?x=1#frag',
    });
    const { payload, protectedHeader, jwk } = await verify(proof);
    expect(protectedHeader).toEqual({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk });
    expect(Object.keys(jwk).sort()).toEqual(['crv', 'kty', 'x', 'y']); // no private member
    expect(await calculateJwkThumbprint(jwk, 'sha256')).toBe(key.jkt);
    expect(payload.htm).toBe('POST');
    expect(payload.htu).toBe('https://id.example/token');
    expect(Math.abs((payload.iat ?? 0) - Date.now() / 1000)).toBeLessThan(5);
    expect(payload.jti).toMatch(/^[\w-]{22}$/);
    expect(payload).not.toHaveProperty('ath');
    expect(payload).not.toHaveProperty('nonce');
  });

  it('carry ath (SHA-256 of the access token) and the nonce when given, and a new jti each time', async () => {
    const key = await generateDpopKey();
    const claims = {
      method: 'GET',
      url: 'https://api.example/me',
      accessToken: 'at.1',
      nonce: 'n-1',
    };
    const [a, b] = await Promise.all([createDpopProof(key, claims), createDpopProof(key, claims)]);
    const { payload } = await verify(a ?? '');
    expect(payload.ath).toBe(sha256('at.1'));
    expect(payload.nonce).toBe('n-1');
    expect((await verify(b ?? '')).payload.jti).not.toBe(payload.jti);
  });

  it('come from a private key no script can export', async () => {
    const key = await generateDpopKey();
    expect(key.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('jwk', key.privateKey)).rejects.toThrow();
    // Another key, another thumbprint; a tampered proof does not verify.
    expect((await generateDpopKey()).jkt).not.toBe(key.jkt);
    const proof = await createDpopProof(key, { method: 'GET', url: 'https://a.example/' });
    const [h, p, s] = proof.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p ?? '', 'base64url').toString()), htm: 'POST' })).toString('base64url')}.${s}`;
    await expect(verify(forged)).rejects.toThrow();
  });
});
