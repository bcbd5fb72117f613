// DPoP against the mock server's strict checks (RFC 9449 §4.3, §7, §8, §9): server nonces, the
// DPoP scheme on an API, replays and tokens without their proof refused.
import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAuthFetch } from '../src/authFetch.js';
import { dpop } from '../src/dpop.js';
import type { TokenManager } from '../src/index.js';
import { signInWithPassword } from '../src/password.js';
import { ALICE, ciamManager, lastSaved, mockServer, until } from './support.js';

const mock = mockServer({ dpop: 'required', dpopNonce: true });
beforeAll(() => mock.start());
afterAll(() => mock.stop());
const managers: TokenManager[] = [];
afterEach(() => {
  for (const m of managers.splice(0)) m.destroy();
  mock.server.reset();
});

let app = 0;
function tab(name: string) {
  const { storage, saved } = lastSaved();
  const manager = ciamManager(mock.server, {
    channel: name,
    lock: 'broadcast',
    dpop: dpop(),
    storage,
  });
  managers.push(manager);
  return { manager, saved };
}
const api = () => `${mock.server.url}/api/me`;

describe('DPoP against the mock server (proofs required, server nonces on)', () => {
  it('learns the nonce once, then every request of every tab proves the one key', async () => {
    const name = `mock-dpop-${++app}`;
    const a = tab(name);
    await signInWithPassword(a.manager, ALICE);
    expect(a.saved()).toMatchObject({ tokenType: 'DPoP', jkt: expect.any(String) });
    expect(a.saved()?.claims?.cnf).toEqual({ jkt: a.saved()?.jkt });
    expect(mock.server.stats().dpop.nonceChallenges).toBe(1); // one retry, with the nonce
    const b = tab(name);
    await b.manager.ready;
    await b.manager.refresh();
    await until(() => a.manager.getSnapshot().generation === 2, 5000, 'a adopts');
    await a.manager.refresh();
    const stats = mock.server.stats().dpop;
    expect(stats.keys).toBe(1);
    expect(stats.proofsAccepted).toBe(3);
    expect(stats.proofsRejected).toEqual({});
  });

  it('authFetch sends the token with the DPoP scheme and a proof; replays and bare tokens are refused', async () => {
    const a = tab(`mock-dpop-${++app}`);
    await signInWithPassword(a.manager, ALICE);
    const sent: Request[] = [];
    const authFetch = createAuthFetch(a.manager, {
      allowedOrigins: [mock.server.url],
      fetch: (input, init) => {
        const request = new Request(input, init);
        sent.push(request.clone());
        return fetch(request);
      },
    });
    const me = await authFetch(api());
    expect(me.status).toBe(200);
    const last = sent.at(-1);
    expect(last?.headers.get('authorization')).toMatch(/^DPoP /);
    expect(last?.headers.get('dpop')).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    // The same proof again: refused (jti seen).
    const replay = await fetch(api(), { headers: last?.headers ?? {} });
    expect(replay.status).toBe(401);
    expect(mock.server.stats().dpop.replays).toBe(1);
    // The token without a proof, as a bearer token: refused.
    const token = (last?.headers.get('authorization') ?? '').slice(5);
    for (const headers of [
      { authorization: `Bearer ${token}` },
      { authorization: `DPoP ${token}` },
    ]) {
      const bare = await fetch(api(), { headers });
      expect(bare.status).toBe(401);
      expect(bare.headers.get('www-authenticate')).toMatch(/^DPoP /);
    }
  });

  it('a refresh token spent without its key is refused, and spends nothing', async () => {
    const a = tab(`mock-dpop-${++app}`);
    await signInWithPassword(a.manager, ALICE);
    const stolen = a.saved()?.refreshToken ?? '';
    const response = await fetch(`${mock.server.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: stolen,
        client_id: 'TENANT_CLIENT_ID',
        client_secret: 'TENANT_CLIENT_SECRET',
      }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe('invalid_dpop_proof');
    await a.manager.refresh();
    expect(a.manager.getSnapshot().generation).toBe(2);
  });
});
