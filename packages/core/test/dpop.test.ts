// DPoP end to end in Node: the real dpop() module (its IndexedDB is fake-indexeddb: Node has
// none) and real managers against panva's oidc-provider with DPoP on, over HTTP on 127.0.0.1.
import 'fake-indexeddb/auto';
import {
  authorizeHeadless,
  type RunningOidcProvider,
  startOidcProvider,
} from '@baton/oidc-test-provider';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { oidc } from '../src/dialects/standard.js';
import { dpop } from '../src/dpop.js';
import { createTokenManager, isBatonError, type TokenManager } from '../src/index.js';
import { createAuthorizeRequest, parseRedirectCallback } from '../src/redirectSignIn.js';
import { lastSaved, memoryTransactions, until } from './support.js';

const REDIRECT = 'http://127.0.0.1:5173/callback';
let provider: RunningOidcProvider;
const managers: TokenManager[] = [];
beforeAll(async () => {
  provider = await startOidcProvider({ accessTtl: 60, redirectUris: [REDIRECT], dpop: true });
});
afterEach(() => {
  for (const m of managers.splice(0)) m.destroy();
  vi.unstubAllGlobals();
  provider.reset();
});
afterAll(() => provider.close());

let app = 0;
/** A tab of app `name`: its manager, and the last TokenSet it stored. */
function tab(name: string) {
  const { storage, saved } = lastSaved();
  const manager = createTokenManager({
    dialect: oidc({ issuer: provider.issuer, clientId: provider.clientId }),
    channel: name,
    lock: 'broadcast',
    dpop: dpop(),
    storage,
  });
  managers.push(manager);
  return { manager, saved };
}

/** Signs `manager` in by redirect through the provider's pages, the code bound to a new key. */
async function signIn(manager: TokenManager) {
  const storage = memoryTransactions();
  const dpopJkt = await manager.dpop?.create();
  const { url } = await createAuthorizeRequest(
    manager.dialect,
    { redirectUri: REDIRECT, dpopJkt },
    storage,
  );
  expect(new URL(url).searchParams.get('dpop_jkt')).toBe(dpopJkt);
  const {
    nonce: _n,
    state: _s,
    jkt,
    ...grant
  } = parseRedirectCallback(await authorizeHeadless(url), storage);
  expect(jkt).toBe(dpopJkt);
  await manager.signInWithGrant(grant, { jkt });
  return dpopJkt;
}

/** The key `jkt` as IndexedDB holds it, read as another page would. */
const storedKey = (name: string, jkt: string) =>
  new Promise<unknown>((resolve, reject) => {
    const open = indexedDB.open(`baton:${name}:dpop`, 1);
    open.onsuccess = () => {
      const get = open.result.transaction('keys').objectStore('keys').get(jkt);
      get.onsuccess = () => {
        open.result.close();
        resolve(get.result);
      };
      get.onerror = () => reject(get.error);
    };
    open.onerror = () => reject(open.error);
  });

describe('DPoP with a certified provider (oidc-provider, dPoP on)', () => {
  it('binds the session to one key that every tab finds, across refreshes', async () => {
    const name = `dpop-${++app}`;
    const a = tab(name);
    const jkt = await signIn(a.manager);
    expect(a.saved()).toMatchObject({ tokenType: 'DPoP', jkt });
    // Another tab adopts the session and refreshes with the same key, loaded from IndexedDB.
    const b = tab(name);
    await b.manager.ready;
    expect(b.manager.getSnapshot().status).toBe('valid');
    await b.manager.refresh();
    await until(() => a.manager.getSnapshot().generation === 2, 5000, 'a adopts');
    await a.manager.refresh();
    await until(() => b.manager.getSnapshot().generation === 3, 5000, 'b adopts');
    await b.manager.refresh();
    expect(b.saved()).toMatchObject({ tokenType: 'DPoP', jkt, generation: 4 });
    const stats = provider.stats();
    expect(stats.refreshes).toBe(3);
    expect(stats.refreshErrors).toEqual({});
    expect(stats.refreshTokenReuse).toBe(0);
    const key = (await storedKey(name, jkt ?? '')) as { privateKey: CryptoKey };
    expect(key.privateKey.extractable).toBe(false);
  });

  it('the refresh token is worthless without the key', async () => {
    const name = `dpop-${++app}`;
    const a = tab(name);
    await signIn(a.manager);
    const stolen = a.saved()?.refreshToken ?? '';
    const replay = await fetch(`${provider.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: stolen,
        client_id: provider.clientId,
      }),
    });
    expect(replay.status).toBe(400);
    expect((await replay.json()).error).toMatch(/invalid_grant|invalid_dpop_proof/);
    // The session itself still refreshes: the stolen copy was never spent.
    await a.manager.refresh();
    expect(provider.stats().refreshes).toBe(1);
  });

  it('sign-out forgets the key in IndexedDB; a session whose key is gone ends', async () => {
    const name = `dpop-${++app}`;
    const a = tab(name);
    const jkt = (await signIn(a.manager)) ?? '';
    expect(await storedKey(name, jkt)).toBeDefined();
    await a.manager.signOut();
    // The key goes after the sign-out (not awaited by it): poll, bounded.
    let left: unknown = 'not read';
    for (let i = 0; i < 100 && left !== undefined; i++) {
      left = await storedKey(name, jkt);
      if (left !== undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(left).toBeUndefined();

    const b = tab(`dpop-${++app}`);
    const gone = (await signIn(b.manager)) ?? '';
    // Site data cleared behind the app's back, and a fresh page that must load the key.
    await new Promise<void>((resolve) => {
      const request = indexedDB.deleteDatabase(`baton:dpop-${app}:dpop`);
      request.onsuccess = () => resolve();
      request.onblocked = () => resolve();
    });
    const c = tab(`dpop-${app}`);
    await c.manager.ready;
    const failure = await c.manager.refresh().catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'dpop_unavailable' });
    expect(gone).not.toBe('');
  });

  it('refuses to start without IndexedDB or WebCrypto: no silent bearer tokens', () => {
    vi.stubGlobal('indexedDB', undefined);
    let error: unknown;
    try {
      tab(`dpop-${++app}`);
    } catch (e) {
      error = e;
    }
    expect(isBatonError(error, 'dpop_unavailable')).toBe(true);
  });
});
