import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dialects } from '../src/dialects/index.js';
import { BatonError, ErrorCode, isTerminalCode } from '../src/errors.js';
import type { TokenGrantResult } from '../src/types.js';

const numRuns = Number(process.env.FUZZ_RUNS) || 300;
const all = Object.entries(dialects).map(
  // The standard dialects with a token endpoint given: no discovery to wait for.
  ([name, make]) =>
    [
      name,
      make({ clientId: 'c', issuer: 'https://id.example', tokenUrl: 'https://id.example/t' }),
    ] as const,
);
const codes: readonly string[] = Object.values(ErrorCode);

const value = fc.oneof(
  fc.string(),
  fc.stringMatching(/^\d{1,12}(\.\d{1,3})?$/),
  fc.double(),
  fc.integer(),
  fc.constantFrom(null, true, false, '', 'Bearer', 'invalid_grant', 'INVALID_CLIENT', 0, -1),
  fc.jsonValue({ maxDepth: 2 }),
);
const tokenBody = fc.record(
  {
    access_token: value,
    expires_in: value,
    refresh_token: value,
    refresh_expires_in: value,
    scope: value,
    token_type: value,
    id_token: value,
  },
  { requiredKeys: [] },
);
const token = fc.stringMatching(/^[\x21-\x7e]{1,40}$/);
const fields = ['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type'] as const;
/** A valid body, sometimes with one field replaced by anything (or removed). */
const nearValid = fc
  .tuple(
    fc.record({
      access_token: token,
      expires_in: fc.oneof(fc.nat(1e9), fc.nat(1e9).map(String)),
      refresh_token: token,
      scope: fc.string(),
      token_type: fc.constant('Bearer'),
    }),
    fc.boolean(),
    fc.constantFrom(...fields),
    fc.oneof(value, fc.constant(undefined)),
  )
  .map(([valid, mutate, field, v]) => (mutate ? { ...valid, [field]: v } : valid));
const json = fc.oneof(
  { arbitrary: nearValid, weight: 3 },
  { arbitrary: nearValid.map((result) => ({ rc: 0, mc: 'SUCCESS', ma: [], result })), weight: 3 },
  tokenBody,
  fc.record(
    { rc: value, mc: value, ma: value, result: fc.oneof(tokenBody, value) },
    { requiredKeys: [] },
  ),
  fc.record({ error: value, error_description: value }, { requiredKeys: [] }),
  fc.jsonValue(),
);
/** JSON number texts JSON.stringify cannot produce. */
const rawNumber = fc.constantFrom(
  '1e400',
  '-1e400',
  '1e308',
  '-0',
  '123456789012345678901234567890',
  '0.0000001',
);
const body = fc.oneof(
  { arbitrary: json.map((j) => JSON.stringify(j)), weight: 5 },
  // Truncated JSON.
  json.chain((j) => {
    const text = JSON.stringify(j);
    return fc.nat(text.length).map((n) => text.slice(0, n));
  }),
  rawNumber.map((n) => `{"access_token":"a","expires_in":${n}}`),
  rawNumber.map((n) => `{"rc":0,"result":{"access_token":"a","expires_in":${n}}}`),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => new TextDecoder().decode(bytes)),
  fc.constantFrom('', 'null', '[]', '<html></html>', '{', '{"access_token":'),
);
const headers = fc.dictionary(
  fc.constantFrom('retry-after', 'date', 'content-type', 'x-other'),
  fc.oneof(
    fc.stringMatching(/^[\x20-\x7e]{0,30}$/),
    fc.nat().map(String),
    fc
      .date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) })
      .map((d) => d.toUTCString()),
  ),
  { maxKeys: 4 },
);
const status = fc.oneof(
  fc.integer({ min: 100, max: 599 }),
  fc.constant(200),
  fc.constantFrom(400, 429, 503),
);

const checkResult = (result: TokenGrantResult) => {
  expect(typeof result.accessToken).toBe('string');
  expect(result.accessToken.length).toBeGreaterThan(0);
  expect(typeof result.tokenType).toBe('string');
  for (const n of [result.expiresIn, result.refreshExpiresIn]) {
    if (n !== undefined) {
      expect(Number.isSafeInteger(n) && n >= 0).toBe(true);
    }
  }
  for (const s of [result.refreshToken, result.scope, result.idToken]) {
    expect(s === undefined || typeof s === 'string').toBe(true);
  }
};

const checkError = (name: string, status: number, error: unknown) => {
  expect(error).toBeInstanceOf(BatonError);
  const e = error as BatonError;
  expect(codes).toContain(e.code);
  expect(e.terminal).toBe(isTerminalCode(e.code));
  expect(e.status).toBe(status);
  if (e.description !== undefined) expect(e.description.length).toBeLessThanOrEqual(200);
  if (e.retryAfterMs !== undefined)
    expect(e.retryAfterMs >= 0 && e.retryAfterMs <= 600_000).toBe(true);
  if (status >= 500 || status === 408 || status === 429) expect(e.terminal).toBe(false);
  if (status < 200 || (status >= 300 && status < 400)) expect(e.code).toBe('invalid_response');
  // Only an envelope may turn a 2xx into a terminal error.
  if (status < 300 && name !== 'uaa') expect(e.code).toBe('invalid_response');
  if (status >= 400 && status < 500 && ![408, 429].includes(status) && e.code !== 'server_error') {
    expect(e.terminal).toBe(true);
  }
};

describe.each(all)('fuzz: %s parser', (name, dialect) => {
  it('any status, headers and body give a TokenGrantResult or a BatonError', () => {
    let successes = 0;
    fc.assert(
      fc.property(status, headers, body, (s, h, b) => {
        let result: TokenGrantResult;
        try {
          result = dialect.parseTokenResponse({ status: s, headers: new Headers(h), body: b });
        } catch (error) {
          checkError(name, s, error);
          return;
        }
        expect(s >= 200 && s < 300).toBe(true);
        checkResult(result);
        successes++;
      }),
      { numRuns },
    );
    // The generators reach the success path too, not only the error paths.
    if (numRuns >= 300) expect(successes).toBeGreaterThan(0);
  });

  it('a well-formed answer is read exactly', () => {
    fc.assert(
      fc.property(token, token, fc.nat(10_000_000), (access, refresh, expires) => {
        const flat = {
          access_token: access,
          refresh_token: refresh,
          expires_in: expires,
          scope: 's',
          token_type: 'Bearer',
        };
        const text = JSON.stringify(
          name === 'uaa' ? { rc: 0, mc: 'SUCCESS', ma: [], result: flat } : flat,
        );
        const result = dialect.parseTokenResponse({
          status: 200,
          headers: new Headers(),
          body: text,
        });
        expect(result).toEqual({
          accessToken: access,
          refreshToken: refresh,
          expiresIn: name === 'uaa' ? expires : expires * 1000,
          scope: 's',
          tokenType: 'Bearer',
        });
      }),
      { numRuns },
    );
  });
});
