import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthFetch } from '../src/authFetch.js';
import { dialects } from '../src/dialects/index.js';
import { createTokenManager, type TokenManager } from '../src/index.js';

/**
 * Property: random URLs never get the bearer token outside the exact allowed origins (scheme,
 * host and port, as `new URL(x).origin` has them), and always get it inside them. FUZZ_RUNS sets
 * the number of cases (default 300; `FUZZ_RUNS=10000 pnpm test:unit` for the long run).
 */

const numRuns = Number(process.env.FUZZ_RUNS) || 300;
const TOKEN = 'fuzz-access-token-0123456789';

/** The allowed origins, as components: the oracle compares these, not strings. */
const ALLOWED = [
  { scheme: 'https', host: 'api.example.com', port: 443, spellings: ['api.example.com'] },
  { scheme: 'http', host: '127.0.0.1', port: 8080, spellings: ['127.0.0.1', '2130706433'] },
  { scheme: 'https', host: '[::1]', port: 8443, spellings: ['[::1]', '[0:0:0:0:0:0:0:1]'] },
  // An internationalized name: its Unicode spelling is the same host.
  {
    scheme: 'https',
    host: 'xn--bcher-kva.example',
    port: 443,
    spellings: ['xn--bcher-kva.example', 'bücher.example'],
  },
] as const;
const DEFAULT_PORT: Record<string, number> = { http: 80, https: 443 };
const originOf = (a: (typeof ALLOWED)[number]) =>
  `${a.scheme}://${a.host}${a.port === DEFAULT_PORT[a.scheme] ? '' : `:${a.port}`}`;
const allowedOrigins = ALLOWED.map(originOf);

let manager: TokenManager;
const calls: { url: string; authorization: string | null }[] = [];
const recording: typeof fetch = async (input, init) => {
  const request = input instanceof Request ? input : new Request(input, init);
  calls.push({ url: request.url, authorization: request.headers.get('authorization') });
  return new Response('ok');
};

beforeAll(() => {
  manager = createTokenManager({
    dialect: dialects.ciam({ tokenUrl: 'https://auth.example.com/oauth2/token', clientId: 'c' }),
    channel: false,
  });
  manager.setTokens({ accessToken: TOKEN, expiresAt: Date.now() + 3_600_000 });
});
afterAll(() => manager.destroy());

const authFetch = () => createAuthFetch(manager, { allowedOrigins, fetch: recording });

/** Sends `url` through authFetch; returns whether the token went with it (undefined: refused). */
async function sendsToken(url: string): Promise<boolean | undefined> {
  calls.length = 0;
  try {
    await authFetch()(url);
  } catch (error) {
    // An unparsable URL: fetch itself would refuse it. Nothing may have been sent.
    expect(error).toBeInstanceOf(TypeError);
    expect(calls).toEqual([]);
    return undefined;
  }
  expect(calls).toHaveLength(1);
  const [call] = calls;
  if (call!.authorization !== null) expect(call!.authorization).toBe(`Bearer ${TOKEN}`);
  return call!.authorization !== null;
}

const randomCase = (text: string) =>
  fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((flags) => [...text].map((c, i) => (flags[i] ? c.toUpperCase() : c)).join(''));

const decoyHost = fc.oneof(
  fc.constantFrom(
    'api.example.com.evil.com',
    'evil.com',
    'api.example.co',
    'api-example.com',
    'apiexample.com',
    'api.example.com.',
    'xapi.example.com',
    'sub.api.example.com',
    'example.com',
    '127.0.0.2',
    '127.0.0.1.nip.io',
    'localhost',
    '[::2]',
    '[::ffff:127.0.0.1]',
    'bucher.example',
    'xn--bcher-kva.example.evil',
  ),
  fc.domain().filter((d) => !ALLOWED.some((a) => a.host === d.toLowerCase())),
  fc.ipV4().filter((ip) => ip !== '127.0.0.1'),
);
const hostIndex = fc.nat(ALLOWED.length - 1);
const port = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(80, 443, 8080, 8443),
  fc.integer({ min: 1, max: 65_535 }),
);
// Half without credentials: a URL with credentials is refused by `Request` itself, so without
// this weight only one case in ~80 could be a match and a run of 300 sometimes met none.
const userinfo = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    'user:pass@',
    'api.example.com@',
    'https%3A%2F%2Fapi.example.com@',
    '127.0.0.1:8080@',
  ),
);
const tail = fc.oneof(
  fc.webPath(),
  fc.constantFrom(
    '/',
    '//evil.com/',
    '/@evil.com',
    '/https://api.example.com/',
    '?next=https://api.example.com',
    '#https://api.example.com',
    '/..%2F..%2F',
  ),
  fc
    .tuple(fc.webPath(), fc.webQueryParameters(), fc.webFragments())
    .map(([p, q, f]) => `${p}?${q}#${f}`),
);

/** URLs built from parts, whose verdict is known from the parts alone. */
const built = fc
  .record({
    scheme: fc.constantFrom('http', 'https'),
    schemeCase: fc.boolean(),
    allowedHost: fc.boolean(),
    index: hostIndex,
    spelling: fc.nat(),
    decoy: decoyHost,
    hostCase: fc.boolean(),
    port,
    userinfo,
    tail,
  })
  .chain((parts) => {
    const target = ALLOWED[parts.index]!;
    const host = parts.allowedHost
      ? target.spellings[parts.spelling % target.spellings.length]!
      : parts.decoy;
    return fc
      .tuple(
        parts.schemeCase ? randomCase(parts.scheme) : fc.constant(parts.scheme),
        parts.hostCase ? randomCase(host) : fc.constant(host),
      )
      .map(([scheme, hostText]) => {
        const url = `${scheme}://${parts.userinfo}${hostText}${parts.port === undefined ? '' : `:${parts.port}`}${parts.tail}`;
        const effective = parts.port ?? DEFAULT_PORT[parts.scheme];
        const expected =
          parts.allowedHost && target.scheme === parts.scheme && target.port === effective;
        return { url, expected };
      });
  });

/** Anything URL-like, judged by the URL standard's origin (what fetch itself will use). */
const anything = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc
    .tuple(
      fc.constantFrom(...allowedOrigins, 'https://api.example.com:443', 'HTTP://127.0.0.1:8080'),
      fc.string({ maxLength: 24 }),
    )
    .map(([origin, rest]) => origin + rest),
  fc
    .tuple(fc.constantFrom(...allowedOrigins), fc.constantFrom('.', '@', ':', '\\', '%40', '%2e'))
    .chain(([origin, join]) => fc.domain().map((d) => `${origin}${join}${d}/`)),
  fc.constantFrom(
    'data:text/plain,hello',
    'blob:https://api.example.com/1234',
    'file:///etc/passwd',
    'about:blank',
    'javascript:alert(1)',
    'https://api.example.com\\@evil.com/',
    'https://api.example.com%2F@evil.com/',
    'https:api.example.com/x',
    'https:\\\\api.example.com\\x',
    ' https://api.example.com/ ',
    'https://api.example.com\t/x',
    'https://api.example.com:0443/',
    'http://127.0.0.1:08080/',
    'http://0x7f.0.0.1:8080/',
    'http://2130706433:8080/',
    'https://[0:0:0:0:0:0:0:1]:8443/',
    'https://API.EXAMPLE.COM./',
  ),
  fc.string({ maxLength: 40 }),
);

const standardVerdict = (url: string): boolean | undefined => {
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return undefined;
  }
  return allowedOrigins.includes(origin);
};

describe('fuzz: the origin allowlist', () => {
  it('random URLs built from parts: the token goes exactly to the allowed origins', async () => {
    let matches = 0;
    let expectedMatches = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(built, async ({ url, expected }) => {
        if (expected) expectedMatches++;
        const sent = await sendsToken(url);
        if (sent === undefined) {
          refused++;
          return; // unparsable (e.g. a port fc chose out of range)
        }
        expect(sent, url).toBe(expected);
        if (sent) matches++;
      }),
      { numRuns },
    );
    // The generator reaches both verdicts.
    expect(matches, `${expectedMatches} expected matches, ${refused} refused`).toBeGreaterThan(0);
  });

  it('random URLs: never a match outside the exact allowed origins', async () => {
    let matches = 0;
    await fc.assert(
      fc.asyncProperty(anything, async (url) => {
        const sent = await sendsToken(url);
        const verdict = standardVerdict(url);
        if (sent === undefined) return;
        expect(sent, url).toBe(verdict === true);
        if (sent) matches++;
      }),
      { numRuns },
    );
    expect(matches).toBeGreaterThan(0);
  });
});
