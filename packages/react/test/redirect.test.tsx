import { ciam } from '@baton/core/dialects';
import { signInWithRedirect } from '@baton/core/redirect';
import { render, screen } from '@testing-library/react';
import { StrictMode } from 'react';
import { expect, it, vi } from 'vitest';
import { BatonProvider, useAuth, useRedirectCallback } from '../src/index.js';
import { CIAM, logIn, setUrl, setup, until } from './support.js';

const env = setup();

function Callback() {
  const result = useRedirectCallback();
  const { status, claims } = useAuth();
  return (
    <p data-testid="out">
      {result.status === 'done'
        ? `done ${result.state} ${status} ${claims?.sub}`
        : result.status === 'error'
          ? `error ${result.error.code}`
          : 'pending'}
    </p>
  );
}

it('signs in by redirect and exchanges the code once, even under StrictMode', async () => {
  setUrl('http://localhost:3000/callback');
  const { url } = env.mock;
  const manager = env.manager({
    dialect: ciam({
      ...CIAM,
      tokenUrl: `${url}/oauth2/token`,
      authorizeUrl: `${url}/oauth2/authorize`,
    }),
  });
  const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => {});
  await signInWithRedirect(manager, { state: '/after' });
  const authorizeUrl = String(assign.mock.calls[0]?.[0]);
  assign.mockRestore();
  expect(new URL(authorizeUrl).searchParams.get('code_challenge_method')).toBe('S256');

  const callbackUrl = await logIn(url, authorizeUrl);
  expect(callbackUrl).toContain('code=');
  setUrl(callbackUrl);
  render(
    <StrictMode>
      <BatonProvider manager={manager}>
        <Callback />
      </BatonProvider>
    </StrictMode>,
  );
  expect(screen.getByTestId('out').textContent).toBe('pending');
  await until(() => screen.getByTestId('out').textContent !== 'pending', 'the exchange');
  expect(screen.getByTestId('out').textContent).toBe('done /after valid bob');
  expect(env.mock.stats().signIns).toBe(1);
  // The address bar no longer carries the code.
  expect(window.location.href).not.toContain('code=');
});

it('renders a tampered state as a typed error, sending nothing', async () => {
  const manager = env.manager();
  setUrl('http://localhost:3000/callback?code=abc&state=forged');
  const before = env.mock.stats().tokenRequests;
  render(
    <BatonProvider manager={manager}>
      <Callback />
    </BatonProvider>,
  );
  await until(() => screen.getByTestId('out').textContent !== 'pending', 'the refusal');
  expect(screen.getByTestId('out').textContent).toBe('error invalid_state');
  expect(env.mock.stats().tokenRequests).toBe(before);
});
