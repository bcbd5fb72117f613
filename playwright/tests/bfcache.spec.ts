import type { CDPSession, Page } from '@playwright/test';
import { WAKE_THROTTLE_MS } from '../../packages/core/src/wakeSources.js';
import { launchOptions } from './env.js';
import {
  callApi,
  events,
  expect,
  expectOneRefreshPerGeneration,
  expectSignedIn,
  faultsTaken,
  last,
  mock,
  nth,
  openTabs,
  report,
  signIn,
  sleep,
  state,
  TTL_MS,
  test,
  waitForGeneration,
} from './support.js';

// Playwright turns the back/forward cache off by default; these tests need it.
test.use({
  launchOptions: { ...launchOptions, ignoreDefaultArgs: ['--disable-back-forward-cache'] },
});

/** Why Chromium did not restore the page from the cache, as it reports it (CDP). */
async function watchRestores(cdp: CDPSession): Promise<string[]> {
  const reasons: string[] = [];
  await cdp.send('Page.enable');
  cdp.on('Page.backForwardCacheNotUsed', (event) => {
    for (const why of event.notRestoredExplanations) reasons.push(why.reason);
  });
  return reasons;
}

const pageLoad = (page: Page) =>
  page.evaluate(() => ({
    createdAt: window.__baton?.createdAt ?? 0,
    pageshows: [...(window.__baton?.pageshows ?? [])],
  }));

test('a tab restored from the back/forward cache wakes up and takes the newest generation', async ({
  context,
}) => {
  const tabs = await openTabs(context, 2, { dialect: 'ciam' });
  const [stay, away] = [nth(tabs, 0), nth(tabs, 1)];
  await signIn(stay);
  await expectSignedIn(tabs);
  const reasons = await watchRestores(await context.newCDPSession(away));

  /** Away and back while the next refresh is held (why Chromium did not cache it: `reasons`). */
  async function awayAndBack() {
    // Any BroadcastChannel message to a cached page evicts it (next test). So the next refresh is
    // held at the mock while one tab is away: no tab has news to post until it is back.
    await mock.faults({ route: 'token', grant: 'refresh_token', latencyMs: 8000, count: 1 });
    await faultsTaken(TTL_MS + 3000);
    const generation = (await state(stay)).generation;
    const loadBefore = await pageLoad(away);
    // The core takes one wake-up a second (wakeSources.ts): the restore's must not fall within a
    // second of the tab's last one, or it would be swallowed and the check below would fail.
    const lastWake = last(await events(away), (e) => e.kind === 'wake')?.at ?? 0;
    reasons.length = 0;
    await away.goto('/away.html');
    await expect(away.getByTestId('away')).toBeVisible();
    // A pure time window: the throttle is the page's clock against its last wake-up; no event
    // says it has passed. Usually already over (the tab woke, if at all, when it loaded).
    const throttled = lastWake + WAKE_THROTTLE_MS - Date.now();
    if (throttled > 0) await sleep(throttled);
    const back = Date.now();
    // A page restored from the cache fires no `load`: wait for the commit only.
    await away.goBack({ waitUntil: 'commit' });
    await expect(away.getByTestId('session-status')).not.toHaveText('signed-out');
    return { generation, loadBefore, back, restored: await pageLoad(away) };
  }

  let run = await awayAndBack();
  // Chromium may decline to cache a page for reasons of its own (seen on a loaded machine:
  // 'JavaScriptExecution'). One more attempt, once the held refresh has landed; a second refusal
  // fails the test.
  if (reasons.length > 0) {
    report(`back/forward cache: not restored at the first attempt (${reasons.join(', ')}); again`);
    await waitForGeneration(tabs, run.generation + 1, 10_000 + TTL_MS);
    run = await awayAndBack();
  }
  const { generation, loadBefore, back, restored } = run;
  expect(reasons, 'reasons the page was not restored from the cache').toEqual([]);
  expect(restored.createdAt, 'the same page load, restored').toBe(loadBefore.createdAt);
  expect(restored.pageshows.at(-1)?.persisted).toBe(true);
  // A restored page asks the live tabs for the newest session before it trusts its own (woken by
  // `pageshow` or by `visibilitychange`, whichever comes first: the core takes one a second).
  const wakeAfterBack = async () =>
    (await events(away)).find((e) => e.at >= back && e.kind === 'wake');
  await expect.poll(wakeAfterBack).toBeDefined();
  const woke = await wakeAfterBack();
  expect(['pageshow', 'visible']).toContain(woke?.detail);

  // The held refresh lands: the restored tab takes the new generation like any live tab.
  const newest = await waitForGeneration(tabs, generation + 1, 10_000);
  await expectSignedIn(tabs);
  expect(await callApi(away)).toContain('ok');
  await expectOneRefreshPerGeneration(tabs, 'ciam');
  report(
    `back/forward cache: restored (pageshow.persisted = true, same page load), woke on ` +
      `'${woke?.detail}', then took generation ${newest} from the live tab`,
  );
});

test('a cached tab evicted by a BroadcastChannel message reloads and picks the session up', async ({
  context,
}) => {
  const tabs = await openTabs(context, 2, { dialect: 'ciam' });
  const [stay, away] = [nth(tabs, 0), nth(tabs, 1)];
  await signIn(stay);
  await expectSignedIn(tabs);
  const reasons = await watchRestores(await context.newCDPSession(away));
  const loadBefore = await pageLoad(away);
  const start = (await state(stay)).generation;
  await away.goto('/away.html');
  // The tab that stayed refreshes meanwhile and tells the others: Chromium evicts the cached page.
  const newest = await waitForGeneration([stay], start + 1, TTL_MS + 3000);
  await away.goBack({ waitUntil: 'commit' });
  await expect(away.getByTestId('session-status')).toHaveText('valid');
  const reloaded = await pageLoad(away);

  // Chromium names the cause (BroadcastChannelOnMessage, or JavaScriptExecution when the message
  // handler was about to run): either way the page was not restored.
  expect(reasons.length).toBeGreaterThan(0);
  expect(reloaded.createdAt).toBeGreaterThan(loadBefore.createdAt);
  expect(reloaded.pageshows.at(-1)?.persisted).toBe(false);
  expect((await state(away)).generation).toBeGreaterThanOrEqual(newest);
  // The reloaded tab got the session from the live one: its first news, no request of its own.
  const seen = await events(away);
  expect(seen.map((e) => e.kind).slice(0, 2)).toEqual(['opened', 'tokens-adopted']);
  const adopted = seen[1];
  expect(adopted?.detail).toBe('tab');
  expect(await callApi(away)).toContain('ok');
  await expectOneRefreshPerGeneration(tabs, 'ciam');
  report(
    `back/forward cache, evicted (${reasons.join(', ')}): reloaded and took the session from ` +
      `the live tab in ${(adopted?.at ?? 0) - reloaded.createdAt} ms`,
  );
});
