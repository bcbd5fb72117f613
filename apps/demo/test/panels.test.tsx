// @vitest-environment happy-dom
import { createTokenManager } from '@baton/core';
import { ciam } from '@baton/core/dialects';
import { signInWithPassword } from '@baton/core/password';
import { type MockServer, startMockServer } from '@baton/mock-server';
import { BatonProvider } from '@baton/react';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { ClaimsPanel } from '../src/ClaimsPanel.js';
import { GuardedView } from '../src/GuardedView.js';
import { SessionPanel } from '../src/SessionPanel.js';
import { DEMO_USER, readSettings } from '../src/settings.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0 });
});
afterAll(() => mock.close());
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const text = (id: string) => screen.getByTestId(id).textContent ?? '';

it('shows loading, then the sign-in form; signed in, the profile; the guarded view renders for the session', async () => {
  const manager = createTokenManager({
    dialect: ciam({
      tokenUrl: `${mock.url}/oauth2/token`,
      authorizeUrl: `${mock.url}/oauth2/authorize`,
      clientId: 'TENANT_CLIENT_ID',
      clientSecret: 'TENANT_CLIENT_SECRET',
    }),
    channel: false,
  });
  const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => {});
  const settings = readSettings('');
  render(
    <BatonProvider manager={manager}>
      <SessionPanel settings={settings} />
      <ClaimsPanel />
    </BatonProvider>,
  );
  // No sign-in button before the start-up is over.
  expect(text('session-status')).toBe('loading');
  expect(screen.queryByTestId('sign-in')).toBeNull();
  expect(screen.getByTestId('session-loading')).toBeTruthy();
  await act(() => manager.ready);
  expect(text('session-status')).toBe('signed-out');
  expect(screen.getByTestId('sign-in')).toBeTruthy();

  await act(() => signInWithPassword(manager, DEMO_USER));
  expect(text('session-status')).toBe('valid');
  expect(text('profile')).toContain('alice');
  expect(text('claims')).toContain('alice');

  render(
    <BatonProvider manager={manager}>
      <GuardedView settings={settings} />
    </BatonProvider>,
  );
  expect(text('guarded-content')).toContain('alice');
  expect(assign).not.toHaveBeenCalled();

  // A terminal failure ends the session; the panel says why.
  mock.faults({ route: 'token', grant: 'refresh_token', status: 400, error: 'invalid_grant' });
  await act(() => manager.refresh().catch(() => {}));
  expect(text('session-status')).toBe('signed-out');
  expect(text('session-error')).toContain('invalid_grant');
  // Signed out, the guarded view leaves for the provider's login page, once.
  await vi.waitFor(() => expect(assign).toHaveBeenCalledTimes(1));
  expect(String(assign.mock.calls[0]?.[0])).toContain('/oauth2/authorize?');
  manager.destroy();
});
