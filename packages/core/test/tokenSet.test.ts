import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dialects } from '../src/dialects/index.js';
import { BatonError } from '../src/errors.js';
import { decodeJwtClaims } from '../src/jwt.js';
import { createTokenSet, isTokenSet } from '../src/tokenSet.js';
import type { TokenGrantResult, TokenSet } from '../src/types.js';
import {
  chatroomSuccessExample,
  ciamSuccessExample,
  eiamSuccessExample,
  parseHttpMessage,
  uaaSuccessExample,
} from './fixtures/seeds.js';

const numRuns = Number(process.env.FUZZ_RUNS) || 300;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** An unsigned-looking JWT with these claims (the client never verifies signatures). */
const jwt = (claims: unknown) => `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}.c2ln`;
const ok = (body: string) => ({ status: 200, headers: new Headers(), body });

const HOUR = 3_600_000;
const IAT = 1_700_000_000; // seconds
const ciam = dialects
  .ciam({ clientId: 'TENANT_CLIENT_ID' })
  .parseTokenResponse(ok(parseHttpMessage(ciamSuccessExample).body));
const eiam = dialects.eiam({ clientId: 'c' }).parseTokenResponse(ok(eiamSuccessExample));
const uaa = dialects.uaa({ clientId: 'c' }).parseTokenResponse(ok(uaaSuccessExample));
const chatroom = dialects
  .chatroom({ clientId: '000000' })
  .parseTokenResponse(ok(JSON.stringify(chatroomSuccessExample)));
const UAA_EXP = 1_691_561_076; // the seed's access JWT exp (no iat)
const CHATROOM_EXP = 1_753_868_046; // the seed's access JWT exp (no iat)

afterEach(() => {
  vi.useRealTimers();
});

describe('createTokenSet: expiry', () => {
  it('ciam seed: expires_in 299 s beats the JWT’s exp - iat = 300 s; claims decoded', () => {
    const set = createTokenSet(ciam, { sentAt: 5_000, generation: 1 });
    expect(set.expiresAt).toBe(5_000 + 299_000);
    expect(set.claims).toMatchObject({
      sub: 'MOCK_USERNAME',
      aud: 'TENANT_CLIENT_ID',
      iat: 1636449231,
    });
    expect(set).toMatchObject({
      refreshToken: 'MOCK_REFRESH_TOKEN',
      scope: 'openid',
      tokenType: 'Bearer',
    });
    expect(set.idToken).toBe(ciam.idToken);
  });

  it('the shorter lifetime wins, whichever it is', () => {
    const token = jwt({ iat: IAT, exp: IAT + 60 });
    expect(
      createTokenSet(
        { accessToken: token, tokenType: 'Bearer', expiresIn: HOUR },
        { sentAt: 0, generation: 1 },
      ).expiresAt,
    ).toBe(60_000);
    expect(
      createTokenSet(
        { accessToken: token, tokenType: 'Bearer', expiresIn: 30_000 },
        { sentAt: 0, generation: 1 },
      ).expiresAt,
    ).toBe(30_000);
    expect(
      createTokenSet({ accessToken: token, tokenType: 'Bearer' }, { sentAt: 7, generation: 1 })
        .expiresAt,
    ).toBe(60_007);
  });

  it('uses exp - iat, never the local clock (hours off either way)', () => {
    const result: TokenGrantResult = {
      accessToken: jwt({ iat: IAT, exp: IAT + 600 }),
      tokenType: 'Bearer',
      expiresIn: HOUR,
    };
    vi.useFakeTimers();
    for (const skew of [-5 * HOUR, 0, 5 * HOUR, 48 * HOUR]) {
      vi.setSystemTime(IAT * 1000 + skew);
      // sentAt far from iat too: the local clock's idea of "now" is irrelevant.
      for (const sentAt of [Date.now(), 0, IAT * 1000 - 9 * HOUR]) {
        expect(createTokenSet(result, { sentAt, generation: 1 }).expiresAt - sentAt).toBe(600_000);
      }
    }
  });

  it('without iat, judges exp against the Date header, not the local clock', () => {
    const token = jwt({ exp: IAT + 120 });
    vi.useFakeTimers();
    vi.setSystemTime(IAT * 1000 + 10 * HOUR); // a local clock far past exp
    const set = createTokenSet(
      { accessToken: token, tokenType: 'Bearer', expiresIn: HOUR },
      { sentAt: 1_000, serverDate: IAT * 1000, generation: 1 },
    );
    expect(set.expiresAt).toBe(1_000 + 120_000);
    // No Date header: exp alone says nothing about a lifetime; expires_in stands.
    expect(
      createTokenSet(
        { accessToken: token, tokenType: 'Bearer', expiresIn: HOUR },
        { sentAt: 1_000, generation: 1 },
      ).expiresAt,
    ).toBe(1_000 + HOUR);
  });

  it('counts from when the request was sent, not when the answer arrived', () => {
    const result: TokenGrantResult = {
      accessToken: 'opaque',
      tokenType: 'Bearer',
      expiresIn: 60_000,
    };
    vi.useFakeTimers();
    const sentAt = Date.now();
    vi.advanceTimersByTime(5_000); // the answer took 5 s
    expect(createTokenSet(result, { sentAt, generation: 1 }).expiresAt).toBe(sentAt + 60_000);
  });

  it('uaa seed: ms lifetimes, cross-checked with the JWT’s exp via the Date header', () => {
    expect(uaa.expiresIn).toBe(15_551_999);
    const sentAt = 1_000_000;
    // The server says the JWT has one hour left: the JWT wins over 4.3 h.
    const shortJwt = createTokenSet(uaa, {
      sentAt,
      serverDate: (UAA_EXP - 3600) * 1000,
      generation: 2,
    });
    expect(shortJwt.expiresAt).toBe(sentAt + HOUR);
    expect(shortJwt.refreshExpiresAt).toBe(sentAt + 18_143_999);
    expect(shortJwt.claims).toMatchObject({ client_id: '35LF2FSLHX5IRQA4', scope: 'userinfo' });
    // 180 days left per the JWT: the documented milliseconds (about 4.3 h) win.
    const longJwt = createTokenSet(uaa, {
      sentAt,
      serverDate: (UAA_EXP - 180 * 86_400) * 1000,
      generation: 2,
    });
    expect(longJwt.expiresAt).toBe(sentAt + 15_551_999);
    expect(createTokenSet(uaa, { sentAt, generation: 2 }).expiresAt).toBe(sentAt + 15_551_999);
  });

  it('chatroom seed: aud is an array; exp vs Date', () => {
    const set = createTokenSet(chatroom, {
      sentAt: 0,
      serverDate: (CHATROOM_EXP - 1800) * 1000,
      generation: 1,
    });
    expect(set.claims?.aud).toEqual(['000000']);
    expect(set.expiresAt).toBe(1_800_000);
  });

  it('a negative lifetime clamps to 0', () => {
    const pastIat = createTokenSet(
      { accessToken: jwt({ iat: IAT + 60, exp: IAT }), tokenType: 'Bearer' },
      { sentAt: 500, generation: 1 },
    );
    expect(pastIat.expiresAt).toBe(500);
    const pastDate = createTokenSet(
      { accessToken: jwt({ exp: IAT }), tokenType: 'Bearer', expiresIn: HOUR },
      { sentAt: 500, serverDate: (IAT + 10) * 1000, generation: 1 },
    );
    expect(pastDate.expiresAt).toBe(500);
  });

  it('no lifetime at all → invalid_response, transient', () => {
    for (const accessToken of [
      'opaque',
      jwt({ exp: IAT }),
      jwt({ sub: 'x' }),
      jwt({ exp: 'soon', iat: IAT }),
    ]) {
      const attempt = () =>
        createTokenSet({ accessToken, tokenType: 'Bearer' }, { sentAt: 0, generation: 1 });
      expect(attempt).toThrow(BatonError);
      try {
        attempt();
      } catch (e) {
        expect(e).toMatchObject({ code: 'invalid_response', terminal: false });
      }
    }
  });
});

describe('createTokenSet: carried over fields', () => {
  const previous: TokenSet = {
    accessToken: 'old',
    refreshToken: 'OLD_REFRESH',
    refreshExpiresAt: 99,
    scope: 'openid',
    tokenType: 'Bearer',
    expiresAt: 1,
    generation: 3,
  };

  it('keeps the previous refresh token (and its expiry, and scope) when the answer has none (EIAM)', () => {
    const { refreshToken: _, ...noRefresh } = eiam;
    const set = createTokenSet(noRefresh, { sentAt: 0, generation: 4, previous });
    expect(set).toEqual({
      accessToken: eiam.accessToken,
      refreshToken: 'OLD_REFRESH',
      refreshExpiresAt: 99,
      scope: 'openid',
      tokenType: 'Bearer',
      expiresAt: 7_200_000,
      generation: 4,
    });
  });

  it('keeps the previous id token when a refresh answers without one (OIDC Core §12.2)', () => {
    const withId = { ...previous, idToken: 'OLD_ID' };
    expect(createTokenSet(eiam, { sentAt: 0, generation: 4, previous: withId }).idToken).toBe(
      'OLD_ID',
    );
    const fresh = createTokenSet(
      { ...eiam, idToken: 'NEW_ID' },
      { sentAt: 0, generation: 4, previous: withId },
    );
    expect(fresh.idToken).toBe('NEW_ID');
  });

  it('a new refresh token replaces the old one and drops the old expiry', () => {
    const set = createTokenSet(eiam, { sentAt: 0, generation: 4, previous });
    expect(set.refreshToken).toBe(eiam.refreshToken);
    expect('refreshExpiresAt' in set).toBe(false);
    expect(set.scope).toBe('openid');
  });

  it('sets no property to undefined (exactOptionalPropertyTypes)', () => {
    for (const result of [ciam, eiam, uaa, chatroom]) {
      const set = createTokenSet(result, { sentAt: 0, serverDate: 0, generation: 0 });
      expect(Object.values(set)).not.toContain(undefined);
      expect(isTokenSet(set)).toBe(true);
    }
    expect(
      Object.keys(
        createTokenSet(
          { accessToken: 'o', tokenType: 'Bearer', expiresIn: 1 },
          { sentAt: 0, generation: 0 },
        ),
      ).sort(),
    ).toEqual(['accessToken', 'expiresAt', 'generation', 'tokenType']);
  });
});

describe('decodeJwtClaims', () => {
  it('decodes a JWT, and gives undefined for anything else without throwing', () => {
    expect(decodeJwtClaims(jwt({ sub: 'a', aud: ['x', 'y'], exp: 5 }))).toEqual({
      sub: 'a',
      aud: ['x', 'y'],
      exp: 5,
    });
    for (const token of [
      'c6a40b1****e35058eaed0f59509b541',
      'a.b.c',
      'a.%%%.c',
      `x.${b64(42)}.y`,
      `x.${b64([1])}.y`,
      `x.${b64(null)}.y`,
      `x.${b64('s')}.y`,
      `x.${b64({ a: 1 })}`,
      `x.${b64({ a: 1 })}.y.z.w`,
      '',
      42 as unknown as string,
    ]) {
      expect(decodeJwtClaims(token)).toBeUndefined();
    }
  });

  it('drops registered claims of the wrong type (RFC 7519 §4.1)', () => {
    expect(
      decodeJwtClaims(
        jwt({ exp: '9999999999', iat: null, nbf: 1, sub: 5, aud: [1], iss: 'i', custom: { x: 1 } }),
      ),
    ).toEqual({ nbf: 1, iss: 'i', custom: { x: 1 } });
  });
});

describe('isTokenSet', () => {
  const valid: TokenSet = createTokenSet(ciam, { sentAt: 0, generation: 1 });

  it('rejects junk', () => {
    const junk: unknown[] = [
      null,
      undefined,
      'token',
      42,
      [],
      [valid],
      {},
      { ...valid, accessToken: '' },
      { ...valid, accessToken: 1 },
      { ...valid, tokenType: undefined },
      { ...valid, expiresAt: Number.NaN },
      { ...valid, expiresAt: Number.POSITIVE_INFINITY },
      { ...valid, expiresAt: '1' },
      { ...valid, generation: -1 },
      { ...valid, generation: 1.5 },
      { ...valid, generation: 2 ** 60 },
      { ...valid, generation: '1' },
      { ...valid, refreshToken: 5 },
      { ...valid, refreshToken: null },
      { ...valid, scope: ['openid'] },
      { ...valid, idToken: {} },
      { ...valid, refreshExpiresAt: Number.POSITIVE_INFINITY },
      { ...valid, claims: null },
      { ...valid, claims: [] },
      { ...valid, claims: 'x' },
    ];
    expect(isTokenSet(valid)).toBe(true);
    for (const value of junk) expect(isTokenSet(value)).toBe(false);
  });

  it('anything it accepts has the TokenSet field types (fast-check)', () => {
    const fields = fc.record(
      {
        accessToken: fc.oneof(fc.string(), fc.anything()),
        tokenType: fc.oneof(fc.constant('Bearer'), fc.anything()),
        expiresAt: fc.oneof(fc.double(), fc.anything()),
        generation: fc.oneof(fc.integer(), fc.double(), fc.anything()),
        refreshToken: fc.anything(),
        refreshExpiresAt: fc.oneof(fc.double(), fc.anything()),
        scope: fc.anything(),
        idToken: fc.anything(),
        claims: fc.anything(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fields, fc.anything()), (value) => {
        if (!isTokenSet(value)) return;
        expect(typeof value.accessToken === 'string' && value.accessToken.length > 0).toBe(true);
        expect(typeof value.tokenType).toBe('string');
        expect(Number.isFinite(value.expiresAt)).toBe(true);
        expect(Number.isSafeInteger(value.generation) && value.generation >= 0).toBe(true);
        for (const s of [value.refreshToken, value.scope, value.idToken]) {
          expect(s === undefined || typeof s === 'string').toBe(true);
        }
        expect(
          value.refreshExpiresAt === undefined || Number.isFinite(value.refreshExpiresAt),
        ).toBe(true);
        expect(
          value.claims === undefined ||
            (typeof value.claims === 'object' && !Array.isArray(value.claims)),
        ).toBe(true);
      }),
      { numRuns },
    );
  });

  it('any one field replaced by a value of the wrong type is rejected (fast-check)', () => {
    const wrong = {
      accessToken: (v: unknown) => typeof v !== 'string' || v === '',
      tokenType: (v: unknown) => typeof v !== 'string',
      expiresAt: (v: unknown) => !Number.isFinite(v),
      generation: (v: unknown) => !(Number.isSafeInteger(v) && (v as number) >= 0),
      refreshToken: (v: unknown) => v !== undefined && typeof v !== 'string',
      refreshExpiresAt: (v: unknown) => v !== undefined && !Number.isFinite(v),
      claims: (v: unknown) =>
        v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v)),
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(wrong) as (keyof typeof wrong)[])),
        fc.anything(),
        (field, v) => {
          fc.pre(wrong[field](v));
          expect(isTokenSet({ ...valid, [field]: v })).toBe(false);
        },
      ),
      { numRuns },
    );
  });
});
