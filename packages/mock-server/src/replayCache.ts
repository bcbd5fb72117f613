/**
 * The `jti` values of accepted DPoP proofs, each kept until its proof could no longer pass the
 * `iat` check (RFC 9449 §11.1: a server tracks `jti` within the window it accepts proofs in, so a
 * captured proof cannot be played again). Bounded: a flood of proofs cannot grow memory without
 * limit. When full of live entries the oldest is forgotten (a mock favours flat memory over a
 * replay older than the newest `limit` proofs, which no test makes).
 */
export class ReplayCache {
  readonly #limit: number;
  /** jti → ms since the epoch (server clock) after which it can be forgotten; insertion order. */
  #seen = new Map<string, number>();

  constructor(limit = 50_000) {
    this.#limit = limit;
  }

  has(jti: string): boolean {
    return this.#seen.has(jti);
  }

  /** Remembers `jti` until `until` (server clock, ms). */
  add(jti: string, until: number, now: number): void {
    if (this.#seen.size >= this.#limit) this.#sweep(now);
    this.#seen.set(jti, until);
  }

  clear(): void {
    this.#seen.clear();
  }

  get size(): number {
    return this.#seen.size;
  }

  /** Drops the expired entries, then, if still full, the oldest tenth. */
  #sweep(now: number): void {
    for (const [jti, until] of this.#seen) if (now >= until) this.#seen.delete(jti);
    if (this.#seen.size < this.#limit) return;
    let drop = Math.max(1, Math.floor(this.#limit / 10));
    for (const jti of this.#seen.keys()) {
      if (drop-- === 0) break;
      this.#seen.delete(jti);
    }
  }
}
