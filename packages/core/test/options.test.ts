import { describe, expect, it } from 'vitest';
import { createAuthFetch } from '../src/authFetch.js';
import { ciam } from '../src/dialects/index.js';
import { createTokenManager, type TokenManagerOptions } from '../src/index.js';
import { createAuthorizeRequest } from '../src/redirectSignIn.js';

const dialect = ciam({ clientId: 'c', tokenUrl: 'http://127.0.0.1:9/oauth2/token' });
const make = (options: Partial<TokenManagerOptions>) =>
  createTokenManager({ dialect, channel: false, ...options } as TokenManagerOptions);

/** Programming mistakes throw a TypeError at once, saying what to set; nothing is sent. */
describe('misuse', () => {
  it('a missing or wrong dialect', () => {
    expect(() => createTokenManager({} as TokenManagerOptions)).toThrow(TypeError);
    expect(() => createTokenManager({} as TokenManagerOptions)).toThrow(/set `dialect`/);
    expect(() =>
      createTokenManager({ dialect: { name: 'x' } } as unknown as TokenManagerOptions),
    ).toThrow(/defineDialect/);
  });

  it.each([
    ['refreshSkewMs', '30'],
    ['minRefreshIntervalMs', -1],
    ['requestTimeoutMs', Number.NaN],
    ['lockTimeoutMs', Number.POSITIVE_INFINITY],
    ['syncTimeoutMs', null],
  ])('a duration that is not a number of ms ≥ 0: %s = %s', (key, value) => {
    expect(() => make({ [key]: value })).toThrow(
      new TypeError(`Baton: ${key} must be a number of milliseconds ≥ 0`),
    );
  });

  it('an empty or non-string channel', () => {
    expect(() => make({ channel: '' })).toThrow(/channel/);
    expect(() => make({ channel: 7 as unknown as string })).toThrow(TypeError);
  });

  it('redirect sign-in without authorizeUrl or clientId', async () => {
    const bare = { ...dialect, authorizeUrl: undefined };
    await expect(
      createAuthorizeRequest(bare, { redirectUri: 'http://127.0.0.1/cb' }, sessionLike()),
    ).rejects.toThrow(/set authorizeUrl and clientId on the ciam dialect/);
    await expect(
      createAuthorizeRequest(bare, { redirectUri: 'http://127.0.0.1/cb' }, sessionLike()),
    ).rejects.toBeInstanceOf(TypeError);
  });

  it('an allowed origin that is not an absolute URL', () => {
    const manager = make({});
    try {
      expect(() => createAuthFetch(manager, { allowedOrigins: ['api.example.com'] })).toThrow(
        /allowedOrigins: api.example.com is not an absolute URL/,
      );
    } finally {
      manager.destroy();
    }
  });

  it('well-formed options create a manager', async () => {
    const manager = make({ refreshSkewMs: 0, lockTimeoutMs: 1, syncTimeoutMs: 0 });
    await manager.ready;
    expect(manager.getSnapshot().status).toBe('signed-out');
    manager.destroy();
  });
});

function sessionLike() {
  const data = new Map<string, string>();
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}
