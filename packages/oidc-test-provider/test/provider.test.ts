import { spawn } from 'node:child_process';
import {
  createHash,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomUUID,
  sign,
} from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { authorizeWithJar, CookieJar } from '../src/headless.js';
import {
  authorizeHeadless,
  type RunningOidcProvider,
  startOidcProvider,
  TEST_ROUTES,
} from '../src/index.js';

// Everything over real HTTP on 127.0.0.1, against oidc-provider itself: no mocks.

const APP = 'http://127.0.0.1:5999';
const REDIRECT_URI = `${APP}/callback`;
const SIGNED_OUT_URI = `${APP}/signed-out`;
const OTHER_ORIGIN = 'http://127.0.0.1:6001';

interface Tokens {
  access_token: string;
  refresh_token: string;
  id_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizationUrl(
  provider: RunningOidcProvider,
  params: Record<string, string> = {},
): string {
  const url = new URL('/auth', provider.issuer);
  url.search = new URLSearchParams({
    client_id: provider.clientId,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email',
    state: 'state-1',
    ...params,
  }).toString();
  return url.href;
}

function post(
  url: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params),
  });
}

const tokenRequest = (
  provider: RunningOidcProvider,
  params: Record<string, string>,
  headers?: Record<string, string>,
): Promise<Response> =>
  post(`${provider.issuer}/token`, { client_id: provider.clientId, ...params }, headers);

/** A code, the verifier it needs, and the redirect it came back on. */
async function authorize(
  provider: RunningOidcProvider,
  login = 'alice',
): Promise<{ code: string; verifier: string; back: URL }> {
  const { verifier, challenge } = pkce();
  const back = new URL(
    await authorizeHeadless(
      authorizationUrl(provider, { code_challenge: challenge, code_challenge_method: 'S256' }),
      login,
    ),
  );
  const code = back.searchParams.get('code');
  if (code === null) throw new Error(`no code in ${back.href}`);
  return { code, verifier, back };
}

async function exchange(
  provider: RunningOidcProvider,
  code: string,
  verifier: string,
): Promise<Tokens> {
  const response = await tokenRequest(provider, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Tokens;
}

async function signIn(provider: RunningOidcProvider, login = 'alice'): Promise<Tokens> {
  const { code, verifier } = await authorize(provider, login);
  return exchange(provider, code, verifier);
}

const refresh = (provider: RunningOidcProvider, refreshToken: string): Promise<Response> =>
  tokenRequest(provider, { grant_type: 'refresh_token', refresh_token: refreshToken });

const userinfo = (provider: RunningOidcProvider, accessToken: string): Promise<Response> =>
  fetch(`${provider.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } });

function jwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

describe('the provider', () => {
  let provider: RunningOidcProvider;

  beforeAll(async () => {
    provider = await startOidcProvider({
      redirectUris: [REDIRECT_URI],
      postLogoutRedirectUris: [SIGNED_OUT_URI],
    });
  });
  afterAll(() => provider.close());
  // Each test starts from no live grant and zero counters.
  beforeEach(async () => {
    await provider.revokeAllGrants();
    provider.reset();
  });

  it('publishes a discovery document for its http://127.0.0.1 issuer', async () => {
    expect(provider.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${provider.issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const discovery = (await response.json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: provider.issuer,
      authorization_endpoint: `${provider.issuer}/auth`,
      token_endpoint: `${provider.issuer}/token`,
      revocation_endpoint: `${provider.issuer}/token/revocation`,
      end_session_endpoint: `${provider.issuer}/session/end`,
      userinfo_endpoint: `${provider.issuer}/me`,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      authorization_response_iss_parameter_supported: true,
    });
    // DPoP is on by default in oidc-provider 9; off here unless asked for.
    expect(discovery).not.toHaveProperty('dpop_signing_alg_values_supported');
    expect(provider.stats().discoveryRequests).toBe(1);
  });

  it('runs a code flow with PKCE: the redirect carries code, state and iss; the exchange answers CORS for the app only', async () => {
    const { code, verifier, back } = await authorize(provider);
    expect(back.origin + back.pathname).toBe(REDIRECT_URI);
    expect(back.searchParams.get('state')).toBe('state-1');
    expect(back.searchParams.get('iss')).toBe(provider.issuer);

    const response = await tokenRequest(
      provider,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      },
      { origin: APP },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
    const tokens = (await response.json()) as Tokens;
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.expires_in).toBe(8);
    expect(tokens.scope).toBe('openid profile email');
    expect(tokens.refresh_token).toMatch(/^[\w-]{20,}$/);
    expect(tokens.access_token.split('.')).toHaveLength(1); // opaque
    expect(jwtPayload(tokens.id_token)).toMatchObject({
      sub: 'alice',
      aud: provider.clientId,
      iss: provider.issuer,
    });
    const me = await userinfo(provider, tokens.access_token);
    expect(await me.json()).toEqual({ sub: 'alice', name: 'alice', email: 'alice@example.test' });

    // Another origin: refused before the grant runs, and without a CORS header.
    const other = await authorize(provider, 'bob');
    const refused = await tokenRequest(
      provider,
      {
        grant_type: 'authorization_code',
        code: other.code,
        redirect_uri: REDIRECT_URI,
        code_verifier: other.verifier,
      },
      { origin: OTHER_ORIGIN },
    );
    expect(refused.status).toBe(400);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(await refused.json()).toMatchObject({ error: 'invalid_request' });

    expect(provider.stats()).toMatchObject({ tokenRequests: 2, codeExchanges: 1 });
  });

  it('requires PKCE S256 and checks the verifier', async () => {
    const without = new URL(await authorizeHeadless(authorizationUrl(provider)));
    expect(without.searchParams.get('error')).toBe('invalid_request');
    expect(without.searchParams.get('code')).toBeNull();

    const { code } = await authorize(provider);
    const response = await tokenRequest(provider, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: pkce().verifier,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
    expect(provider.stats().codeExchanges).toBe(0);
  });

  it('rotates the refresh token; the old one presented again revokes the grant', async () => {
    const first = await signIn(provider);
    const rotated = await refresh(provider, first.refresh_token);
    expect(rotated.status).toBe(200);
    const second = (await rotated.json()) as Tokens;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);

    const reused = await refresh(provider, first.refresh_token);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });
    expect(provider.stats()).toMatchObject({
      refreshes: 1,
      refreshTokenReuse: 1,
      grantsRevoked: 1,
      refreshErrors: { invalid_grant: 1 },
    });

    // The grant is gone: the newest refresh token and access token die with it.
    const newest = await refresh(provider, second.refresh_token);
    expect(newest.status).toBe(400);
    expect(await newest.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await userinfo(provider, second.access_token)).status).toBe(401);
    expect(provider.stats()).toMatchObject({
      refreshTokenReuse: 1,
      refreshErrors: { invalid_grant: 2 },
    });
  });

  it('refreshes without a scope parameter, keeping the granted scope', async () => {
    const tokens = await signIn(provider);
    const response = await refresh(provider, tokens.refresh_token);
    expect(response.status).toBe(200);
    const refreshed = (await response.json()) as Tokens;
    expect(refreshed.scope).toBe('openid profile email');
    expect((await userinfo(provider, refreshed.access_token)).status).toBe(200);
    expect(provider.stats()).toMatchObject({ refreshes: 1, refreshErrors: {} });
  });

  it('revokes a refresh token (RFC 7009): 200, then the token is refused', async () => {
    const tokens = await signIn(provider);
    const response = await post(
      `${provider.issuer}/token/revocation`,
      {
        token: tokens.refresh_token,
        token_type_hint: 'refresh_token',
        client_id: provider.clientId,
      },
      { origin: APP },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
    expect(provider.stats()).toMatchObject({ revocations: 1, grantsRevoked: 1 });

    const refused = await refresh(provider, tokens.refresh_token);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'invalid_grant' });
    expect(provider.stats()).toMatchObject({
      refreshTokenReuse: 0,
      refreshErrors: { invalid_grant: 1 },
    });
  });

  it('revokeAllGrants ends every live grant, as an admin would', async () => {
    const alice = await signIn(provider, 'alice');
    const bob = await signIn(provider, 'bob');
    await provider.revokeAllGrants();
    expect(provider.stats().grantsRevoked).toBe(2);
    for (const tokens of [alice, bob]) {
      expect((await refresh(provider, tokens.refresh_token)).status).toBe(400);
      expect((await userinfo(provider, tokens.access_token)).status).toBe(401);
    }
    // A new sign-in works.
    const again = await signIn(provider, 'alice');
    expect((await refresh(provider, again.refresh_token)).status).toBe(200);
  });

  it('serves login and consent pages, and logs out with a confirmation form (GET, or POST)', async () => {
    const jar = new CookieJar();
    const get = async (url: URL): Promise<Response> => {
      const cookie = jar.header(url);
      const response = await fetch(url, {
        redirect: 'manual',
        ...(cookie !== undefined && { headers: { cookie } }),
      });
      jar.store(url, response.headers);
      return response;
    };

    // The login page, as a browser first sees it: the selectors the Playwright tests use.
    const { challenge } = pkce();
    const start = new URL(
      authorizationUrl(provider, { code_challenge: challenge, code_challenge_method: 'S256' }),
    );
    const toLogin = await get(start);
    expect(toLogin.status).toBe(303);
    const login = await get(new URL(toLogin.headers.get('location') ?? '', start));
    const loginHtml = await login.text();
    expect(loginHtml).toContain('<input type="hidden" name="prompt" value="login"/>');
    expect(loginHtml).toMatch(/<input required type="text" name="login"/);
    expect(loginHtml).toMatch(/<input required type="password" name="password"/);
    expect(loginHtml).toContain(
      '<button type="submit" class="login login-submit">Sign-in</button>',
    );

    // Signed in with this jar: the provider's session cookie is in it.
    const { verifier, challenge: challenge2 } = pkce();
    const back = new URL(
      await authorizeWithJar(
        authorizationUrl(provider, { code_challenge: challenge2, code_challenge_method: 'S256' }),
        'carol',
        jar,
      ),
    );
    const tokens = await exchange(provider, back.searchParams.get('code') ?? '', verifier);
    const endSession = new URL('/session/end', provider.issuer);
    const logoutParams = {
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: SIGNED_OUT_URI,
      state: 'bye',
      client_id: provider.clientId,
    };

    // POST is answered with a 303 to the GET with the same parameters.
    const posted = await post(endSession.href, logoutParams);
    expect(posted.status).toBe(303);
    const viaGet = new URL(posted.headers.get('location') ?? '');
    expect(viaGet.origin + viaGet.pathname).toBe(endSession.href);
    expect(Object.fromEntries(viaGet.searchParams)).toEqual(logoutParams);

    // With a session: a confirmation form, always (the id_token_hint does not skip it).
    const confirm = await get(viaGet);
    expect(confirm.status).toBe(200);
    const confirmHtml = await confirm.text();
    const form =
      /<form id="op\.logoutForm" method="post" action="([^"]+)"><input type="hidden" name="xsrf" value="([^"]+)"\/><\/form>/.exec(
        confirmHtml,
      );
    expect(form).not.toBeNull();
    expect(confirmHtml).toContain(
      '<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>',
    );

    const action = new URL(form?.[1] ?? '');
    const cookie = jar.header(action);
    const done = await fetch(action, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(cookie !== undefined && { cookie }),
      },
      body: new URLSearchParams({ xsrf: form?.[2] ?? '', logout: 'yes' }),
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${SIGNED_OUT_URI}?state=bye`);
    // The session's grant was revoked with it: its tokens are dead.
    expect(provider.stats()).toMatchObject({ endSessions: 1, grantsRevoked: 1 });
    expect((await refresh(provider, tokens.refresh_token)).status).toBe(400);

    // Without a session (no cookie): no page to confirm, an auto-submitting form instead.
    const bare = await fetch(viaGet, { redirect: 'manual' });
    expect(bare.status).toBe(200);
    expect(await bare.text()).toContain('<input type="hidden" name="logout" value="yes"/>');

    // A post_logout_redirect_uri the client did not register is refused.
    const wrong = await fetch(
      `${endSession.href}?${new URLSearchParams({ ...logoutParams, post_logout_redirect_uri: `${OTHER_ORIGIN}/` })}`,
      { headers: { accept: 'application/json' } },
    );
    expect(wrong.status).toBe(400);
  });

  it('has test routes over HTTP, with no CORS for pages', async () => {
    await signIn(provider);
    const stats = await fetch(`${provider.issuer}${TEST_ROUTES.stats}`);
    expect(stats.status).toBe(200);
    expect([...stats.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    expect(await stats.json()).toEqual(provider.stats());
    expect(provider.stats()).toMatchObject({ tokenRequests: 1, codeExchanges: 1 });

    // A page's request carries its Origin: refused, and still no CORS header.
    const fromPage = await fetch(`${provider.issuer}${TEST_ROUTES.stats}`, {
      headers: { origin: APP },
    });
    expect(fromPage.status).toBe(403);
    expect(fromPage.headers.get('access-control-allow-origin')).toBeNull();
    const resetFromPage = await fetch(`${provider.issuer}${TEST_ROUTES.reset}`, {
      method: 'POST',
      headers: { origin: APP },
    });
    expect(resetFromPage.status).toBe(403);
    expect(provider.stats().codeExchanges).toBe(1);

    const reset = await fetch(`${provider.issuer}${TEST_ROUTES.reset}`, { method: 'POST' });
    expect(reset.status).toBe(200);
    expect(provider.stats()).toMatchObject({ tokenRequests: 0, codeExchanges: 0 });

    const tokens = await signIn(provider);
    const revoke = await fetch(`${provider.issuer}${TEST_ROUTES.revokeGrants}`, {
      method: 'POST',
    });
    expect(revoke.status).toBe(200);
    expect((await refresh(provider, tokens.refresh_token)).status).toBe(400);
    // Both live grants: this one and the one signed in before the reset.
    expect(provider.stats()).toMatchObject({
      grantsRevoked: 2,
      refreshErrors: { invalid_grant: 1 },
    });

    expect((await fetch(`${provider.issuer}${TEST_ROUTES.reset}`)).status).toBe(404);
  });
});

describe('lifetimes and start-up', () => {
  it('expires access tokens after accessTtl, to the second', async () => {
    // The provider's clock (Date only; timers stay real), held still: its check is
    // `exp <= epochTime()` in whole seconds, so with the real clock a 1-s token lives anywhere
    // from 0 to 1 s and a slow machine sees it expire before the first call.
    const issuedAt = Date.UTC(2026, 0, 1, 12, 0, 0);
    vi.useFakeTimers({ toFake: ['Date'], now: issuedAt });
    const provider = await startOidcProvider({ accessTtl: 2, redirectUris: [REDIRECT_URI] });
    try {
      const tokens = await signIn(provider);
      expect(tokens.expires_in).toBe(2);
      vi.setSystemTime(issuedAt + 1_999);
      expect((await userinfo(provider, tokens.access_token)).status).toBe(200);
      vi.setSystemTime(issuedAt + 2_000);
      expect((await userinfo(provider, tokens.access_token)).status).toBe(401);
    } finally {
      await provider.close();
      vi.useRealTimers();
    }
  });

  it('takes a port and frees it on close()', async () => {
    const provider = await startOidcProvider({ redirectUris: [REDIRECT_URI], clientId: 'other' });
    expect(provider.clientId).toBe('other');
    const port = Number(new URL(provider.issuer).port);
    await signIn(provider); // keep-alive connections are open now
    await provider.close();
    await expect(fetch(`${provider.issuer}/jwks`)).rejects.toThrow();
    const again = await startOidcProvider({ port, redirectUris: [REDIRECT_URI] });
    expect(again.issuer).toBe(`http://127.0.0.1:${port}`);
    await again.close();
    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => probe.close(resolve));
  });

  it('runs as a CLI: prints the issuer, stops on SIGTERM', async () => {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', cli], {
      env: { ...process.env, OIDC_PORT: '0', REDIRECT_URIS: `${REDIRECT_URI},${APP}/other` },
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const issuer = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const line = out.split('\n')[0];
          if (out.includes('\n') && line !== undefined) resolve(line);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      expect(issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const discovery = (await (
        await fetch(`${issuer}/.well-known/openid-configuration`)
      ).json()) as Record<string, unknown>;
      expect(discovery.issuer).toBe(issuer);
      const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

/** A P-256 key for DPoP proofs (RFC 9449 §4.2), and its RFC 7638 thumbprint. */
function dpopKey(): { privateKey: KeyObject; jwk: Record<string, string>; jkt: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { crv, kty, x, y } = publicKey.export({ format: 'jwk' }) as Record<string, string>;
  const jwk = { crv: crv ?? '', kty: kty ?? '', x: x ?? '', y: y ?? '' };
  const jkt = createHash('sha256').update(JSON.stringify(jwk)).digest('base64url');
  return { privateKey, jwk, jkt };
}

/** A DPoP proof of `method url` with `key` (ES256), with `ath` when an access token is sent. */
function proof(
  key: ReturnType<typeof dpopKey>,
  method: string,
  url: string,
  accessToken?: string,
): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk })}.${part({
    jti: randomUUID(),
    htm: method,
    htu: url,
    iat: Math.floor(Date.now() / 1000),
    ...(accessToken && { ath: createHash('sha256').update(accessToken).digest('base64url') }),
  })}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: key.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${signature.toString('base64url')}`;
}

describe('DPoP (RFC 9449)', () => {
  let provider: RunningOidcProvider;
  beforeAll(async () => {
    provider = await startOidcProvider({ dpop: true, redirectUris: [REDIRECT_URI] });
  });
  afterAll(() => provider.close());
  beforeEach(async () => {
    await provider.revokeAllGrants();
    provider.reset();
  });

  it('turns DPoP on when asked', async () => {
    const discovery = (await (
      await fetch(`${provider.issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(discovery.dpop_signing_alg_values_supported).toEqual(['ES256', 'Ed25519', 'EdDSA']);
  });

  it('counts bound grants and their keys; a bound refresh token without its proof is refused', async () => {
    const key = dpopKey();
    const tokenUrl = `${provider.issuer}/token`;
    const { code, verifier } = await authorize(provider);
    const exchanged = await tokenRequest(
      provider,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      },
      { dpop: proof(key, 'POST', tokenUrl) },
    );
    expect(exchanged.status).toBe(200);
    const tokens = (await exchanged.json()) as Tokens;
    expect(tokens.token_type).toBe('DPoP');

    // The bound access token at userinfo: with its proof, and not as a bearer token.
    const me = `${provider.issuer}/me`;
    const proven = await fetch(me, {
      headers: {
        authorization: `DPoP ${tokens.access_token}`,
        dpop: proof(key, 'GET', me, tokens.access_token),
      },
    });
    expect(proven.status).toBe(200);
    expect((await userinfo(provider, tokens.access_token)).status).toBe(401);

    // The refresh token without the key's proof: refused, and the grant lives on (no reuse).
    const stolen = await refresh(provider, tokens.refresh_token);
    expect(stolen.status).toBe(400);
    expect(((await stolen.json()) as { error: string }).error).toBe('invalid_grant');
    // A bearer sign-in on the same provider: DPoP is optional per request.
    await signIn(provider);
    // With the proof: a new pair, bound to the same key.
    const refreshed = await tokenRequest(
      provider,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      { dpop: proof(key, 'POST', tokenUrl) },
    );
    expect(refreshed.status).toBe(200);
    expect(((await refreshed.json()) as Tokens).token_type).toBe('DPoP');

    expect(provider.stats()).toMatchObject({
      codeExchanges: 2,
      refreshes: 1,
      refreshErrors: { invalid_grant: 1 },
      refreshTokenReuse: 0,
      grantsRevoked: 0,
      dpop: {
        boundGrants: 2,
        boundRefreshTokens: 2,
        bearerGrants: 1,
        jkts: [key.jkt],
        refreshesWithoutKey: 1,
        boundUserinfo: 1,
      },
    });
    provider.reset();
    expect(provider.stats().dpop).toEqual({
      boundGrants: 0,
      boundRefreshTokens: 0,
      bearerGrants: 0,
      jkts: [],
      refreshesWithoutKey: 0,
      boundUserinfo: 0,
    });
  });
});
