import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import {
  DIALECTS,
  type DialectName,
  events,
  expect,
  expectOneRefreshPerGeneration,
  expectSameGeneration,
  expectSignedIn,
  expectStatus,
  type LockName,
  load,
  mock,
  nth,
  openTabs,
  report,
  type Settings,
  statusOf,
  test,
} from './support.js';

/**
 * Sign-in by redirect (authorization code + PKCE) in real Chromium: the demo's
 * `sign-in-redirect` button, the mock's login page at `/oauth2/authorize`, and the callback back
 * on the demo page. One code exchange signs every tab in; a forged `state`, a replayed callback
 * and a refusal send nothing to the token endpoint.
 */

/** Where screenshots.spec.ts puts its pictures (git-ignored). */
const folder = fileURLToPath(new URL('../screenshots/', import.meta.url));

/** The demo user of the contract, typed into the mock's login page. */
const USER = { username: 'alice', password: 'alice-password' } as const;

/** Page loads, a login page and a code exchange on a loaded two-core machine: generous. */
const SLOW = { timeout: 15_000 };

/** A lock per dialect, so the callback must bring the page's `lock` setting back as well. */
const LOCK: Record<DialectName, LockName | undefined> = {
  ciam: undefined,
  eiam: 'broadcast',
  uaa: 'web-locks',
  chatroom: 'auto',
};

/** The callback's own parameters: none may stay in the address bar. */
const CALLBACK_PARAMS = ['code', 'state', 'error', 'error_description'];

/** The demo tab's settings as its page reads them, and whether the address bar is clean. */
async function expectBackOnDemo(page: Page, dialect: DialectName, lock: LockName | undefined) {
  await expect
    .poll(
      // The demo's hook has the settings its page read (support.ts types only what it uses).
      () => page.evaluate(() => (window.__baton as { settings?: object } | undefined)?.settings),
      SLOW,
    )
    .toEqual({ dialect, lock: lock ?? 'auto', proxy: false, dpop: false });
  await expect
    .poll(() => CALLBACK_PARAMS.filter((p) => new URL(page.url()).searchParams.has(p)), SLOW)
    .toEqual([]);
  // The demo's own URL for these settings (it leaves out the defaults, ciam and auto).
  const query = new URL(page.url()).searchParams;
  expect(query.get('dialect'), 'the dialect in the URL').toBe(dialect === 'ciam' ? null : dialect);
  expect(query.get('lock'), 'the lock in the URL').toBe(lock === 'auto' ? null : (lock ?? null));
}

/**
 * Clicks `sign-in-redirect` and waits for the mock's login page; `tamper` may then change the
 * form's hidden fields (what an attacker could send back).
 */
async function toLoginPage(page: Page): Promise<void> {
  await page.getByTestId('sign-in-redirect').click();
  await page.waitForURL(/\/oauth2\/authorize\?/, SLOW);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible(SLOW);
  const query = new URL(page.url()).searchParams;
  // PKCE with S256, and a fresh random state; the verifier never leaves the tab.
  expect(query.get('code_challenge_method')).toBe('S256');
  expect(query.get('code_challenge')).toMatch(/^[\w-]{43}$/);
  expect(query.get('state')?.length ?? 0).toBeGreaterThanOrEqual(16);
  expect(query.has('code_verifier')).toBe(false);
}

/**
 * On the login page: submits (`Sign in` with the demo user, or `Deny`) and returns the URL the
 * provider redirected to, as the browser first requested it (the demo cleans it at once).
 */
async function submitLogin(page: Page, action: 'allow' | 'deny'): Promise<string> {
  const back = page.waitForRequest(
    (request) =>
      request.isNavigationRequest() &&
      !request.url().includes('/oauth2/authorize') &&
      /[?&](code|error)=/.test(request.url()),
    SLOW,
  );
  if (action === 'allow') {
    await page.getByLabel('Username').fill(USER.username);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  } else {
    await page.getByRole('button', { name: 'Deny', exact: true }).click();
  }
  return (await back).url();
}

/** The whole round trip in `page`: demo → login page → demo with `?code=&state=`. */
async function signInByRedirect(page: Page): Promise<string> {
  await toLoginPage(page);
  return submitLogin(page, 'allow');
}

const tokenRequests = async (dialect: DialectName) =>
  (await mock.stats()).byDialect[dialect].tokenRequests;

for (const dialect of DIALECTS) {
  const lock = LOCK[dialect];
  const settings: Settings = lock ? { dialect, lock } : { dialect };
  const label = `${dialect}${lock ? ` + ${lock}` : ''}`;

  test(`${label}: redirect sign-in in one of three tabs signs all three in with one code exchange`, async ({
    context,
  }) => {
    const tabs = await openTabs(context, 3, settings);
    await expectStatus(tabs, 'signed-out');
    const [signer, ...others] = tabs as [Page, Page, Page];
    const started = Date.now();
    await signInByRedirect(signer);
    await expect(statusOf(signer)).toHaveText('valid', SLOW);
    await expectSignedIn(others, SLOW.timeout);
    const seconds = (Date.now() - started) / 1000;
    await expectBackOnDemo(signer, dialect, lock);
    await expect(signer.getByTestId('auth-error')).toHaveCount(0);
    await expectSameGeneration(tabs, 5000);

    // The other tabs had the session from the signing tab: their first news is an adoption, and
    // they never asked the token endpoint for anything.
    for (const tab of others) {
      const kinds = (await events(tab)).map((e) => e.kind);
      const firstSession = kinds.find((k) =>
        ['tokens-adopted', 'signed-in', 'refresh-start'].includes(k),
      );
      expect(firstSession, 'a watching tab adopted the session').toBe('tokens-adopted');
      expect(kinds).not.toContain('signed-in');
    }
    // One code exchange (a sign-in), then only the shared refreshes of the short-lived token.
    const stats = await expectOneRefreshPerGeneration(tabs, dialect);
    expect(stats.tokenRequests, 'token requests: the one code exchange + the refreshes').toBe(
      stats.signIns + stats.refreshes,
    );
    report(
      `${label}: demo → login page → back signed in, 3 tabs valid in ${seconds.toFixed(1)} s; ` +
        `token requests ${stats.tokenRequests} (1 code exchange + ${stats.refreshes} refreshes)`,
    );
  });

  test(`${label}: a tampered state is refused with invalid_state, nothing is sent`, async ({
    context,
  }) => {
    const tabs = await openTabs(context, 2, settings);
    const page = nth(tabs, 0);
    await toLoginPage(page);
    // The provider echoes whatever state it is given: change one character of it.
    const field = page.locator('input[type=hidden][name=state]');
    const original = await field.inputValue();
    const forged = `${original.slice(0, -1)}${original.endsWith('A') ? 'B' : 'A'}`;
    await field.evaluate((input: HTMLInputElement, value) => {
      input.value = value;
    }, forged);
    const back = new URL(await submitLogin(page, 'allow'));
    expect(back.searchParams.get('state')).toBe(forged);
    expect(back.searchParams.get('code')).toBeTruthy();

    await expect(page.getByTestId('auth-error-code')).toHaveText('invalid_state', SLOW);
    await expectBackOnDemo(page, dialect, lock);
    await expectStatus(tabs, 'signed-out');
    // The core refuses before sending: the real code never reached the token endpoint.
    expect(await tokenRequests(dialect), 'token requests').toBe(0);
    expect((await events(page)).map((e) => e.kind)).not.toContain('signed-in');
  });

  test(`${label}: "Deny" on the login page comes back as a typed access_denied`, async ({
    context,
  }) => {
    const page = await load(await context.newPage(), settings);
    await toLoginPage(page);
    const back = new URL(await submitLogin(page, 'deny'));
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('error_description')).toBeTruthy();

    const error = page.getByTestId('auth-error');
    await expect(page.getByTestId('auth-error-code')).toHaveText('access_denied', SLOW);
    // The provider's own description, as it sent it.
    await expect(error).toContainText(back.searchParams.get('error_description') ?? '');
    await expectBackOnDemo(page, dialect, lock);
    await expect(statusOf(page)).toHaveText('signed-out');
    expect(await tokenRequests(dialect), 'token requests').toBe(0);
    if (dialect === 'ciam') {
      // For a look after a layout change (git-ignored, like screenshots.spec.ts's pictures).
      await page.locator('.session').screenshot({ path: `${folder}redirect-error.png` });
    }

    // The way back in is still open.
    await error.getByRole('button', { name: 'Dismiss' }).click();
    await expect(error).toHaveCount(0);
    await expect(page.getByTestId('sign-in-redirect')).toBeEnabled();
  });
}

/**
 * Opening the callback again is refused by the core before any dialect code runs (its sign-in was
 * removed from sessionStorage when the code was first read): one dialect shows it.
 */
test(`ciam: the callback URL opened again exchanges nothing, the session stays`, async ({
  context,
}) => {
  const tabs = await openTabs(context, 3, { dialect: 'ciam' });
  const signer = nth(tabs, 0);
  const callback = await signInByRedirect(signer);
  await expectSignedIn(tabs, SLOW.timeout);
  await expectOneRefreshPerGeneration(tabs, 'ciam');

  // The same tab goes to the original callback URL again (a reload before the address bar was
  // cleaned, or back to it from history), and a new tab opens it (a shared link).
  await signer.goto(callback);
  await expect(signer.getByTestId('auth-error-code')).toHaveText('invalid_state', SLOW);
  const stranger = await context.newPage();
  await stranger.goto(callback);
  await expect(stranger.getByTestId('auth-error-code')).toHaveText('invalid_state', SLOW);
  const all = [...tabs, stranger];
  // Both pages are new page loads: they adopt the live session from the other tabs.
  await expectSignedIn(all, SLOW.timeout);
  await expectBackOnDemo(signer, 'ciam', undefined);
  await expectBackOnDemo(stranger, 'ciam', undefined);

  // Still the one code exchange: no second one (which would also have revoked the session at
  // the provider, RFC 6749 §4.1.2), and the session kept rotating normally.
  const stats = await expectOneRefreshPerGeneration(all, 'ciam');
  expect(stats.tokenRequests, 'token requests: the one code exchange + the refreshes').toBe(
    stats.signIns + stats.refreshes,
  );
  await expect(signer.getByTestId('call-api')).toBeEnabled();
});
