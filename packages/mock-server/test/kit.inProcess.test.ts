// src/token.test.ts
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type MockServer, startMockServer } from '../src/index.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0, accessTtl: 60, reuseGrace: 2 }); // a free port
});
afterAll(() => mock.close());

test('a 503 from the token endpoint, then a token', async () => {
  const { tokenUrl, clientId, clientSecret } = mock.endpoints('eiam'); // EIAM: all in the query
  const query = new URLSearchParams({ grant_type: 'password', client_id: clientId });
  query.set('client_secret', clientSecret);
  query.set('username', 'alice');
  query.set('password', 'alice-password');
  mock.faults({ route: 'token', status: 503, retryAfter: 1 }); // the next token request only

  const first = await fetch(`${tokenUrl}?${query}`, { method: 'POST' });
  const second = await fetch(`${tokenUrl}?${query}`, { method: 'POST' });

  expect([first.status, first.headers.get('retry-after'), second.status]).toEqual([503, '1', 200]);
  expect(await second.json()).toHaveProperty('expires_in', 60);
  const { tokenRequests, faultsServed, signIns } = mock.stats().byDialect.eiam;
  expect({ tokenRequests, faultsServed, signIns }).toEqual({
    tokenRequests: 2,
    faultsServed: 1,
    signIns: 1,
  });
});

// Not in the README: what `afterAll` relies on.
test('close() stops it: the port refuses connections', async () => {
  const other = await startMockServer();
  await other.close();
  await expect(fetch(`${other.url}/__mock/stats`)).rejects.toThrow();
});
