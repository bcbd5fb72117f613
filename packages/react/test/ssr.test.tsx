// @vitest-environment node
import { createTokenManager, type Snapshot } from '@baton/core';
import { ciam } from '@baton/core/dialects';
import { Suspense } from 'react';
import { renderToString } from 'react-dom/server';
import { expect, it } from 'vitest';
import { BatonProvider, useAccessToken, useAuth, useSuspenseAccessToken } from '../src/index.js';

function Status() {
  const { status, generation, accessToken } = useAccessToken();
  const { claims } = useAuth();
  return <p>{`${status} ${generation} ${accessToken ?? '-'} ${claims?.sub ?? '-'}`}</p>;
}

function Token() {
  return <b>{useSuspenseAccessToken()}</b>;
}

// A manager as a server would make one: no window, no session.
const manager = () =>
  createTokenManager({
    dialect: ciam({ tokenUrl: 'https://id.example/oauth2/token', clientId: 'c' }),
    channel: false,
  });

it('imports and renders without a window, showing signed-out', () => {
  expect(typeof window).toBe('undefined');
  const html = renderToString(
    <BatonProvider manager={manager()}>
      <Status />
    </BatonProvider>,
  );
  expect(html).toBe('<p>signed-out 0 - -</p>');
});

it('renders the server snapshot the app passes', () => {
  const serverSnapshot: Snapshot = {
    status: 'valid',
    accessToken: 'server-token',
    expiresAt: Date.now() + 60_000,
    generation: 7,
    claims: { sub: 'alice' },
    profile: { sub: 'alice', name: 'Alice' },
    error: undefined,
    ready: true,
  };
  const html = renderToString(
    <BatonProvider manager={manager()} serverSnapshot={serverSnapshot}>
      <Status />
      <Suspense fallback="loading">
        <Token />
      </Suspense>
    </BatonProvider>,
  );
  expect(html).toBe('<p>valid 7 server-token alice</p><!--$--><b>server-token</b><!--/$-->');
});
