import { describe, expect, it } from 'vitest';
import type { TokenSet } from '../src/types.js';
import { webStorage } from '../src/webStorage.js';
import { mapStorage } from './support.js';

const tokens: TokenSet = {
  accessToken: 'access',
  refreshToken: 'refresh',
  tokenType: 'Bearer',
  expiresAt: 1_700_000_000_000,
  generation: 3,
};

describe('webStorage', () => {
  it('keeps the session under baton:<app name>, without the refresh token by default', () => {
    const adapter = mapStorage();
    const store = webStorage(adapter)('shop');
    expect(store.key).toBe('baton:shop');
    store.save(tokens);
    const { refreshToken, ...rest } = tokens;
    expect(JSON.parse(adapter.data.get('baton:shop')!)).toEqual(rest);
    expect(store.load()).toEqual(rest);
    store.clear();
    expect(adapter.data.size).toBe(0);
    expect(store.load()).toBeUndefined();
  });

  it('keeps the refresh token only when asked to', () => {
    const adapter = mapStorage();
    const store = webStorage(adapter, { persistRefreshToken: true })('app');
    store.save(tokens);
    expect(store.load()).toEqual(tokens);
  });

  it('hands what is not JSON back as it is, for the manager to reject', () => {
    const adapter = mapStorage();
    adapter.data.set('baton:app', '{not json');
    expect(webStorage(adapter)('app').load()).toBe('{not json');
    adapter.data.set('baton:app', 'null');
    expect(webStorage(adapter)('app').load()).toBeNull();
  });

  it('without web storage (Node, a worker), keeps nothing and fails nowhere', () => {
    expect(globalThis.localStorage).toBeUndefined();
    const store = webStorage('local')('app');
    store.save(tokens);
    expect(store.load()).toBeUndefined();
    expect(() => store.clear()).not.toThrow();
  });

  it('a full or disabled localStorage does not break the session', () => {
    const throwing = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
      removeItem: () => {},
    };
    (globalThis as { localStorage?: unknown }).localStorage = throwing;
    try {
      const store = webStorage('local')('app');
      expect(() => store.save(tokens)).not.toThrow();
      expect(store.load()).toBeUndefined();
    } finally {
      delete (globalThis as { localStorage?: unknown }).localStorage;
    }
  });
});
