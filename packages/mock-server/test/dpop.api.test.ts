import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../src/index.js';
import {
  ciamToken,
  type DpopKey,
  dpopKey,
  meWith,
  PASSWORD,
  proof,
  tokens,
} from './dpopSupport.js';
import { me, signIn, TestClock } from './support.js';

/** DPoP (RFC 9449 §7) at `/api/me`, and server nonces (§8, §9), over real HTTP. */

const clock = new TestClock();
let server: MockServer;
let nonced: MockServer;
let alice: DpopKey;
let mallory: DpopKey;

beforeAll(async () => {
  [server, nonced, alice, mallory] = await Promise.all([
    startMockServer({ now: clock.now, dpop: 'required', accessTtl: 60 }),
    startMockServer({ now: clock.now, dpop: 'required', dpopNonce: true }),
    dpopKey(),
    dpopKey(),
  ]);
});
afterAll(() => Promise.all([server.close(), nonced.close()]));
beforeEach(() => {
  server.reset();
  nonced.reset();
});

/** Alice signs in on `s` with her key: a DPoP-bound access token. */
async function boundToken(s: MockServer, nonce?: string): Promise<string> {
  const DPoP = await proof(alice, clock.now, {
    htu: `${s.url}/oauth2/token`,
    ...(nonce !== undefined && { nonce }),
  });
  return tokens(await ciamToken(s.url, PASSWORD, { DPoP })).accessToken;
}

/** A proof for `GET /api/me` on `s` with `token`, with these overrides. */
const apiProof = (
  s: MockServer,
  token: string,
  key = alice,
  claims: Partial<Parameters<typeof proof>[2]> = {},
) => proof(key, clock.now, { htm: 'GET', htu: `${s.url}/api/me`, accessToken: token, ...claims });

const CHALLENGES = 'DPoP error="invalid_token", algs="ES256", Bearer error="invalid_token"';

describe('/api/me with a DPoP-bound token', () => {
  it('answers a DPoP-scheme request with a good proof', async () => {
    const token = await boundToken(server);
    const a = await meWith(server.url, {
      Authorization: `DPoP ${token}`,
      DPoP: await apiProof(server, token),
    });
    expect([a.status, a.body]).toEqual([
      200,
      { ok: true, sub: 'alice', dialect: 'ciam', username: 'alice' },
    ]);
    expect(server.stats()).toMatchObject({ apiOk: 1, dpop: { proofsAccepted: 2, keys: 1 } });
  });

  it('refuses the token sent as Bearer with the invalid_token challenges', async () => {
    const token = await boundToken(server);
    const a = await meWith(server.url, {
      Authorization: `Bearer ${token}`,
      DPoP: await apiProof(server, token),
    });
    expect([a.status, a.headers.get('www-authenticate'), a.body]).toEqual([
      401,
      CHALLENGES,
      { error: 'invalid_token', error_description: expect.stringMatching(/Bearer scheme/) },
    ]);
    expect(server.stats()).toMatchObject({ api401: 1, apiOk: 0 });
  });

  it('refuses a bad proof with invalid_dpop_proof (no invalid_token: not a reason to refresh)', async () => {
    const token = await boundToken(server);
    const other = tokens(
      await ciamToken(server.url, PASSWORD, {
        DPoP: await proof(mallory, clock.now, { htu: `${server.url}/oauth2/token` }),
      }),
    ).accessToken;
    const replayed = await apiProof(server, token);
    expect(
      (await meWith(server.url, { Authorization: `DPoP ${token}`, DPoP: replayed })).status,
    ).toBe(200);
    const cases: [string, Record<string, string>, RegExp][] = [
      ['no proof', {}, /^DPoP proof required$/],
      ['wrong ath', { DPoP: await apiProof(server, token, alice, { accessToken: other }) }, /^ath/],
      [
        'no ath',
        { DPoP: await proof(alice, clock.now, { htm: 'GET', htu: `${server.url}/api/me` }) },
        /^ath/,
      ],
      ['other key', { DPoP: await apiProof(server, token, mallory) }, /not the key/],
      ['replay', { DPoP: replayed }, /jti already used/],
      ['wrong htm', { DPoP: await apiProof(server, token, alice, { htm: 'POST' }) }, /^htm/],
      [
        'wrong htu',
        { DPoP: await apiProof(server, token, alice, { htu: `${server.url}/oauth2/token` }) },
        /^htu/,
      ],
      [
        'stale iat',
        {
          DPoP: await apiProof(server, token, alice, { iat: Math.floor(clock.now() / 1000) - 120 }),
        },
        /^iat/,
      ],
    ];
    for (const [name, headers, description] of cases) {
      const a = await meWith(server.url, { Authorization: `DPoP ${token}`, ...headers });
      expect({
        name,
        status: a.status,
        challenge: a.headers.get('www-authenticate'),
        body: a.body,
      }).toEqual({
        name,
        status: 401,
        challenge: 'DPoP error="invalid_dpop_proof", algs="ES256"',
        body: {
          error: 'invalid_dpop_proof',
          error_description: expect.stringMatching(description),
        },
      });
    }
    expect(server.stats()).toMatchObject({
      apiOk: 1,
      api401: cases.length,
      dpop: {
        replays: 1,
        proofsRejected: {
          missing: 1,
          ath: 2,
          'key-mismatch': 1,
          replay: 1,
          htm: 1,
          htu: 1,
          iat: 1,
        },
      },
    });
  });

  it('answers an expired bound token with invalid_token, so the client refreshes', async () => {
    const token = await boundToken(server);
    clock.advance(61); // accessTtl 60
    const a = await meWith(server.url, {
      Authorization: `DPoP ${token}`,
      DPoP: await apiProof(server, token),
    });
    expect([a.status, a.headers.get('www-authenticate'), a.body]).toEqual([
      401,
      CHALLENGES,
      { error: 'invalid_token', error_description: 'access token expired' },
    ]);
  });

  it('keeps Bearer for tokens that are not bound (the other dialects), with both challenges on 401', async () => {
    const eiam = await signIn(server.url, 'eiam');
    expect((await me(server.url, eiam.accessToken)).status).toBe(200);
    const dpopScheme = await meWith(server.url, {
      Authorization: `DPoP ${eiam.accessToken}`,
      DPoP: await apiProof(server, eiam.accessToken),
    });
    expect([dpopScheme.status, dpopScheme.headers.get('www-authenticate')]).toEqual([
      401,
      CHALLENGES,
    ]);
    const none = await me(server.url, undefined);
    expect([none.status, none.headers.get('www-authenticate')]).toEqual([401, CHALLENGES]);
    // An injected 401 carries them too.
    server.faults({ route: 'api', status: 401 });
    const faulted = await me(server.url, eiam.accessToken);
    expect([faulted.status, faulted.headers.get('www-authenticate')]).toEqual([401, CHALLENGES]);
  });
});

describe('server nonces (dpopNonce: true)', () => {
  it('challenges a token request without the nonce, then accepts the retry', async () => {
    const htu = `${nonced.url}/oauth2/token`;
    const first = await ciamToken(nonced.url, PASSWORD, {
      DPoP: await proof(alice, clock.now, { htu }),
    });
    const nonce = first.headers.get('dpop-nonce');
    expect([first.status, first.body, nonce]).toEqual([
      400,
      { error: 'use_dpop_nonce', error_description: expect.any(String) },
      expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    ]);
    const retry = await ciamToken(nonced.url, PASSWORD, {
      DPoP: await proof(alice, clock.now, { htu, nonce: nonce ?? '' }),
    });
    expect([retry.status, tokens(retry).cnf, retry.headers.get('dpop-nonce')]).toEqual([
      200,
      { jkt: alice.jkt },
      nonce,
    ]);
    expect(nonced.stats()).toMatchObject({
      signIns: 1,
      dpop: { nonceChallenges: 1, proofsAccepted: 1, proofsRejected: {}, keys: 1 },
    });
  });

  it('rotates the nonce: the old one is challenged with the new one', async () => {
    const nonce = (await ciamToken(nonced.url, PASSWORD)).headers.get('dpop-nonce') ?? '';
    clock.advance(61);
    const htu = `${nonced.url}/oauth2/token`;
    const stale = await ciamToken(nonced.url, PASSWORD, {
      DPoP: await proof(alice, clock.now, { htu, nonce }),
    });
    const fresh = stale.headers.get('dpop-nonce');
    expect([stale.status, (stale.body as { error: string }).error]).toEqual([
      400,
      'use_dpop_nonce',
    ]);
    expect(fresh).not.toBe(nonce);
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('challenges /api/me without the nonce (401, use_dpop_nonce), then accepts the retry', async () => {
    const nonce = (await ciamToken(nonced.url, PASSWORD)).headers.get('dpop-nonce') ?? '';
    const token = await boundToken(nonced, nonce);
    const first = await meWith(nonced.url, {
      Authorization: `DPoP ${token}`,
      DPoP: await apiProof(nonced, token),
    });
    expect([
      first.status,
      first.headers.get('www-authenticate'),
      first.headers.get('dpop-nonce'),
      first.body,
    ]).toEqual([
      401,
      'DPoP error="use_dpop_nonce", algs="ES256"',
      nonce,
      { error: 'use_dpop_nonce', error_description: 'nonce required' },
    ]);
    const retry = await meWith(nonced.url, {
      Authorization: `DPoP ${token}`,
      DPoP: await apiProof(nonced, token, alice, { nonce }),
    });
    expect(retry.status).toBe(200);
    expect(nonced.stats()).toMatchObject({ apiOk: 1, api401: 1, dpop: { nonceChallenges: 1 } });
  });
});
