import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';

/**
 * oidc-provider's storage, in memory, one per provider. Its built-in memory adapter works too, but
 * it warns at every start-up, and an admin's "revoke every grant" needs to list the grants, which
 * that adapter cannot: this one keeps every artifact in one map and can.
 */

interface Entry {
  readonly model: string;
  readonly id: string;
  readonly payload: AdapterPayload;
  /** Epoch milliseconds; Infinity when the model gave no lifetime. */
  readonly expiresAt: number;
}

/** How often expired entries are swept out (a long `pnpm demo` must not grow forever). */
const SWEEP_EVERY_MS = 30_000;

export class MemoryStore {
  readonly #entries = new Map<string, Entry>();
  #lastSweep = Date.now();

  /** The `adapter` option of oidc-provider's configuration: one Adapter per model name. */
  readonly factory: AdapterFactory = (model) => this.#adapter(model);

  /**
   * Deletes every Grant and every artifact issued under a grant (access and refresh tokens,
   * authorization codes), as an admin would. Returns how many grants there were.
   */
  revokeAllGrants(): number {
    let grants = 0;
    for (const [key, entry] of this.#entries) {
      if (entry.model === 'Grant') {
        if (this.#live(entry)) grants += 1;
        this.#entries.delete(key);
      } else if (typeof entry.payload.grantId === 'string') {
        this.#entries.delete(key);
      }
    }
    return grants;
  }

  clear(): void {
    this.#entries.clear();
  }

  #live(entry: Entry): boolean {
    return entry.expiresAt > Date.now();
  }

  #get(model: string, id: string): Entry | undefined {
    const key = `${model}:${id}`;
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (!this.#live(entry)) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #find(
    model: string,
    predicate: (payload: AdapterPayload) => boolean,
  ): AdapterPayload | undefined {
    for (const entry of this.#entries.values()) {
      if (entry.model === model && this.#live(entry) && predicate(entry.payload)) {
        return entry.payload;
      }
    }
    return undefined;
  }

  #sweep(): void {
    const now = Date.now();
    if (now - this.#lastSweep < SWEEP_EVERY_MS) return;
    this.#lastSweep = now;
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#entries.delete(key);
    }
  }

  #adapter(model: string): Adapter {
    return {
      upsert: async (id, payload, expiresIn) => {
        this.#sweep();
        const expiresAt =
          typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
        this.#entries.set(`${model}:${id}`, { model, id, payload, expiresAt });
      },
      find: async (id) => this.#get(model, id)?.payload,
      findByUid: async (uid) => this.#find(model, (payload) => payload.uid === uid),
      findByUserCode: async (userCode) =>
        this.#find(model, (payload) => payload.userCode === userCode),
      consume: async (id) => {
        const entry = this.#get(model, id);
        if (entry !== undefined) entry.payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => {
        this.#entries.delete(`${model}:${id}`);
      },
      revokeByGrantId: async (grantId) => {
        for (const [key, entry] of this.#entries) {
          if (entry.model === model && entry.payload.grantId === grantId) this.#entries.delete(key);
        }
      },
    };
  }
}
