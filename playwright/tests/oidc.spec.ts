import { createHash } from 'node:crypto';
import type { BrowserContext, Page, Request } from '@playwright/test';
import { OIDC_ACCESS_TTL, oidcUrl } from './env.js';
import {
  callApi,
  demoPath,
  events,
  expect,
  expectSignedIn,
  expectStatus,
  last,
  load,
  NEWS_BOUND_MS,
  nth,
  relative,
  report,
  type Settings,
  sleep,
  state,
  statusOf,
  test,
  waitForGeneration,
} from './support.js';

/**
 * Baton against a provider somebody else wrote: panva's certified oidc-provider
 * (@baton/oidc-test-provider), started by `pnpm demo` beside the mock, and the demo's
 * `?dialect=oidc` (`oidc({ issuer, clientId: 'baton-spa', scope })`, cross-origin, no proxy).
 * Real Chromium, the provider's own login, consent and logout pages. Its counters are read from
 * its test routes, from Node (they refuse any page's Origin). The provider runs with DPoP on
 * (playwright.config.ts, OIDC_DPOP=1), optional per request: these pages send no proof and get
 * bearer tokens; `&dpop=1` (the last describe) gets bound ones.
 */

// Several lifetimes, the provider's pages and five tabs on two cores: about 45 s for the longest
// test on a quiet machine, and well over the default 60 s on a loaded one (stress-ng on both
// cores: every page load, click and request several times slower).
test.describe.configure({ timeout: 180_000 });

const OIDC: Settings = { dialect: 'oidc' };
/** `?dialect=oidc&dpop=1`: the tokens bound to the tabs' one key (the provider runs with DPoP). */
const OIDC_DPOP: Settings = { dialect: 'oidc', dpop: true };
const TTL_MS = OIDC_ACCESS_TTL * 1000;
/** A page load, a provider's page or a code exchange, each, on a loaded two-core machine. */
const SLOW = { timeout: 30_000 };
/** The demo's `SIGNED_OUT_STATE` (apps/demo/src/settings.ts): its RP-initiated logout's state. */
const SIGNED_OUT_STATE = 'baton-demo-signed-out';

/** `@baton/oidc-test-provider`'s counters (`GET /__test/stats`). */
interface ProviderStats {
  readonly dpop: {
    readonly boundGrants: number;
    readonly boundRefreshTokens: number;
    readonly bearerGrants: number;
    readonly jkts: readonly string[];
    readonly refreshesWithoutKey: number;
    readonly boundUserinfo: number;
  };
  readonly tokenRequests: number;
  readonly codeExchanges: number;
  readonly refreshes: number;
  readonly refreshErrors: Record<string, number>;
  readonly refreshTokenReuse: number;
  readonly grantsRevoked: number;
  readonly revocations: number;
  readonly endSessions: number;
  readonly discoveryRequests: number;
}

async function testRoute(method: 'GET' | 'POST', path: string): Promise<unknown> {
  const response = await fetch(`${oidcUrl()}${path}`, { method });
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}`);
  return response.json();
}

const provider = {
  stats: async () => (await testRoute('GET', '/__test/stats')) as ProviderStats,
  reset: () => testRoute('POST', '/__test/reset'),
  /** As an admin would: every grant, and every token issued under one, dies. */
  revokeGrants: () => testRoute('POST', '/__test/revoke-grants'),
};

/**
 * A refresh grant sent from Node, as an attacker holding a stolen refresh token would (no
 * Origin: CORS does not apply). Its answer's status and OAuth error; the token is never printed.
 */
async function refreshFromNode(refreshToken: string): Promise<{ status: number; error?: string }> {
  const response = await fetch(`${oidcUrl()}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: 'baton-spa',
    }),
  });
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  return { status: response.status, ...(body.error !== undefined && { error: body.error }) };
}

/** What a token answer said, as far as these tests look: never printed. */
interface TokenAnswer {
  readonly tokenType?: string;
  readonly refreshToken?: string;
}

/**
 * The provider's token endpoint's answers to the pages of `context`, oldest first, read in this
 * (Node) process, as the leak scan reads them: the refresh tokens are kept in memory to replay
 * from Node, never printed.
 */
function tokenAnswers(context: BrowserContext): () => Promise<TokenAnswer[]> {
  const answers: Promise<TokenAnswer | undefined>[] = [];
  context.on('response', (response) => {
    const request = response.request();
    if (request.method() !== 'POST' || response.url() !== `${oidcUrl()}/token`) return;
    answers.push(
      response.json().then(
        (body: { token_type?: unknown; refresh_token?: unknown }) => ({
          ...(typeof body.token_type === 'string' && { tokenType: body.token_type }),
          ...(typeof body.refresh_token === 'string' && { refreshToken: body.refresh_token }),
        }),
        () => undefined,
      ),
    );
  });
  return async () => (await Promise.all(answers)).filter((a): a is TokenAnswer => a !== undefined);
}

/** The refresh tokens the provider issued to the pages of `context`, oldest first. */
function refreshTokensIssued(context: BrowserContext): () => Promise<string[]> {
  const answers = tokenAnswers(context);
  return async () =>
    (await answers()).flatMap(({ refreshToken }) =>
      refreshToken === undefined ? [] : [refreshToken],
    );
}

/**
 * The demo's page for `?dialect=oidc` (or other settings): its redirect and post-logout URI at
 * the provider.
 */
const demoPage = (settings: Settings = OIDC) =>
  `http://127.0.0.1:${process.env.BATON_E2E_DEMO_PORT}${demoPath(settings)}`;

/**
 * In `page` (the demo, signed out): "Sign in with the provider", then the provider's own login
 * page (any login, any password) and consent page, and back on the demo signed in. Returns the
 * authorization request and the callback URL as the browser first requested it.
 */
async function signInAtProvider(
  page: Page,
  settings: Settings = OIDC,
): Promise<{ authorize: URL; callback: URL }> {
  const redirectUri = demoPage(settings);
  const authorizing = page.waitForRequest(
    (r) => r.isNavigationRequest() && r.url().startsWith(`${oidcUrl()}/auth?`),
    SLOW,
  );
  await page.getByTestId('sign-in-redirect').click();
  const authorize = new URL((await authorizing).url());

  // The login page (oidc-provider's devInteractions).
  await page.locator('input[name=login]').fill('alice', SLOW);
  await page.locator('input[name=password]').fill('any-password');
  await page.locator('button.login-submit', { hasText: 'Sign-in' }).click();
  // The consent page: openid profile email for baton-spa.
  const consent = page.locator('button.login-submit', { hasText: 'Continue' });
  await consent.waitFor(SLOW);
  const back = page.waitForRequest(
    (r) => r.isNavigationRequest() && r.url().startsWith(`${redirectUri}&code=`),
    SLOW,
  );
  await consent.click();
  const callback = new URL((await back).url());
  await expect(statusOf(page)).toHaveText('valid', SLOW);
  return { authorize, callback };
}

/** The value of claim `name` in the profile (ID token) table. */
const profileClaim = (page: Page, name: string) =>
  page
    .getByTestId('profile')
    .locator('tr')
    .filter({ has: page.locator('th', { hasText: new RegExp(`^${name}$`) }) })
    .locator('td');

/**
 * What the provider counted, against what the tabs hold: sign-in is generation 1 and each refresh
 * adds one, so a session whose every refresh reached the tabs has exactly `generation - 1`
 * refreshes at the provider, no failed grant and no refresh token reused (the provider was reset
 * before the test). Read when nothing is in flight: the tabs agree, none is refreshing, and the
 * provider's token requests did not move while the tabs were read. A saturated machine, where a
 * refresh may take longer than the 3 s between two, may offer no such moment: then (as the mock's
 * `expectOneRefreshPerGeneration` in support.ts does) the provider's counts read before and
 * after the tabs bracket the newest generation, once the tabs hold every refresh the first count
 * saw.
 */
async function expectOneRefreshPerGeneration(
  pages: readonly Page[],
): Promise<ProviderStats & { readonly generation: number }> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const before = await provider.stats();
    const quiet = Date.now() < deadline;
    if (!quiet) await waitForGeneration(pages, before.refreshes + 1, 20_000);
    const states = await Promise.all(pages.map(state));
    const after = await provider.stats();
    const generation = Math.max(...states.map((s) => s.generation));
    const settled =
      before.tokenRequests === after.tokenRequests &&
      states.every((s) => s.generation === generation && s.status !== 'refreshing');
    if (settled || !quiet) {
      expect(after.refreshTokenReuse, 'refresh tokens presented twice').toBe(0);
      expect(after.refreshErrors, 'refresh grants refused').toEqual({});
      expect(after.codeExchanges, 'code exchanges').toBe(1);
      const label = 'refreshes at the provider against generations in the tabs';
      if (settled) {
        expect(after.refreshes, label).toBe(generation - 1);
        expect(after.tokenRequests, 'token requests: the code exchange and the refreshes').toBe(
          after.codeExchanges + after.refreshes,
        );
      } else {
        expect(generation - 1, label).toBeGreaterThanOrEqual(before.refreshes);
        expect(generation - 1, label).toBeLessThanOrEqual(after.refreshes);
      }
      return { ...after, generation };
    }
    await sleep(100);
  }
}

/** `count` tabs of the demo for `?dialect=oidc`, loaded side by side (one browser profile). */
const openTabsAtOnce = (
  context: BrowserContext,
  count: number,
  settings: Settings = OIDC,
): Promise<Page[]> =>
  Promise.all(Array.from({ length: count }, async () => load(await context.newPage(), settings)));

/** oidc-provider's pages load a web font from Google: nothing a test should wait for. */
test.beforeEach(async ({ context }) => {
  await context.route(/^https:\/\/fonts\.(googleapis|gstatic)\.com\//, (route) => route.abort());
  await provider.reset();
});

test('redirect sign-in through the provider’s own login and consent pages, the ID token as the profile', async ({
  context,
  guard,
}) => {
  const page = await load(await context.newPage(), OIDC);
  await expect(statusOf(page)).toHaveText('signed-out');
  // No password form: the provider has no password grant.
  await expect(page.getByTestId('sign-in')).toHaveCount(0);
  const started = Date.now();
  const { authorize, callback } = await signInAtProvider(page);
  const seconds = (Date.now() - started) / 1000;

  // Authorization code + PKCE S256 + nonce, to the redirect URI registered for the demo.
  const query = authorize.searchParams;
  expect(query.get('client_id')).toBe('baton-spa');
  expect(query.get('response_type')).toBe('code');
  expect(query.get('redirect_uri')).toBe(demoPage());
  expect(query.get('scope')).toBe('openid profile email');
  expect(query.get('code_challenge_method')).toBe('S256');
  expect(query.get('code_challenge')).toMatch(/^[\w-]{43}$/);
  expect(query.get('nonce')?.length ?? 0).toBeGreaterThanOrEqual(16);
  expect(query.has('code_verifier')).toBe(false);
  // The provider says who answers (RFC 9207); the demo cleans its address bar of it all.
  expect(callback.searchParams.get('iss')).toBe(oidcUrl());
  await expect.poll(() => new URL(page.url()).search, SLOW).toBe('?dialect=oidc');

  // The profile is the ID token's claims; the access token is opaque (no claims of its own).
  await expect(profileClaim(page, 'sub')).toHaveText('alice');
  await expect(profileClaim(page, 'iss')).toHaveText(oidcUrl());
  await expect(profileClaim(page, 'aud')).toHaveText('baton-spa');
  await expect(profileClaim(page, 'nonce')).toHaveText(query.get('nonce') ?? '');
  await expect(page.getByTestId('claims')).toHaveCount(0);
  await expect(page.getByTestId('auth-error')).toHaveCount(0);
  // The access token works at the provider: its userinfo endpoint, cross-origin, by authFetch.
  expect(await callApi(page)).toContain('ok · alice (userinfo)');

  const stats = await expectOneRefreshPerGeneration([page]);
  // The discovery document once per page load: the page that left for the provider read it (for
  // the authorization endpoint), the page it came back to read it again (for the token endpoint).
  expect(stats.discoveryRequests, 'discovery requests').toBe(2);
  // DPoP is on at the provider, optional: a page without `&dpop=1` sends no proof, gets bearer.
  expect(stats.dpop, 'bound and bearer grants').toMatchObject({ boundGrants: 0, jkts: [] });
  expect(stats.dpop.bearerGrants).toBe(stats.codeExchanges + stats.refreshes);
  expect(await guard.tokensKnown(), 'tokens the leak scan looks for').toBeGreaterThanOrEqual(3);
  console.log(
    `[oidc] redirect sign-in: demo → provider login → consent → back signed in as alice in ` +
      `${seconds.toFixed(1)} s; ${stats.tokenRequests} token request(s) ` +
      `(1 code exchange + ${stats.refreshes} refreshes), ${stats.discoveryRequests} discovery`,
  );
});

test('5 tabs stay valid across several lifetimes with one refresh per lifetime and no reuse; a replayed refresh token revokes the grant', async ({
  context,
  guard,
}) => {
  const refreshTokens = refreshTokensIssued(context);
  const tabs = await openTabsAtOnce(context, 5);
  await expectStatus(tabs, 'signed-out');
  await signInAtProvider(nth(tabs, 0));
  await expectSignedIn(tabs, SLOW.timeout);
  // (On a loaded machine the first refresh may already be under way: read once it has settled.)
  const { generation: start } = await expectOneRefreshPerGeneration(tabs);
  const startedAt = Date.now();

  // Four refreshes: about three access-token lifetimes (a refresh is due at two thirds of one).
  const REFRESHES = 4;
  await waitForGeneration(tabs, start + REFRESHES, REFRESHES * TTL_MS + 10_000);
  const { generation } = await expectOneRefreshPerGeneration(tabs);
  const refreshes = generation - 1; // what the provider counted, asserted just above
  const elapsed = Date.now() - startedAt;
  await expectSignedIn(tabs);
  // No tab ever failed a refresh or lost the session; each refresh was one tab's (counted up to
  // the generation the provider's count was read at: the timers go on meanwhile).
  const lanes = await Promise.all(tabs.map(events));
  const own = lanes.map(
    (lane) =>
      lane.filter((e) => e.kind === 'refresh-success' && (e.generation ?? 0) <= generation).length,
  );
  for (const lane of lanes) {
    expect(lane.filter((e) => ['refresh-failure', 'signed-out'].includes(e.kind))).toEqual([]);
  }
  expect(
    own.reduce((a, b) => a + b, 0),
    'refresh successes summed over the tabs',
  ).toBe(refreshes);
  // The tabs' access token (one, shared) is good at the provider: a tab that never refreshed
  // calls its userinfo endpoint with it.
  const adopter = tabs[own.indexOf(0)] ?? nth(tabs, 4);
  expect(await callApi(adopter)).toContain('ok · alice (userinfo)');
  const perLifetime = (generation - start) / (elapsed / TTL_MS);

  // The provider detects a refresh token presented twice: the first one (the code exchange's,
  // rotated by the first refresh) comes back from Node. It refuses it and revokes the grant ...
  const issued = await refreshTokens();
  expect(
    issued.length,
    'refresh tokens issued: the code exchange and each refresh',
  ).toBeGreaterThanOrEqual(refreshes + 1);
  expect(new Set(issued).size, 'every refresh token new').toBe(issued.length);
  const replayed = await refreshFromNode(issued[0] ?? '');
  expect(replayed).toEqual({ status: 400, error: 'invalid_grant' });
  const afterReplay = await provider.stats();
  expect(afterReplay.refreshTokenReuse, 'reuse detected by the provider').toBe(1);
  expect(afterReplay.grantsRevoked, 'grants revoked for it').toBeGreaterThanOrEqual(1);
  // ... so the tabs' live refresh token died with it: their next refresh ends the session in
  // every tab, once.
  const revokedAt = Date.now();
  await expectStatus(tabs, 'signed-out', TTL_MS + 20_000);
  const ended = Date.now() - revokedAt;
  const stats = await provider.stats();
  expect(stats.refreshErrors, 'the one refresh that met the dead grant').toEqual({
    invalid_grant: 2,
  });
  expect(stats.refreshTokenReuse, 'no reuse by a tab').toBe(1);
  expect(stats.refreshes - afterReplay.refreshes, 'refreshes after the replay').toBe(0);
  expect(await guard.tokensKnown()).toBeGreaterThanOrEqual(issued.length);

  console.log(
    `[oidc] 5 tabs, ${(elapsed / 1000).toFixed(1)} s watched (${(elapsed / TTL_MS).toFixed(1)} ` +
      `lifetimes of ${OIDC_ACCESS_TTL} s): ${refreshes} refreshes at the provider for ` +
      `generations 1→${generation} (exactly 1 per lifetime of a token), ` +
      `${perLifetime.toFixed(2)} per ${OIDC_ACCESS_TTL} s of wall clock; refreshes by tab ` +
      `${own.join('/')}; refreshTokenReuse 0, no refresh refused`,
  );
  console.log(
    `[oidc] reuse: the first refresh token replayed from Node → invalid_grant, refreshTokenReuse ` +
      `1, grant revoked; every tab signed out ${ended} ms later`,
  );
});

test('a new tab adopts the session from a live tab with no token or discovery request', async ({
  context,
}) => {
  const tabs = [await load(await context.newPage(), OIDC)];
  await signInAtProvider(nth(tabs, 0));
  await expectSignedIn(tabs, SLOW.timeout);
  const before = await provider.stats();

  const fresh = await context.newPage();
  const toProvider: Request[] = [];
  fresh.on('request', (r) => {
    if (r.url().startsWith(`${oidcUrl()}/`) && r.method() !== 'OPTIONS') toProvider.push(r);
  });
  const opened = Date.now();
  await load(fresh, OIDC);
  await expect(statusOf(fresh)).toHaveText('valid');
  const onScreen = Date.now() - opened;
  // The ID token came along: the profile is there at once.
  await expect(profileClaim(fresh, 'sub')).toHaveText('alice');

  // Its first news is the session, from a live tab: no sign-in, no refresh of its own before.
  const seen = await events(fresh);
  expect(seen.map((e) => e.kind).slice(0, 2)).toEqual(['opened', 'tokens-adopted']);
  const adopted = seen[1];
  expect(adopted?.detail).toBe('tab');
  expect(seen.map((e) => e.kind)).not.toContain('signed-in');
  const createdAt = await fresh.evaluate(() => window.__baton?.createdAt ?? 0);
  const handOff = (adopted?.at ?? 0) - createdAt;
  expect(handOff).toBeGreaterThanOrEqual(0);
  expect(handOff).toBeLessThan(NEWS_BOUND_MS);

  // Every token request since was a refresh that reached the tabs (read once none is in flight).
  const after = await expectOneRefreshPerGeneration([...tabs, fresh]);
  // Nothing of the provider for the adoption: before this tab's own first refresh (its timer's,
  // a lifetime on, or sooner on a slow machine) it asked the provider for nothing but the app's
  // API call, userinfo, with the adopted token. No discovery: it needs no endpoint until then.
  const ownRefresh =
    (await events(fresh)).find((e) => e.kind === 'refresh-start')?.at ?? Number.POSITIVE_INFINITY;
  const asked = await Promise.all(
    toProvider.map(async (r) => {
      await r.response();
      const path = new URL(r.url()).pathname;
      return { what: `${r.method()} ${path}`, at: r.timing().startTime };
    }),
  );
  expect(
    asked.filter(({ what, at }) => what !== 'GET /me' && !(at >= ownRefresh)).map((r) => r.what),
    'requests to the provider before its own first refresh, userinfo aside',
  ).toEqual([]);
  if (ownRefresh === Number.POSITIVE_INFINITY)
    expect(after.discoveryRequests - before.discoveryRequests, 'discovery requests').toBe(0);
  console.log(
    `[oidc] hand-off: the new tab had the session ${handOff} ms after its manager was created ` +
      `(${onScreen} ms from navigation to 'valid'); ${after.tokenRequests - before.tokenRequests} ` +
      `token requests meanwhile (refreshes on the tabs' timers), none for the adoption`,
  );
});

test('sign-out in one tab revokes at the provider, ends every tab in place, and logs out at the provider', async ({
  context,
}) => {
  const refreshTokens = refreshTokensIssued(context);
  const tabs = await openTabsAtOnce(context, 3);
  const [signer, ...others] = tabs as [Page, Page, Page];
  await signInAtProvider(signer);
  await expectSignedIn(tabs, SLOW.timeout);
  await expectOneRefreshPerGeneration(tabs);
  const where = others.map((tab) => tab.url());
  const created = await Promise.all(
    others.map((tab) => tab.evaluate(() => window.__baton?.createdAt)),
  );
  let navigations = 0;
  for (const tab of others)
    tab.on('framenavigated', (frame) => {
      if (frame === tab.mainFrame()) navigations += 1;
    });

  const endSession = signer.waitForRequest(
    (r) => r.isNavigationRequest() && r.url().startsWith(`${oidcUrl()}/session/end`),
    SLOW,
  );
  const clicked = Date.now();
  await signer.getByTestId('sign-out').click();
  const clickDone = Date.now();
  // Each other tab, watched in the page every 50 ms. (The bound is on the news, from the tabs'
  // events, below: a busy machine may take seconds more to render it.)
  await Promise.all(
    others.map((tab) =>
      tab.waitForFunction(
        () =>
          document.querySelector('[data-testid="session-status"]')?.textContent === 'signed-out',
        undefined,
        { ...SLOW, polling: 50 },
      ),
    ),
  );
  const onScreen = Date.now() - clicked;
  const afterClick = Date.now() - clickDone;

  // RP-Initiated Logout by a POSTed form: the ID token hint in the body, not in the URL.
  const request = await endSession;
  expect(request.method()).toBe('POST');
  expect(request.url()).toBe(`${oidcUrl()}/session/end`);
  const form = new URLSearchParams(request.postData() ?? '');
  expect([...form.keys()].sort()).toEqual(
    ['client_id', 'id_token_hint', 'post_logout_redirect_uri', 'state'].sort(),
  );
  expect(form.get('client_id')).toBe('baton-spa');
  expect(form.get('post_logout_redirect_uri')).toBe(demoPage());
  expect(form.get('state')).toBe(SIGNED_OUT_STATE);
  expect(form.get('id_token_hint')).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);

  // The provider's logout confirmation, then back on the post-logout URI with the state.
  const landing = signer.waitForRequest(
    (r) => r.isNavigationRequest() && r.url() === `${demoPage()}&state=${SIGNED_OUT_STATE}`,
    SLOW,
  );
  const yes = signer.locator('button[name=logout][value=yes]');
  await expect(yes).toHaveText('Yes, sign me out', SLOW);
  // The revocation came first, before this tab left.
  const atConfirm = await provider.stats();
  expect(atConfirm.revocations, 'revocations').toBe(1);
  await yes.click();
  await landing;
  await expect(signer.getByTestId('signed-out-at-provider')).toBeVisible(SLOW);
  await expect(statusOf(signer)).toHaveText('signed-out');
  await expect.poll(() => new URL(signer.url()).search).toBe('?dialect=oidc');
  const stats = await provider.stats();
  expect(stats.endSessions, 'logouts at the provider').toBe(1);
  expect(stats.revocations, 'revocations').toBe(1);

  // The other tabs: signed out where they were, no navigation, no new page.
  expect(others.map((tab) => tab.url())).toEqual(where);
  expect(
    await Promise.all(others.map((tab) => tab.evaluate(() => window.__baton?.createdAt))),
  ).toEqual(created);
  expect(navigations, 'navigations of the other tabs').toBe(0);
  await expectStatus(others, 'signed-out');
  for (const tab of others) {
    expect(last(await events(tab), (e) => e.kind === 'signed-out')?.detail).toBe('remote');
  }
  // How fast the news went: the signer's own sign-out, as the other tabs' timelines heard it.
  const heard = await nth(others, 0).evaluate(() => [...(window.__baton?.timeline() ?? [])]);
  const origin = heard.find((e) => e.kind === 'signed-out' && e.detail === 'user');
  expect(origin, "the signer's sign-out on the shared timeline").toBeDefined();
  const theirs = await Promise.all(
    others.map(async (tab) => last(await events(tab), (e) => e.kind === 'signed-out')?.at ?? 0),
  );
  const propagation = Math.max(...theirs) - (origin?.at ?? clicked);
  expect(propagation).toBeLessThan(NEWS_BOUND_MS);

  // The refresh token is dead at the provider, and no tab has one to spend.
  const issued = await refreshTokens();
  const newest = issued.at(-1);
  expect(newest).toBeDefined();
  expect(await refreshFromNode(newest ?? '')).toEqual({ status: 400, error: 'invalid_grant' });
  for (const tab of tabs) {
    const outcome = await tab.evaluate(() =>
      window.__baton?.manager.refresh().then(
        () => 'refreshed',
        (error: { code?: string }) => error.code,
      ),
    );
    expect(outcome).toBe('signed_out');
  }
  const final = await provider.stats();
  expect(final.refreshes - stats.refreshes, 'refreshes after the sign-out').toBe(0);
  expect(final.tokenRequests - stats.tokenRequests, 'token requests: the Node replay only').toBe(1);
  expect(final.refreshTokenReuse).toBe(0);
  console.log(
    `[oidc] sign-out: the last of 2 other tabs signed out ${relative(propagation)} the tab that ` +
      `clicked (events; it tells them first); both showed ` +
      `'signed-out' ${afterClick} ms after the click returned (${onScreen} ms with its round ` +
      `trip), none navigated; 1 revocation, 1 logout at the provider (confirmed on its page)`,
  );
});

test('an admin’s revocation of the grant ends the session cleanly in every tab at the next refresh', async ({
  context,
}) => {
  const tabs = await openTabsAtOnce(context, 3);
  await signInAtProvider(nth(tabs, 0));
  await expectSignedIn(tabs, SLOW.timeout);
  const before = await expectOneRefreshPerGeneration(tabs);

  await provider.revokeGrants();
  const revoked = Date.now();
  // The next refresh (a timer's, within a lifetime) meets the dead grant.
  await expectStatus(tabs, 'signed-out', TTL_MS + 20_000);
  const ended = Date.now() - revoked;

  const stats = await provider.stats();
  expect(stats.refreshErrors, 'refresh grants refused: one, for every tab').toEqual({
    invalid_grant: 1,
  });
  expect(stats.refreshTokenReuse).toBe(0);
  expect(stats.refreshes - before.refreshes, 'refreshes after the revocation').toBe(0);
  expect(stats.tokenRequests - before.tokenRequests, 'token requests after the revocation').toBe(1);
  // The tab whose refresh failed ends the session with the provider's error and says so; the
  // others end it on its news.
  const reasons = await Promise.all(
    tabs.map(async (tab) => last(await events(tab), (e) => e.kind === 'signed-out')?.detail),
  );
  expect(reasons.filter((r) => r === 'terminal: invalid_grant')).toHaveLength(1);
  expect(reasons.filter((r) => r === 'remote')).toHaveLength(tabs.length - 1);
  const failed = nth(tabs, reasons.indexOf('terminal: invalid_grant'));
  await expect(failed.getByTestId('session-error')).toHaveText(
    'The session ended: invalid_grant (sign in again)',
  );
  for (const tab of tabs) {
    await expect(tab.getByTestId('sign-in-redirect')).toBeEnabled();
    expect(await callApi(tab)).toContain('signed_out');
  }
  console.log(
    `[oidc] admin revocation: every tab signed out ${ended} ms after it (at the next refresh: ` +
      `1 invalid_grant, 0 reuse)`,
  );
});

// ---------------------------------------------------------------------------------------------
// DPoP (RFC 9449) against the provider: `?dialect=oidc&dpop=1`, `dpop()` passed to the manager.

/** RFC 7638: the thumbprint of a public EC or OKP JWK (its required members, sorted). */
function thumbprint(jwk: Record<string, unknown>): string {
  const members = jwk.kty === 'EC' ? ['crv', 'kty', 'x', 'y'] : ['crv', 'kty', 'x'];
  const canonical = JSON.stringify(Object.fromEntries(members.map((m) => [m, jwk[m]])));
  return createHash('sha256').update(canonical).digest('base64url');
}

/** What a request to the provider proved (read in this process; the proof is never printed). */
interface Proven {
  /** Which of the tabs sent it (-1: none of them). */
  readonly tab: number;
  readonly what: string;
  /** The `Authorization` scheme (`DPoP`, `Bearer`), if any. */
  readonly scheme?: string;
  /** The thumbprint of the proof's key (its header's `jwk`); none without a proof. */
  readonly jkt?: string;
  /** The proof is of this very request: `htm`, `htu`, and `ath` when a token is sent. */
  readonly matches?: boolean;
}

/** The token and userinfo requests the tabs of `context` send the provider, and their proofs. */
function proofsSent(context: BrowserContext, tabs: () => readonly Page[]): () => Promise<Proven[]> {
  const sent: Promise<Proven | undefined>[] = [];
  const paths = new Set(['/token', '/me']);
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin !== oidcUrl() || !paths.has(url.pathname) || request.method() === 'OPTIONS')
      return;
    const tab = tabs().indexOf(request.frame().page());
    sent.push(
      request.allHeaders().then(
        (headers) => {
          const what = `${request.method()} ${url.pathname}`;
          const [scheme, token] = (headers.authorization ?? '').split(' ');
          const proof = headers.dpop;
          if (!proof) return { tab, what, ...(scheme && { scheme }) };
          const [header, payload] = proof
            .split('.')
            .slice(0, 2)
            .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
          const ath = token && createHash('sha256').update(token).digest('base64url');
          const matches =
            header.typ === 'dpop+jwt' &&
            payload.htm === request.method() &&
            payload.htu === `${url.origin}${url.pathname}` &&
            payload.ath === (ath || undefined);
          return { tab, what, ...(scheme && { scheme }), jkt: thumbprint(header.jwk), matches };
        },
        // Sent as the test ended, its page gone: unreadable, not a rejection nobody awaits.
        () => undefined,
      ),
    );
  });
  return async () => (await Promise.all(sent)).filter((proven) => proven !== undefined);
}

/**
 * The headers of the next userinfo request `tab` sends (its API call is made here): what a thief
 * on the wire, or a script that reads requests, would have. Kept in this process, never printed.
 */
async function stealUserinfoHeaders(context: BrowserContext, tab: Page) {
  const seen = new Promise<Record<string, string>>((resolve) => {
    const listener = (request: Request) => {
      const url = new URL(request.url());
      if (url.origin !== oidcUrl() || url.pathname !== '/me' || request.method() !== 'GET') return;
      context.off('request', listener);
      resolve(request.allHeaders());
    };
    context.on('request', listener);
  });
  expect(await callApi(tab)).toContain('ok · alice (userinfo)');
  const headers = await seen;
  return { authorization: headers.authorization ?? '', dpop: headers.dpop ?? '' };
}

/** The provider's userinfo endpoint, called from Node: its status and why it refused. */
async function userinfoFromNode(headers: Record<string, string>) {
  const response = await fetch(`${oidcUrl()}/me`, { headers });
  await response.body?.cancel();
  const challenge = response.headers.get('www-authenticate') ?? '';
  return { status: response.status, error: /error="([^"]*)"/.exec(challenge)?.[1] };
}

/** The thumbprint of the key this tab last signed a proof with (the demo's test hook). */
const signingKey = (page: Page): Promise<string | undefined> =>
  page.evaluate(() => {
    const hook = window.__baton as unknown as { signingKey(): string | undefined } | undefined;
    return hook?.signingKey();
  });

test.describe('oidc + DPoP', () => {
  test('4 tabs on one key: bound tokens, userinfo with proofs, one refresh per generation with no reuse, and a refresh token worthless without the key', async ({
    context,
    guard,
  }) => {
    const answers = tokenAnswers(context);
    let tabs: Page[] = [];
    const proofs = proofsSent(context, () => tabs);
    tabs = await openTabsAtOnce(context, 4, OIDC_DPOP);
    await expectStatus(tabs, 'signed-out');
    const started = Date.now();
    const { authorize } = await signInAtProvider(nth(tabs, 0), OIDC_DPOP);
    const signInSeconds = (Date.now() - started) / 1000;
    // The code is bound to the sign-in's new key (RFC 9449 §10) before it is even issued.
    const jkt = authorize.searchParams.get('dpop_jkt') ?? '';
    expect(jkt, 'dpop_jkt in the authorization request').toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('redirect_uri')).toBe(demoPage(OIDC_DPOP));
    await expectSignedIn(tabs, SLOW.timeout);
    const { generation: start } = await expectOneRefreshPerGeneration(tabs);
    const watchedFrom = Date.now();

    // userinfo through every tab's authFetch: `Authorization: DPoP` and a proof of the key.
    for (const tab of tabs) expect(await callApi(tab)).toContain('ok · alice (userinfo)');

    // Several lifetimes: four refreshes, each one tab's, every tab on the newest generation.
    const REFRESHES = 4;
    await waitForGeneration(tabs, start + REFRESHES, REFRESHES * TTL_MS + 10_000);
    const settled = await expectOneRefreshPerGeneration(tabs);
    const { generation } = settled;
    const elapsed = Date.now() - watchedFrom;
    const refreshes = generation - 1; // what the provider counted, asserted just above
    await expectSignedIn(tabs);
    for (const tab of tabs) expect(await callApi(tab)).toContain('ok · alice (userinfo)');

    // The provider bound every grant, and the refresh tokens too (a public client's, §5), to
    // that one key; it answered userinfo to bound tokens only after checking their proofs.
    const now = await provider.stats();
    const bound = now.dpop;
    expect(bound.jkts, 'the keys the provider bound tokens to').toEqual([jkt]);
    expect(bound.bearerGrants, 'bearer grants').toBe(0);
    expect(bound.boundGrants, 'bound grants: the code exchange and every refresh').toBe(
      now.codeExchanges + now.refreshes,
    );
    expect(bound.boundRefreshTokens, 'bound refresh tokens').toBe(bound.boundGrants);
    expect(bound.boundUserinfo, 'userinfo answered to bound tokens').toBeGreaterThanOrEqual(
      2 * tabs.length,
    );
    const issued = await answers();
    expect(issued.length).toBeGreaterThanOrEqual(refreshes + 1);
    expect(new Set(issued.map((a) => a.tokenType)), 'token_type of every answer').toEqual(
      new Set(['DPoP']),
    );
    // Every token and userinfo request of every tab proved that key, and only it.
    const sent = await proofs();
    expect(
      sent.filter((p) => p.jkt !== jkt || !p.matches).map((p) => `${p.what} tab ${p.tab}`),
    ).toEqual([]);
    const userinfo = sent.filter((p) => p.what === 'GET /me');
    expect(new Set(userinfo.map((p) => p.scheme)), 'userinfo: the DPoP scheme').toEqual(
      new Set(['DPoP']),
    );
    expect(new Set(userinfo.map((p) => p.tab)), 'userinfo proofs from every tab').toEqual(
      new Set(tabs.map((_, i) => i)),
    );
    const tokenRequests = sent.filter((p) => p.what === 'POST /token').length;
    expect(tokenRequests, 'token requests, every one with a proof').toBeGreaterThanOrEqual(
      settled.tokenRequests,
    );
    // The session names that key in every tab, and every tab signs with it.
    expect(await Promise.all(tabs.map(signingKey))).toEqual(tabs.map(() => jkt));
    await Promise.all(tabs.map((tab) => expect(tab.getByTestId('dpop-jkt')).toHaveText(jkt)));
    const lanes = await Promise.all(tabs.map(events));
    const own = lanes.map(
      (lane) =>
        lane.filter((e) => e.kind === 'refresh-success' && (e.generation ?? 0) <= generation)
          .length,
    );
    expect(
      own.reduce((a, b) => a + b, 0),
      'refresh successes summed over the tabs',
    ).toBe(refreshes);
    for (const lane of lanes)
      expect(lane.filter((e) => ['refresh-failure', 'signed-out'].includes(e.kind))).toEqual([]);

    // The refresh tokens stolen, without the key: the live one and the first (spent) one, each
    // replayed from Node with no proof. Refused for want of the proof (RFC 9449 §5): no grant,
    // and no reuse detected either, so a thief cannot even end the session.
    const tokens = issued.flatMap((a) => (a.refreshToken ? [a.refreshToken] : []));
    expect(new Set(tokens).size, 'every refresh token new').toBe(tokens.length);
    const before = await provider.stats();
    const replayed = [
      await refreshFromNode(tokens.at(-1) ?? ''),
      await refreshFromNode(tokens[0] ?? ''),
    ];
    expect(replayed).toEqual([
      { status: 400, error: 'invalid_grant' },
      { status: 400, error: 'invalid_grant' },
    ]);
    const afterReplay = await provider.stats();
    expect(afterReplay.dpop.refreshesWithoutKey, 'refused for want of the key’s proof').toBe(
      before.dpop.refreshesWithoutKey + 2,
    );
    expect(afterReplay.refreshTokenReuse, 'reuse detected').toBe(0);
    expect(afterReplay.grantsRevoked, 'grants revoked').toBe(0);
    // The session lives on: the tabs' next refresh is granted, on the same key.
    const next = await waitForGeneration(tabs, generation + 1, TTL_MS + 20_000);
    const end = await provider.stats();
    expect(end.refreshErrors, 'the two replays, nothing else refused').toEqual({
      invalid_grant: 2,
    });
    expect(end.refreshTokenReuse).toBe(0);
    expect(end.grantsRevoked).toBe(0);
    expect(end.refreshes).toBeGreaterThanOrEqual(next - 1);
    expect(end.dpop.jkts).toEqual([jkt]);
    await expectSignedIn(tabs);
    expect(await callApi(nth(tabs, 3))).toContain('ok · alice (userinfo)');
    expect(await guard.tokensKnown()).toBeGreaterThanOrEqual(tokens.length);

    // A live access token and a proof taken off the wire, used from Node without the key: the
    // proof again (same jti, RFC 9449 §11.1), the token as a bearer token, the token with no
    // proof. oidc-provider says only `invalid_token` (an expired token would say the same), so
    // each theft counts only if the tab still held that token, unexpired, after the three.
    const misuse = async () => {
      const tab = nth(tabs, 1);
      const stolen = await stealUserinfoHeaders(context, tab);
      const token = stolen.authorization.replace(/^DPoP /, '');
      const answers = [
        await userinfoFromNode(stolen),
        await userinfoFromNode({ authorization: `Bearer ${token}` }),
        await userinfoFromNode({ authorization: stolen.authorization }),
      ];
      const live = await tab.evaluate((t) => {
        const snapshot = window.__baton?.manager.getSnapshot();
        return snapshot?.accessToken === t && (snapshot.expiresAt ?? 0) > Date.now();
      }, token);
      return { answers, live };
    };
    // A 5-s token may be replaced between the theft and its use on a loaded machine: steal anew.
    let misused = await misuse();
    for (let i = 0; i < 3 && !misused.live; i++) misused = await misuse();
    expect(misused.live, 'the stolen token was live when it was refused').toBe(true);
    const refused = misused.answers;
    expect(refused).toEqual([
      { status: 401, error: 'invalid_token' },
      { status: 401, error: 'invalid_token' },
      { status: 400, error: 'invalid_request' },
    ]);

    report(
      `[oidc+dpop] redirect sign-in with dpop_jkt in ${signInSeconds.toFixed(1)} s; 4 tabs, ` +
        `${(elapsed / 1000).toFixed(1)} s watched (${(elapsed / TTL_MS).toFixed(1)} lifetimes of ` +
        `${OIDC_ACCESS_TTL} s): ${generation - start} refreshes for generations ` +
        `${start}→${generation} (${refreshes} since sign-in, as many at the provider), by tab ` +
        `${own.join('/')}; refreshTokenReuse 0, no refresh refused`,
    );
    report(
      `[oidc+dpop] one key ${jkt} in every tab and at the provider: ${bound.boundGrants} bound ` +
        `grants (${bound.boundRefreshTokens} bound refresh tokens, ${bound.bearerGrants} bearer), ` +
        `${issued.length} answers all token_type DPoP; ${tokenRequests} token and ` +
        `${userinfo.length} userinfo requests, each with a proof of it; userinfo answered ` +
        `${bound.boundUserinfo} times to a bound token`,
    );
    report(
      `[oidc+dpop] the live and the first refresh token replayed from Node without a proof → ` +
        `invalid_grant ×2 (refreshesWithoutKey ${afterReplay.dpop.refreshesWithoutKey}), reuse 0, ` +
        `grants revoked 0; the tabs refreshed on to generation ${next}`,
    );
    report(
      `[oidc+dpop] a live access token and its proof taken off the wire, used from Node: ` +
        `${refused.map((r) => `${r.status} ${r.error}`).join(', ')} (the proof replayed; as Bearer; no proof), the token still live`,
    );
  });
});
