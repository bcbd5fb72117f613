import { randomBytes } from 'node:crypto';

/** How long one server nonce lives, on the server clock. */
export const DPOP_NONCE_ROTATE_MS = 60_000;

/**
 * The server-provided DPoP nonce (RFC 9449 §8, §9): it limits how long a proof is usable to the
 * nonce's life, whatever `iat` the client claims. One nonce for the token endpoint and `/api/me`
 * (one server here; RFC 9449 allows them to differ). Rotated every {@link DPOP_NONCE_ROTATE_MS}
 * of the server clock (so a test moves it with `now`); only the current one is accepted, so a
 * client holding the previous one gets `use_dpop_nonce` and must retry with the new one.
 */
export class DpopNonce {
  readonly #now: () => number;
  #value = '';
  #rotatesAt = Number.NEGATIVE_INFINITY;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** The nonce in force now (a new one once the previous has lived its time). */
  current(): string {
    const now = this.#now();
    if (now >= this.#rotatesAt) {
      this.#value = randomBytes(16).toString('base64url');
      this.#rotatesAt = now + DPOP_NONCE_ROTATE_MS;
    }
    return this.#value;
  }
}
