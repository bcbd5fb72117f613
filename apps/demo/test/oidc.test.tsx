// @vitest-environment happy-dom
import { createTokenManager } from '@baton/core';
import { BatonProvider } from '@baton/react';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, expect, it, vi } from 'vitest';
import { ClaimsPanel } from '../src/ClaimsPanel.js';
import { SessionPanel } from '../src/SessionPanel.js';
import {
  createDialect,
  OIDC_ISSUER,
  readSettings,
  redirectUri,
  SIGNED_OUT_STATE,
  settingsHref,
} from '../src/settings.js';

// `?dialect=oidc` against a standard provider. The browser flows (the provider's pages, the
// tabs, revocation and logout) are in playwright/tests/oidc.spec.ts, against the real provider.

const signOut = vi.hoisted(() => vi.fn(async () => ({ revoked: true })));
vi.mock('@baton/core/sign-out', () => ({ signOut }));

afterEach(() => {
  cleanup();
  signOut.mockClear();
});

const text = (id: string) => screen.getByTestId(id).textContent ?? '';
/** An unsigned JWT with these claims: all the demo reads of an ID token is its claims. */
const jwt = (claims: object) =>
  ['{"alg":"none"}', JSON.stringify(claims)]
    .map((part) => Buffer.from(part).toString('base64url'))
    .concat('')
    .join('.');

it('reads ?dialect=oidc: the provider by its issuer, no token proxy, lazy discovery', () => {
  const settings = readSettings('?dialect=oidc&proxy=1&lock=broadcast');
  expect(settings).toEqual({
    dialect: 'oidc',
    lock: 'broadcast',
    proxy: false,
    dpop: false,
  });
  expect(settingsHref(settings)).toBe('?dialect=oidc&lock=broadcast');
  expect(redirectUri(settings)).toBe(`${location.origin}/?dialect=oidc&lock=broadcast`);
  const dialect = createDialect(settings);
  expect(dialect).toMatchObject({
    name: 'oidc',
    clientId: 'baton-spa',
    scope: 'openid profile email',
    oidc: true,
  });
  // Nothing read yet: the discovery document is fetched when an endpoint is first needed.
  expect(dialect.tokenUrl).toBe('');
  expect(OIDC_ISSUER).toBe('http://127.0.0.1:4020');
});

it('signs in by redirect only, shows the ID token as the profile, and signs out at the provider', async () => {
  const settings = readSettings('?dialect=oidc');
  const manager = createTokenManager({ dialect: createDialect(settings), channel: false });
  render(
    <BatonProvider manager={manager}>
      <SessionPanel settings={settings} />
      <ClaimsPanel />
    </BatonProvider>,
  );
  await act(() => manager.ready);
  expect(text('session-status')).toBe('signed-out');
  // No password form: a standard provider has no password grant.
  expect(screen.queryByTestId('sign-in')).toBeNull();
  expect(screen.queryByTestId('password')).toBeNull();
  expect(screen.getByTestId('sign-in-redirect')).toBeTruthy();

  act(() =>
    manager.setTokens({
      accessToken: 'opaque-access-token',
      refreshToken: 'opaque-refresh-token',
      expiresAt: Date.now() + 60_000,
      idToken: jwt({ sub: 'alice', iss: OIDC_ISSUER, aud: 'baton-spa' }),
    }),
  );
  expect(text('session-status')).toBe('valid');
  expect(text('profile')).toContain('alice');
  expect(screen.queryByTestId('claims')).toBeNull();

  const button = screen.getByTestId('sign-out');
  expect(button.textContent).toBe('Sign out everywhere and at the provider');
  await act(async () => {
    fireEvent.click(button);
  });
  expect(signOut).toHaveBeenCalledTimes(1);
  expect(signOut).toHaveBeenCalledWith(manager, {
    postLogoutRedirectUri: `${location.origin}/?dialect=oidc`,
    state: SIGNED_OUT_STATE,
  });
  manager.destroy();
});
