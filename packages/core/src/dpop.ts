import { createDpopProof, type DpopKey, generateDpopKey } from './dpopProof.js';
import { BatonError } from './errors.js';
import type { DpopKeysFactory } from './types.js';
import { isRecord } from './util.js';

const STORE = 'keys';

const unavailable = (why: string) => new BatonError('dpop_unavailable', `DPoP: ${why}`);

/** An IndexedDB request (or transaction) as a promise; a failure is `dpop_unavailable`. */
const settle = <T>(request: IDBRequest<T> | IDBOpenDBRequest, what: string) =>
  new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result as T);
    request.onerror = () => reject(unavailable(`${what} failed`));
  });

/**
 * The keys of one app in IndexedDB, by thumbprint: a tab finds the key its session's tokens are
 * bound to, never "the latest" one another tab may have just written.
 */
function keyStore(factory: IDBFactory, name: string) {
  let db: Promise<IDBDatabase> | undefined;
  const open = () => {
    if (!db) {
      const request = factory.open(name, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      db = settle<IDBDatabase>(request, 'opening IndexedDB').then((opened) => {
        // Another tab upgrading the database: let it, and open again next time.
        opened.onversionchange = () => {
          opened.close();
          db = undefined;
        };
        return opened;
      });
      db.catch(() => (db = undefined));
    }
    return db;
  };
  const store = async (mode: IDBTransactionMode) =>
    (await open()).transaction(STORE, mode).objectStore(STORE);
  return {
    get: async (jkt: string) =>
      settle<unknown>((await store('readonly')).get(jkt), 'reading a key'),
    put: async (key: DpopKey) =>
      settle((await store('readwrite')).put(key, key.jkt), 'storing a key'),
    delete: async (jkt: string) => settle((await store('readwrite')).delete(jkt), 'deleting a key'),
  };
}

/** RFC 9449 §8.1: `nonce = 1*NQCHAR`. */
const NONCE = /^[\x21\x23-\x5b\x5d-\x7e]{1,512}$/;

/**
 * The servers' nonces, by origin, in `localStorage` so that every tab sends the one another tab
 * just learnt instead of being refused once each (they are public values: no secret is kept).
 * Without `localStorage`, this tab's memory.
 */
function nonceStore(key: string) {
  const memory = new Map<string, string>();
  const web = (() => {
    try {
      return globalThis.localStorage;
    } catch {
      return undefined; // a sandboxed frame throws on access
    }
  })();
  const read = (): Record<string, unknown> => {
    try {
      const stored: unknown = JSON.parse(web?.getItem(key) ?? '{}');
      return isRecord(stored) ? stored : {};
    } catch {
      return {};
    }
  };
  const originOf = (url: string) => new URL(url, globalThis.location?.href).origin;
  return {
    get(url: string): string | undefined {
      const origin = originOf(url);
      const stored = read()[origin];
      return typeof stored === 'string' && NONCE.test(stored) ? stored : memory.get(origin);
    },
    set(url: string, nonce: string) {
      if (!NONCE.test(nonce)) return;
      const origin = originOf(url);
      memory.set(origin, nonce);
      try {
        web?.setItem(key, JSON.stringify({ ...read(), [origin]: nonce }));
      } catch {} // quota, or storage turned off: memory has it
    },
  };
}

/**
 * Whether the server refused the request for want of its nonce: a token endpoint's
 * `400 {"error":"use_dpop_nonce"}` (RFC 9449 §8), a resource server's `401` with
 * `WWW-Authenticate: DPoP error="use_dpop_nonce"` (§9).
 */
async function asksForNonce(response: Response): Promise<boolean> {
  if (response.status === 401)
    return /\berror\s*=\s*"?use_dpop_nonce\b/i.test(response.headers.get('www-authenticate') ?? '');
  if (response.status !== 400) return false;
  try {
    return (await response.clone().json()).error === 'use_dpop_nonce';
  } catch {
    return false;
  }
}

const isKey = (value: unknown): value is DpopKey =>
  isRecord(value) &&
  typeof value.jkt === 'string' &&
  isRecord(value.jwk) &&
  typeof CryptoKey !== 'undefined' &&
  value.privateKey instanceof CryptoKey;

/**
 * DPoP (RFC 9449) for `createTokenManager({ dialect, dpop: dpop() })`: the tokens are bound to an
 * ECDSA P-256 key whose private half no script can read (WebCrypto, `extractable: false`), kept
 * in IndexedDB (`baton:<app name>:dpop`) so that every tab of the app signs with the same key.
 *
 * Each sign-in creates a key (redirect sign-in sends its thumbprint as `dpop_jkt`); the session's
 * tokens carry the thumbprint, and every tab loads that key by it, so two sign-ins at once can
 * never leave tabs holding the wrong key. Refreshes keep the key; sign-out deletes it in every tab.
 *
 * Throws `BatonError('dpop_unavailable')` when the manager is created where IndexedDB or
 * WebCrypto is missing (old browsers, some privacy modes): the app decides, nothing falls back
 * to bearer tokens by itself.
 */
export function dpop(): DpopKeysFactory {
  return (name) => {
    const { indexedDB } = globalThis;
    if (!indexedDB || !globalThis.crypto?.subtle)
      throw unavailable('this browser has no IndexedDB or WebCrypto');
    const keys = keyStore(indexedDB, `baton:${name}:dpop`);
    const nonces = nonceStore(`baton:${name}:dpop-nonces`);
    const loaded = new Map<string, Promise<DpopKey>>();
    const load = (jkt: string) => {
      let key = loaded.get(jkt);
      if (!key) {
        key = keys.get(jkt).then((stored) => {
          if (isKey(stored) && stored.jkt === jkt) return stored;
          throw unavailable("the session's key is gone (site data cleared?): sign in again");
        });
        loaded.set(jkt, key);
        key.catch(() => loaded.delete(jkt));
      }
      return key;
    };
    return {
      async create() {
        const key = await generateDpopKey();
        await keys.put(key);
        loaded.set(key.jkt, Promise.resolve(key));
        return key.jkt;
      },
      fetch: (jkt, fetchFn, accessToken) => async (input, init) => {
        const first = new Request(input, init);
        const second = first.clone(); // in case the server asks for its nonce
        const send = async (request: Request) => {
          const { url, method } = request;
          const nonce = nonces.get(url);
          const key = await load(jkt);
          const proof = await createDpopProof(key, { method, url, accessToken, nonce });
          request.headers.set('dpop', proof);
          if (accessToken !== undefined)
            request.headers.set('authorization', `DPoP ${accessToken}`);
          const response = await fetchFn(request);
          const next = response.headers.get('dpop-nonce');
          if (next) nonces.set(url, next);
          const retry = next !== null && next !== nonce && (await asksForNonce(response));
          return { response, retry };
        };
        const { response, retry } = await send(first);
        if (!retry) return response;
        response.body?.cancel().catch(() => {});
        return (await send(second)).response;
      },
      async remove(jkt) {
        loaded.delete(jkt);
        await keys.delete(jkt);
      },
    };
  };
}
