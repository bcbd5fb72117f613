// src/api.test.ts
import { createTokenManager } from '@baton/core';
import { createAuthFetch } from '@baton/core/auth-fetch';
import { ciam } from '@baton/core/dialects';
import { signInWithPassword } from '@baton/core/password';
import { expect, inject, test } from 'vitest';
import { connectMockServer } from '../src/index.js';

const mock = connectMockServer(inject('mockUrl'));
const { apiUrl, clientId, clientSecret, tokenUrl } = mock.endpoints('ciam');

test('a 401 from the API refreshes the token once and replays the call', async () => {
  await mock.reset(); // counters and sessions from zero
  const manager = createTokenManager({
    dialect: ciam({ clientId, clientSecret, tokenUrl }),
    channel: false, // Node has no other tabs
  });
  await signInWithPassword(manager, { username: 'alice', password: 'alice-password' });
  const authFetch = createAuthFetch(manager, { allowedOrigins: [mock.url] });

  await mock.faults({ route: 'api', status: 401 }); // the next API call: 401 invalid_token
  const response = await authFetch(apiUrl);

  expect(await response.json()).toMatchObject({ ok: true, username: 'alice' });
  const { signIns, refreshes, faultsServed, apiOk } = await mock.stats();
  expect({ signIns, refreshes, faultsServed, apiOk }).toEqual({
    signIns: 1,
    refreshes: 1,
    faultsServed: 1,
    apiOk: 1,
  });
  manager.destroy();
});
