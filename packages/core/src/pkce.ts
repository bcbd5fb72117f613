/** RFC 4648 §5 base64url, without padding. */
export const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/**
 * `bytes` random bytes (default 32: 256 bits) from `crypto.getRandomValues`, base64url: 43
 * characters of the RFC 7636 §4.1 unreserved set. A PKCE `code_verifier`, a `state`, a `nonce`.
 */
export const randomString = (bytes = 32): string =>
  base64url(crypto.getRandomValues(new Uint8Array(bytes)));

/** RFC 7636 §4.2 `S256`: `BASE64URL(SHA-256(ASCII(code_verifier)))`. */
export const codeChallenge = async (verifier: string): Promise<string> =>
  base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
