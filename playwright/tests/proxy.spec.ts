import type { Request } from '@playwright/test';
import {
  callApi,
  DIALECTS,
  expect,
  expectSignedIn,
  mock,
  nth,
  openTabs,
  report,
  signIn,
  TTL_MS,
  test,
  waitForGeneration,
} from './support.js';

/** The demo clients' secrets (the mock's, as the seeds show them): none may leave the browser. */
const SECRETS = ['TENANT_CLIENT_SECRET', 'eiam-demo-secret', 'uaa-demo-secret', '999999'];

/** Where a client secret could travel in a request: its URL, body and Authorization header. */
function secretIn(request: Request): string | undefined {
  const url = decodeURIComponent(request.url());
  const body = request.postData() ?? '';
  const auth = request.headers().authorization ?? '';
  if (/client_secret/i.test(url) || /client_secret/i.test(body)) return 'a client_secret parameter';
  if (/^basic /i.test(auth)) return 'HTTP Basic client authentication';
  const params = [
    ...new URL(request.url()).searchParams.values(),
    ...new URLSearchParams(body).values(),
  ];
  if (params.some((value) => SECRETS.includes(value))) return 'a demo secret as a parameter';
  return undefined;
}

test('?proxy=1: every endpoint signs in and refreshes through the token proxy, no secret leaves the page', async ({
  context,
}) => {
  test.setTimeout(120_000);
  const problems: string[] = [];
  const tokenPaths = new Set<string>();
  context.on('request', (request) => {
    const { pathname } = new URL(request.url());
    const found = secretIn(request);
    if (found) problems.push(`${found} in ${request.method()} ${pathname}`);
    if (/token|proxy/.test(pathname)) tokenPaths.add(`${request.method()} ${pathname}`);
  });
  for (const dialect of DIALECTS) {
    const tabs = await openTabs(context, 2, { dialect, proxy: true });
    await expect(nth(tabs, 0).getByTestId('secret-note')).toContainText('no client secret');
    await signIn(nth(tabs, 0));
    await expectSignedIn(tabs);
    // One refresh at least, through the proxy, reaching both tabs.
    const generation = await waitForGeneration(tabs, 2, 2 * TTL_MS);
    expect(await callApi(nth(tabs, 1))).toContain('ok');
    const stats = (await mock.stats()).byDialect[dialect];
    expect(stats.signIns, `${dialect}: sign-ins`).toBe(1);
    expect(stats.refreshes, `${dialect}: refreshes`).toBeGreaterThanOrEqual(1);
    expect(stats.reuseDetected + stats.invalidGrant, `${dialect}: refused`).toBe(0);
    report(
      `proxy (${dialect}): signed in and ${stats.refreshes} refresh(es) through /proxy/${dialect}, ` +
        `generation ${generation} in both tabs, API ok`,
    );
    for (const tab of tabs) await tab.close();
  }
  // The browser spoke only to the proxy: never to a token route itself.
  expect([...tokenPaths].sort()).toEqual(
    DIALECTS.map((d) => `${d === 'uaa' ? 'GET' : 'POST'} /proxy/${d}`).sort(),
  );
  expect(problems, 'client secrets sent by the browser').toEqual([]);
});
