import type { Page } from '@playwright/test';
import {
  callApi,
  events,
  expect,
  expectOneRefreshPerGeneration,
  expectSameGeneration,
  expectSignedIn,
  expectStatus,
  faultsTaken,
  last,
  mock,
  nth,
  openTabs,
  outlastTimers,
  REQUEST_TIMEOUT_MS,
  report,
  revivedAfterSignOut,
  signIn,
  state,
  TTL_MS,
  test,
  waitForGeneration,
} from './support.js';

const signOuts = async (tabs: readonly Page[]) =>
  (await Promise.all(tabs.map(events))).flat().filter((e) => e.kind === 'signed-out');

/** The generation the first failed refresh (across the tabs) started from. */
async function failedFrom(tabs: readonly Page[]): Promise<number> {
  const starts = (await Promise.all(tabs.map(events))).flatMap((log) => {
    const failure = log.findIndex((e) => e.kind === 'refresh-failure');
    const start = last(log.slice(0, Math.max(0, failure)), (e) => e.kind === 'refresh-start');
    return failure === -1 || start?.generation === undefined
      ? []
      : [{ at: log[failure]?.at ?? 0, generation: start.generation }];
  });
  const first = starts.sort((a, b) => a.at - b.at)[0];
  if (!first) throw new Error('no tab has a failed refresh after a refresh-start');
  return first.generation;
}

test('offline across an expiry: the session survives and refreshes once back online', async ({
  context,
}) => {
  const tabs = await openTabs(context, 3, { dialect: 'ciam' });
  await signIn(nth(tabs, 0));
  await expectSignedIn(tabs);
  const offlineAt = Date.now();
  await context.setOffline(true);
  // Offline across an expiry: every refresh attempt fails, and every tab's access token expires
  // (a lifetime after it was issued at most; the tab's expiry timer turns its snapshot from
  // `valid`, late on a loaded machine).
  const failures = async () =>
    (await Promise.all(tabs.map(events))).flat().filter((e) => e.kind === 'refresh-failure');
  await Promise.all(
    tabs.map((tab) =>
      tab.waitForFunction(
        () => {
          const snapshot = window.__baton?.manager.getSnapshot();
          const expiresAt = snapshot?.expiresAt;
          return expiresAt !== undefined && Date.now() >= expiresAt && snapshot?.status !== 'valid';
        },
        undefined,
        { timeout: TTL_MS + 5000, polling: 100 },
      ),
    ),
  );
  // The attempt due before the expiry has failed (offline, at once: within a request timeout).
  await expect
    .poll(async () => (await failures()).length, { timeout: REQUEST_TIMEOUT_MS })
    .toBeGreaterThan(0);
  const offlineMs = Date.now() - offlineAt;
  for (const tab of tabs)
    expect(['expired', 'error', 'refreshing']).toContain((await state(tab)).status);
  expect(await signOuts(tabs), 'sign-outs while offline').toEqual([]);
  const failed = await failures();
  expect(failed.every((e) => e.detail?.startsWith('network'))).toBe(true);
  // Offline, no refresh can land: the generation every tab holds is the one to refresh.
  const start = await expectSameGeneration(tabs);

  const online = Date.now();
  await context.setOffline(false);
  // Back online, the tabs try at once: one attempt, bounded by the request timeout.
  await waitForGeneration(tabs, start + 1, REQUEST_TIMEOUT_MS);
  const recovered = Date.now() - online;
  await expectSignedIn(tabs);
  for (const tab of tabs) expect(await callApi(tab)).toContain('ok');
  await expectOneRefreshPerGeneration(tabs, 'ciam');
  expect(await signOuts(tabs)).toEqual([]);
  report(
    `offline for ${offlineMs / 1000} s, across the expiry: ${failed.length} failed attempts, no sign-out; ` +
      `new tokens ${recovered} ms after going back online`,
  );
});

test('503 with Retry-After on refresh: retried after the delay, no sign-out', async ({
  context,
}) => {
  const tabs = await openTabs(context, 3, { dialect: 'ciam' });
  await signIn(nth(tabs, 0));
  await expectSignedIn(tabs);
  await mock.faults({
    route: 'token',
    grant: 'refresh_token',
    status: 503,
    retryAfter: 1,
    count: 3,
  });
  // The next refresh meets the three 503s (a lifetime away at most), then succeeds: after at
  // most 1 + 2 + 4 s of backoff (the core's defaults, never under Retry-After) and one request.
  await faultsTaken(TTL_MS + 7000);
  // The generation the 503s met (a timer refresh may have come between sign-in and arming them):
  // the one the first failed refresh started from.
  const start = await failedFrom(tabs);
  await waitForGeneration(tabs, start + 1, 7000 + REQUEST_TIMEOUT_MS);
  await expectSignedIn(tabs);
  for (const tab of tabs) expect(await callApi(tab)).toContain('ok');
  const { generation, faultsServed } = await expectOneRefreshPerGeneration(tabs, 'ciam');
  expect(faultsServed).toBe(3);

  const failures = (await Promise.all(tabs.map(events)))
    .flat()
    .filter((e) => e.kind === 'refresh-failure');
  expect(failures.length).toBeGreaterThan(0);
  // The server's Retry-After (1 s) is the shortest wait the tabs chose.
  const waits = failures.map((e) => Number(/retry in ([\d.]+) s/.exec(e.detail ?? '')?.[1] ?? 0));
  expect(Math.min(...waits)).toBeGreaterThanOrEqual(1);
  expect(await signOuts(tabs)).toEqual([]);
  report(
    `503 + Retry-After: 1 ×3: ${failures.length} failure events (${failures
      .map((e) => e.detail)
      .join('; ')}), then generation ${generation}; no sign-out`,
  );
});

test('a response lost after the server rotated the refresh token: one clean sign-out', async ({
  context,
}) => {
  // With REUSE_GRACE=0 (these tests' mock), the server commits the rotation, the answer never
  // arrives, and no tab can hold the new tokens: the only refresh token left is spent. Retrying it
  // is reuse, which revokes the session (RFC 9700 §4.14.2). The right outcome is therefore one
  // sign-out everywhere, at once, and nothing after it: no loop, no half-signed-in tab.
  const tabs = await openTabs(context, 3, { dialect: 'ciam' });
  await signIn(nth(tabs, 0));
  await expectSignedIn(tabs);
  await mock.faults({ route: 'token', grant: 'refresh_token', dropAfterCommit: true });
  await faultsTaken(TTL_MS + 3000);
  await expectStatus(tabs, 'signed-out', 10_000);
  const ended = await signOuts(tabs);
  // Exactly one sign-out per tab.
  expect(ended).toHaveLength(tabs.length);
  expect(new Set(ended.map((e) => e.tab)).size).toBe(tabs.length);
  expect(ended.filter((e) => e.detail?.startsWith('terminal'))).toHaveLength(1);
  const settled = await mock.stats();
  // Every rotation reached the tabs but the last, committed and lost: one more than they saw.
  const seen = Math.max(
    ...(await Promise.all(tabs.map(events))).flat().map((e) => e.generation ?? 0),
  );
  expect(settled.byDialect.ciam.refreshes, 'rotations: those the tabs saw, and the lost one').toBe(
    seen,
  );
  expect(settled.byDialect.ciam.reuseDetected, 'the one retry with the spent token').toBe(1);

  // Nothing after it: every timer a tab had armed (a refresh is due within a lifetime) has fired
  // in every tab by the end of this wait, and none started a refresh or brought tokens back.
  await outlastTimers(tabs, TTL_MS);
  const later = await mock.stats();
  expect(later.tokenRequests, 'requests after the sign-out').toBe(settled.tokenRequests);
  await expectStatus(tabs, 'signed-out');
  expect(await signOuts(tabs)).toHaveLength(tabs.length);
  for (const tab of tabs) expect(await revivedAfterSignOut(tab)).toEqual([]);
  expect(await callApi(nth(tabs, 1))).toContain('signed_out');
  const first = Math.min(...ended.map((e) => e.at));
  const spread = Math.max(...ended.map((e) => e.at)) - first;
  report(
    `dropped after commit: 1 rotation, ${settled.byDialect.ciam.reuseDetected} reuse, ` +
      `${settled.byDialect.ciam.invalidGrant} invalid_grant, every tab signed out within ${spread} ms`,
  );
});
