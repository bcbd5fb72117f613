import { expect, it } from 'vitest';
import { channelName, readSettings, settingsHref } from '../src/settings.js';
import { boundTo } from '../src/testHook.js';

it('reads &dpop=1 for ciam and oidc only, and never with the token proxy', () => {
  const ciam = readSettings('?dpop=1&proxy=1');
  expect(ciam).toEqual({ dialect: 'ciam', lock: 'auto', proxy: false, dpop: true });
  expect(settingsHref(ciam)).toBe('?dpop=1');
  expect(readSettings('?dialect=oidc&dpop=1').dpop).toBe(true);
  expect(readSettings('?dialect=eiam&dpop=1&proxy=1')).toEqual({
    dialect: 'eiam',
    lock: 'auto',
    proxy: true,
    dpop: false,
  });
  expect(readSettings('?dpop=0').dpop).toBe(false);
});

it('keeps DPoP sessions apart from bearer ones (their own channel)', () => {
  expect(channelName(readSettings('?dpop=1&lock=web-locks'))).toBe(
    'baton-demo-ciam-web-locks-dpop',
  );
  expect(channelName(readSettings('?lock=web-locks'))).toBe('baton-demo-ciam-web-locks');
});

it('reads the key a token is bound to from its claims (cnf.jkt), nothing else', () => {
  expect(boundTo({ cnf: { jkt: 'abc' } })).toBe('abc');
  expect(boundTo({ cnf: { 'x5t#S256': 'x' } })).toBeUndefined();
  expect(boundTo({ sub: 'alice' })).toBeUndefined();
  expect(boundTo(undefined)).toBeUndefined();
});

it('notes the key each proof is signed with, and forgets it with the key', async () => {
  const { signingKey, trackSigningKey } = await import('../src/signingKey.js');
  const asked: string[] = [];
  const keys = trackSigningKey(() => ({
    create: async () => 'new',
    fetch: (jkt) => {
      asked.push(jkt);
      return fetch;
    },
    remove: async () => {},
  }))('app');
  expect(signingKey()).toBeUndefined();
  await keys.create();
  expect(signingKey(), 'a key made for a sign-in is no session’s yet').toBeUndefined();
  keys.fetch('session-key', fetch, 'token');
  expect(signingKey()).toBe('session-key');
  expect(asked).toEqual(['session-key']);
  await keys.remove('other-key');
  expect(signingKey()).toBe('session-key');
  await keys.remove('session-key');
  expect(signingKey()).toBeUndefined();
});
