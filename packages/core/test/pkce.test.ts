import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { codeChallenge, randomString } from '../src/pkce.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('RFC 7636 Appendix B', () => {
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

  it('S256 challenge of the example verifier', async () => {
    expect(await codeChallenge(verifier)).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('the example’s 32 octets encode to the example verifier', () => {
    const octets = [
      116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77,
      105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];
    vi.spyOn(crypto, 'getRandomValues').mockImplementation(
      <T extends ArrayBufferView | null>(array: T): T => {
        (array as unknown as Uint8Array).set(octets);
        return array;
      },
    );
    expect(randomString()).toBe(verifier);
  });
});

describe('randomString', () => {
  it('is 43 characters of the unreserved set (32 bytes, base64url, no padding)', () => {
    for (let i = 0; i < 1000; i++) expect(randomString()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('16 bytes (128 bits) give 22 characters', () => {
    expect(randomString(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('never repeats over 1000 draws, and uses the whole alphabet', () => {
    const all = Array.from({ length: 1000 }, () => randomString());
    expect(new Set(all).size).toBe(1000);
    expect(new Set(all.join('')).size).toBe(64);
  });

  it('comes from crypto.getRandomValues', () => {
    const spy = vi.spyOn(crypto, 'getRandomValues');
    randomString();
    expect(spy).toHaveBeenCalledOnce();
  });
});

describe('codeChallenge', () => {
  it('agrees with node:crypto on random verifiers', async () => {
    for (let i = 0; i < 50; i++) {
      const v = randomString();
      expect(await codeChallenge(v)).toBe(createHash('sha256').update(v).digest('base64url'));
    }
  });
});
