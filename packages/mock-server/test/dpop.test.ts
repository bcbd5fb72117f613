import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../src/index.js';
import {
  ciamCode,
  ciamToken,
  type DpopKey,
  dpopKey,
  exchangeParams,
  PASSWORD,
  proof,
  tokens,
} from './dpopSupport.js';
import { answer, TestClock } from './support.js';

/** DPoP (RFC 9449) at the CIAM token route, over real HTTP, with proofs made by jose. */

const clock = new TestClock();
let required: MockServer;
let optional: MockServer;
let off: MockServer;
let alice: DpopKey;
let mallory: DpopKey;

beforeAll(async () => {
  [required, optional, off, alice, mallory] = await Promise.all([
    startMockServer({ now: clock.now, dpop: 'required' }),
    startMockServer({ now: clock.now, dpop: 'optional' }),
    startMockServer({ now: clock.now }),
    dpopKey(),
    dpopKey(),
  ]);
});
afterAll(() => Promise.all([required.close(), optional.close(), off.close()]));
beforeEach(() => {
  for (const s of [required, optional, off]) s.reset();
});

const tokenUrl = (s: MockServer) => `${s.url}/oauth2/token`;
/** A proof for a token request to `s` (POST, its token URL, now), with these overrides. */
const tokenProof = (
  s: MockServer,
  key = alice,
  claims: Partial<Parameters<typeof proof>[2]> = {},
) => proof(key, clock.now, { htu: tokenUrl(s), ...claims });
/** What a refused proof's answer looks like. */
const refusal = (description: string | RegExp) => ({
  status: 400,
  body: { error: 'invalid_dpop_proof', error_description: expect.stringMatching(description) },
});

describe('the token endpoint with dpop: required', () => {
  it('binds a password sign-in to the proof key: token_type DPoP, cnf.jkt, one key counted', async () => {
    const a = await ciamToken(required.url, PASSWORD, { DPoP: await tokenProof(required) });
    const t = tokens(a);
    expect([t.tokenType, t.cnf]).toEqual(['DPoP', { jkt: alice.jkt }]);
    expect(a.headers.get('cache-control')).toBe('no-store');
    expect(required.stats().dpop).toEqual({
      proofsAccepted: 1,
      proofsRejected: {},
      replays: 0,
      nonceChallenges: 0,
      keys: 1,
    });
  });

  it('refuses a token request without a proof', async () => {
    const a = await ciamToken(required.url, PASSWORD);
    expect({ status: a.status, body: a.body }).toEqual(refusal(/^DPoP proof required$/));
    expect(required.stats()).toMatchObject({
      signIns: 0,
      dpop: { proofsRejected: { missing: 1 } },
    });
  });

  it('rotates a bound refresh token only with a proof by the same key', async () => {
    const first = tokens(
      await ciamToken(required.url, PASSWORD, { DPoP: await tokenProof(required) }),
    );
    const refresh = { grant_type: 'refresh_token', refresh_token: first.refreshToken };
    const other = await ciamToken(required.url, refresh, {
      DPoP: await tokenProof(required, mallory),
    });
    expect({ status: other.status, body: other.body }).toEqual(refusal(/not the key/));
    const none = await ciamToken(required.url, refresh);
    expect({ status: none.status, body: none.body }).toEqual(refusal(/required/));
    // Neither refusal spent the token: the holder of the key still refreshes, bound again.
    const next = tokens(
      await ciamToken(required.url, refresh, { DPoP: await tokenProof(required) }),
    );
    expect([next.tokenType, next.cnf]).toEqual(['DPoP', { jkt: alice.jkt }]);
    expect(required.stats()).toMatchObject({
      refreshes: 1,
      reuseDetected: 0,
      dpop: { proofsAccepted: 2, proofsRejected: { 'key-mismatch': 1, missing: 1 }, keys: 1 },
    });
  });

  it('refuses a replayed proof (same jti), and counts it', async () => {
    const dpop = await tokenProof(required);
    expect((await ciamToken(required.url, PASSWORD, { DPoP: dpop })).status).toBe(200);
    const again = await ciamToken(required.url, PASSWORD, { DPoP: dpop });
    expect({ status: again.status, body: again.body }).toEqual(refusal(/jti already used/));
    expect(required.stats()).toMatchObject({ signIns: 1, dpop: { replays: 1, proofsAccepted: 1 } });
  });

  it('refuses a proof for another method, URL or time', async () => {
    const cases: [Partial<Parameters<typeof proof>[2]>, RegExp][] = [
      [{ htm: 'GET' }, /^htm must be POST$/],
      [{ htu: `${required.url}/api/me` }, /^htu/],
      [{ htu: `${optional.url}/oauth2/token` }, /^htu/], // another port
      [{ htu: tokenUrl(required).replace('http:', 'https:') }, /^htu/],
      [{ iat: Math.floor(clock.now() / 1000) - 61 }, /^iat/],
      [{ iat: Math.floor(clock.now() / 1000) + 61 }, /^iat/],
    ];
    for (const [claims, description] of cases) {
      const a = await ciamToken(required.url, PASSWORD, {
        DPoP: await tokenProof(required, alice, claims),
      });
      expect({ claims, status: a.status, body: a.body }).toEqual({
        claims,
        ...refusal(description),
      });
    }
    expect(required.stats()).toMatchObject({
      signIns: 0,
      dpop: { proofsAccepted: 0, proofsRejected: { htm: 1, htu: 3, iat: 2 } },
    });
  });

  it('compares htu normalised, as the client saw the URL (Host or X-Forwarded-Host)', async () => {
    const now = Math.floor(clock.now() / 1000);
    const accepted: [string, Record<string, string>][] = [
      [`${tokenUrl(required)}?ignored=1#too`, {}],
      [tokenUrl(required).replace('http://127.0.0.1', 'HTTP://127.0.0.1'), {}],
      [`${tokenUrl(required)}`, { 'X-Forwarded-Host': 'localhost:5173' }], // Host still counts
      ['http://localhost:5173/oauth2/token', { 'X-Forwarded-Host': 'localhost:5173' }],
      [
        'https://APP.localhost:443/oauth2/token',
        { 'X-Forwarded-Host': 'app.localhost', 'X-Forwarded-Proto': 'https' },
      ],
    ];
    for (const [htu, headers] of accepted) {
      const DPoP = await tokenProof(required, alice, { htu, iat: now - 59 });
      const a = await ciamToken(required.url, PASSWORD, { DPoP, ...headers });
      expect({ htu, status: a.status }).toEqual({ htu, status: 200 });
    }
    // The forwarded host is the client's only if the proof says so.
    const DPoP = await tokenProof(required, alice, { htu: 'http://localhost:5173/oauth2/token' });
    expect((await ciamToken(required.url, PASSWORD, { DPoP })).status).toBe(400);
  });

  it('refuses a proof that is not an ES256 dpop+jwt signed by the public key in its header', async () => {
    const htu = tokenUrl(required);
    const iat = Math.floor(clock.now() / 1000);
    const claims = { htm: 'POST', htu, jti: 'j-1', iat };
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const { d } = await exportJWK(
      (await generateKeyPair('ES256', { extractable: true })).privateKey,
    );
    const signed = await tokenProof(required);
    const [h, p, sig] = signed.split('.');
    const cases: [string, string, RegExp][] = [
      ['typ JWT', await tokenProof(required, alice, { header: { typ: 'JWT' } }), /^typ/],
      [
        'alg HS256',
        await new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: alice.jwk })
          .sign(new Uint8Array(32)),
        /^alg/,
      ],
      [
        'alg none',
        `${b64({ alg: 'none', typ: 'dpop+jwt', jwk: alice.jwk })}.${b64(claims)}.`,
        /compact|alg/,
      ],
      [
        'private jwk',
        await tokenProof(required, alice, { header: { jwk: { ...alice.jwk, d } } }),
        /public/,
      ],
      ['no jwk', await tokenProof(required, alice, { header: { jwk: undefined } }), /jwk/],
      [
        'another key signed',
        await tokenProof(required, mallory, { header: { jwk: alice.jwk } }),
        /signature/,
      ],
      ['payload swapped', `${h}.${b64({ ...claims, htu: `${htu}x` })}.${sig}`, /signature/],
      ['two proofs', `${signed}, ${await tokenProof(required)}`, /more than one/],
      ['junk', 'not-a-jwt', /compact/],
      ['header not JSON', `${Buffer.from('{nope').toString('base64url')}.${p}.AAAA`, /JSON/],
    ];
    for (const [name, DPoP, description] of cases) {
      const a = await ciamToken(required.url, PASSWORD, { DPoP });
      expect({ name, status: a.status, body: a.body }).toEqual({ name, ...refusal(description) });
    }
    expect(required.stats()).toMatchObject({ signIns: 0, dpop: { proofsAccepted: 0 } });
  });

  it('binds the code to dpop_jkt: the exchange needs a proof by that key', async () => {
    const bound = await ciamCode(required.url, { dpop_jkt: alice.jkt });
    const stolen = await ciamToken(required.url, exchangeParams(bound.code, bound.verifier), {
      DPoP: await tokenProof(required, mallory),
    });
    expect({ status: stolen.status, body: stolen.body }).toEqual(refusal(/not the key/));
    const fresh = await ciamCode(required.url, { dpop_jkt: alice.jkt });
    const t = tokens(
      await ciamToken(required.url, exchangeParams(fresh.code, fresh.verifier), {
        DPoP: await tokenProof(required),
      }),
    );
    expect([t.tokenType, t.cnf]).toEqual(['DPoP', { jkt: alice.jkt }]);
    // Without dpop_jkt, the exchange's proof binds the session.
    const plain = await ciamCode(required.url);
    const u = tokens(
      await ciamToken(required.url, exchangeParams(plain.code, plain.verifier), {
        DPoP: await tokenProof(required, mallory),
      }),
    );
    expect(u.cnf).toEqual({ jkt: mallory.jkt });
    expect(required.stats()).toMatchObject({ signIns: 2, signInFailures: 1, dpop: { keys: 2 } });
  });

  it('refuses a malformed dpop_jkt at the authorization endpoint', async () => {
    const { code, location } = await ciamCode(required.url, { dpop_jkt: 'short' });
    expect([code, location.searchParams.get('error')]).toEqual(['', 'invalid_request']);
    expect(location.searchParams.get('error_description')).toMatch(/dpop_jkt/);
  });
});

describe('dpop: optional', () => {
  it('issues Bearer tokens without a proof and DPoP-bound ones with one', async () => {
    const bearer = tokens(await ciamToken(optional.url, PASSWORD));
    expect([bearer.tokenType, bearer.cnf]).toEqual(['Bearer', undefined]);
    const bound = tokens(
      await ciamToken(optional.url, PASSWORD, { DPoP: await tokenProof(optional) }),
    );
    expect([bound.tokenType, bound.cnf]).toEqual(['DPoP', { jkt: alice.jkt }]);
    // A bound refresh token without a proof is refused, and not spent.
    const refresh = { grant_type: 'refresh_token', refresh_token: bound.refreshToken };
    const none = await ciamToken(optional.url, refresh);
    expect({ status: none.status, body: none.body }).toEqual(refusal(/required/));
    expect(
      (await ciamToken(optional.url, refresh, { DPoP: await tokenProof(optional) })).status,
    ).toBe(200);
  });

  it('binds a Bearer session at its first refresh with a proof, for good', async () => {
    const bearer = tokens(await ciamToken(optional.url, PASSWORD));
    const upgraded = tokens(
      await ciamToken(
        optional.url,
        { grant_type: 'refresh_token', refresh_token: bearer.refreshToken },
        { DPoP: await tokenProof(optional) },
      ),
    );
    expect([upgraded.tokenType, upgraded.cnf]).toEqual(['DPoP', { jkt: alice.jkt }]);
    const again = await ciamToken(optional.url, {
      grant_type: 'refresh_token',
      refresh_token: upgraded.refreshToken,
    });
    expect({ status: again.status, body: again.body }).toEqual(refusal(/required/));
  });

  it('still requires the dpop_jkt key for a bound code', async () => {
    const { code, verifier } = await ciamCode(optional.url, { dpop_jkt: alice.jkt });
    const a = await ciamToken(optional.url, exchangeParams(code, verifier));
    expect({ status: a.status, body: a.body }).toEqual(refusal(/required/));
  });
});

describe('dpop: off (the default)', () => {
  it('changes nothing: a proof is ignored, dpop_jkt too, nothing advertised or exposed', async () => {
    const t = tokens(await ciamToken(off.url, PASSWORD, { DPoP: await tokenProof(off) }));
    expect([t.tokenType, t.cnf]).toEqual(['Bearer', undefined]);
    const { code, verifier } = await ciamCode(off.url, { dpop_jkt: 'not even a thumbprint' });
    expect(tokens(await ciamToken(off.url, exchangeParams(code, verifier))).tokenType).toBe(
      'Bearer',
    );
    const discovery = await answer(await fetch(`${off.url}/.well-known/openid-configuration`));
    expect(discovery.body).not.toHaveProperty('dpop_signing_alg_values_supported');
    expect(off.stats().dpop).toEqual({
      proofsAccepted: 0,
      proofsRejected: {},
      replays: 0,
      nonceChallenges: 0,
      keys: 0,
    });
  });
});

describe('discovery and CORS with dpop on', () => {
  it('advertises ES256 proofs', async () => {
    for (const s of [required, optional]) {
      const a = await answer(await fetch(`${s.url}/.well-known/openid-configuration`));
      expect(a.body).toMatchObject({ dpop_signing_alg_values_supported: ['ES256'] });
    }
  });

  it('lets a page send DPoP and read DPoP-Nonce, on the token route and /api/me', async () => {
    const origin = 'http://127.0.0.1:5173';
    for (const path of ['/oauth2/token', '/api/me']) {
      const preflight = await fetch(`${required.url}${path}`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization,content-type,dpop',
        },
      });
      expect(preflight.headers.get('access-control-allow-headers')?.split(',')).toContain('dpop');
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
      const real = await fetch(`${required.url}${path}`, { headers: { Origin: origin } });
      expect(real.headers.get('access-control-expose-headers')?.split(',')).toContain('DPoP-Nonce');
    }
  });
});
