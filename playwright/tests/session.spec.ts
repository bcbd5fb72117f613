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
  LEASE_MS,
  last,
  load,
  lockHolder,
  mock,
  nth,
  openTabs,
  outlastTimers,
  relative,
  report,
  revivedAfterSignOut,
  runSession,
  signIn,
  state,
  statusOf,
  TTL_MS,
  test,
  waitForGeneration,
} from './support.js';

/** How long the mock holds the refresh in flight at the sign-out. */
const HOLD_MS = 4000;

test('a new tab picks the session up from a live tab, with no request to the server', async ({
  context,
}) => {
  const tabs = await openTabs(context, 2, { dialect: 'ciam' });
  await signIn(nth(tabs, 0));
  await expectSignedIn(tabs);
  const started = Date.now();
  const page = await context.newPage();
  // The generation the tab holds the moment its manager is ready (a microtask after `ready`
  // resolves: no message can come in between), recorded as the demo installs its test hook.
  await page.addInitScript(() => {
    const outer = Object.getOwnPropertyDescriptor(window, '__baton');
    let hook: Window['__baton'];
    Object.defineProperty(window, '__baton', {
      configurable: true,
      get: () => (outer?.get ? outer.get.call(window) : hook),
      set(value: Window['__baton']) {
        if (outer?.set) outer.set.call(window, value);
        else hook = value;
        void value?.manager.ready.then(() => {
          document.documentElement.dataset.readyGeneration = String(
            value.manager.getSnapshot().generation,
          );
        });
      },
    });
  });
  const fresh = await load(page, { dialect: 'ciam' });
  await expect(statusOf(fresh)).toHaveText('valid');
  const onScreen = Date.now() - started;

  // Its first news is the session, from a live tab; it never signed in, and it started no
  // refresh before it held the session. (Later it may refresh like any tab: with 5-s tokens on
  // a loaded machine, its first API call can meet an expired token; the mock's count below
  // shows one refresh per generation all the same.)
  const seen = await events(fresh);
  expect(seen.map((e) => e.kind).slice(0, 2)).toEqual(['opened', 'tokens-adopted']);
  const adopted = seen[1];
  expect(adopted?.detail).toBe('tab');
  expect(seen.filter((e) => e.kind === 'signed-in')).toEqual([]);
  expect(
    seen.filter((e) => e.kind === 'refresh-start' && e.at <= (adopted?.at ?? Number.NaN)),
  ).toEqual([]);
  const createdAt = await fresh.evaluate(() => window.__baton?.createdAt ?? 0);
  const handOff = (adopted?.at ?? 0) - createdAt;
  expect(handOff).toBeGreaterThanOrEqual(0);
  // The hand-off is part of the start-up: the tab held the session when its manager was ready
  // (the core waits for the live tabs' answer, bounded by its own hand-off window). Its latency
  // is a figure (printed below; a 1-s bound on it failed at load 26 with 1761 ms).
  const atReady = await fresh.evaluate(() => document.documentElement.dataset.readyGeneration);
  expect(Number(atReady), 'the generation the tab held when it was ready').toBeGreaterThanOrEqual(
    adopted?.generation ?? Number.POSITIVE_INFINITY,
  );
  expect(await callApi(fresh)).toContain('ok');
  const all = [...tabs, fresh];
  const stats = await expectOneRefreshPerGeneration(all, 'ciam');
  // One sign-in, the live tabs' refreshes, and nothing else reached the token endpoint.
  expect(stats.tokenRequests).toBe(stats.signIns + stats.refreshes);
  report(
    `hand-off: the new tab had the session ${handOff} ms after its manager was created ` +
      `(${onScreen} ms from navigation to 'valid' on screen, page load included); ` +
      `no request from it for the session`,
  );
});

test('sign-out in one tab reaches every tab by message; a refresh in flight cannot revive it', async ({
  context,
}) => {
  const tabs = await openTabs(context, 6, { dialect: 'ciam' });
  await signIn(nth(tabs, 0));
  await expectSignedIn(tabs);
  // Hold the next refresh at the mock, so that it is in flight when the user signs out.
  await mock.faults({ route: 'token', grant: 'refresh_token', latencyMs: HOLD_MS, count: 1 });
  await faultsTaken(TTL_MS + 3000);
  const before = await mock.stats();
  const signer = nth(tabs, 5);
  const clicked = Date.now();
  await signer.getByTestId('sign-out').click();
  const clickDone = Date.now(); // Playwright's click round trip is not the tabs' time
  // Watched inside each page every 50 ms (expect's own polling backs off to 1 s steps, which
  // would measure its schedule rather than the tabs). How the news came is checked on the tabs'
  // events below; painting it can take long on a loaded machine (a CI run at load 8 took over
  // 1 s), so the screen gets 10 s and its time is printed.
  await Promise.all(
    tabs.map((tab) =>
      tab.waitForFunction(
        () =>
          document.querySelector('[data-testid="session-status"]')?.textContent === 'signed-out',
        undefined,
        { timeout: 10_000, polling: 50 },
      ),
    ),
  );
  const onScreen = Date.now() - clicked;
  const afterClick = Date.now() - clickDone;

  const mine = last(await events(signer), (e) => e.kind === 'signed-out');
  expect(mine?.detail).toBe('user');
  const others = await Promise.all(
    tabs.slice(0, 5).map(async (tab) => last(await events(tab), (e) => e.kind === 'signed-out')),
  );
  for (const other of others) expect(other?.detail).toBe('remote');
  // The signer posts before it ends its own session, so its event is a hair after the post.
  const propagation = Math.max(...others.map((e) => (e?.at ?? Number.NaN) - (mine?.at ?? 0)));
  // 'remote' says a tab's message brought it; the latency is a benchmark's figure (`pnpm bench
  // propagation`: sign-out to the last of 10 tabs p50 9.6 ms, bench/RESULTS.md §4), bounded here
  // only loosely, since a CI run at load 8 took 1045 ms against a 1-s bound.
  expect(propagation).toBeLessThan(HOLD_MS - 1000);

  // The held refresh was abandoned, not committed: the mock drops it when its hold ends.
  await expect
    .poll(async () => (await mock.stats()).droppedInFlight - before.droppedInFlight, {
      message: 'the held refresh, dropped',
      timeout: HOLD_MS + 5000,
    })
    .toBe(1);
  // And nothing came back: every timer a tab had armed (a refresh is due within a lifetime) has
  // fired in every tab by the end of this wait.
  await outlastTimers(tabs, TTL_MS);
  await expectStatus(tabs, 'signed-out');
  const after = await mock.stats();
  expect(after.refreshes - before.refreshes, 'refreshes after the sign-out').toBe(0);
  expect(after.tokenRequests - before.tokenRequests, 'token requests after the sign-out').toBe(0);
  expect(after.droppedInFlight - before.droppedInFlight, 'the held refresh, dropped').toBe(1);
  for (const tab of tabs) {
    // From the moment each tab learned of the sign-out. (A timer may start a refresh in the
    // milliseconds before the news arrives; it then sends nothing, as the mock's counts show.)
    expect(await revivedAfterSignOut(tab)).toEqual([]);
    expect((await state(tab)).status).toBe('signed-out');
  }
  expect(await callApi(nth(tabs, 0))).toContain('signed_out');
  report(
    `sign-out propagation: the last of 5 other tabs signed out ${relative(propagation)} the tab ` +
      `that clicked (events; it tells them first); all 6 showed ` +
      `'signed-out' ${afterClick} ms after the click returned (${onScreen} ms with the click's ` +
      `round trip); no refresh in the lifetime (${TTL_MS / 1000} s in every tab) after`,
  );
});

for (const lock of ['broadcast', 'web-locks'] as const) {
  test(`${lock}: the tab holding the lock closes mid-refresh; another finishes within the lease`, async ({
    context,
  }) => {
    const tabs = await openTabs(context, 4, { dialect: 'ciam', lock });
    await signIn(nth(tabs, 0));
    await expectSignedIn(tabs);
    // The next refresh hangs at the mock; a client that goes away meanwhile is dropped unprocessed.
    await mock.faults({ route: 'token', grant: 'refresh_token', latencyMs: 20_000, count: 1 });
    await faultsTaken(TTL_MS + 3000);
    // Read once the fault holds a refresh: a timer refresh may have come between sign-in and
    // arming it, and the hanging one is the refresh of the generation every tab holds now.
    const generation = await expectSameGeneration(tabs);
    const holder = await lockHolder(tabs);
    const closed = Date.now();
    await holder.close();
    const rest = tabs.filter((tab) => tab !== holder);

    await waitForGeneration(rest, generation + 1, LEASE_MS + 2000);
    const successes = (await Promise.all(rest.map(events)))
      .flat()
      .filter((e) => e.kind === 'refresh-success' && e.generation === generation + 1);
    expect(successes).toHaveLength(1);
    const takeOver = (successes[0]?.at ?? Number.NaN) - closed;
    expect(takeOver).toBeLessThan(LEASE_MS);

    for (const tab of rest) expect(await callApi(tab)).toContain('ok');
    const stats = await expectOneRefreshPerGeneration(rest, 'ciam');
    expect(stats.droppedInFlight, 'the closed tab’s request, never processed').toBe(1);
    report(`take-over (${lock}): ${takeOver} ms from closing the lock holder to the new tokens`);
  });
}

test('without navigator.locks, lock=auto falls back to the BroadcastChannel lock', async ({
  context,
}) => {
  await context.addInitScript(() => {
    Reflect.deleteProperty(Navigator.prototype, 'locks');
  });
  // Four page loads, 3 lifetimes of calls, then one call from every tab (as matrix.spec.ts).
  test.setTimeout(120_000);
  const tabs = await openTabs(context, 4, { dialect: 'ciam', lock: 'auto' });
  for (const tab of tabs) {
    expect(await tab.evaluate(() => 'locks' in navigator)).toBe(false);
    await expect(tab.getByTestId('lock-kind')).toHaveText('broadcast');
  }
  const run = await runSession(tabs, 'ciam');
  report(
    `no navigator.locks (auto → broadcast): ${run.refreshes} refreshes in ` +
      `${run.seconds.toFixed(1)} s = ${run.perLifetime.toFixed(2)} per lifetime, one per generation`,
  );
});

/** Emulates the page being hidden or shown: `document.visibilityState` and its event. */
async function setVisible(page: Page, visible: boolean): Promise<void> {
  await page.evaluate((shown) => {
    const value = shown ? 'visible' : 'hidden';
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => value });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => !shown });
    document.dispatchEvent(new Event('visibilitychange'));
  }, visible);
}

test('a hidden tab, frozen while others refresh, comes back on the newest generation', async ({
  context,
}) => {
  const tabs = await openTabs(context, 3, { dialect: 'ciam' });
  await signIn(nth(tabs, 0));
  await expectSignedIn(tabs);
  const hidden = nth(tabs, 2);
  const awake = tabs.slice(0, 2);
  const start = await expectSameGeneration(tabs);
  // Hidden (emulated: headless pages are always visible), then frozen the way Chrome freezes
  // background tabs: no timers, no tasks, no BroadcastChannel messages.
  await setVisible(hidden, false);
  const cdp = await context.newCDPSession(hidden);
  await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
  const newest = await waitForGeneration(awake, start + 2, 2 * TTL_MS + 3000);

  await cdp.send('Page.setWebLifecycleState', { state: 'active' });
  const resumed = Date.now();
  await setVisible(hidden, true);
  const caughtUp = await waitForGeneration([hidden], newest, 1000);
  const after = Date.now() - resumed;
  expect(caughtUp).toBeGreaterThanOrEqual(newest);
  await expect(statusOf(hidden)).toHaveText('valid');
  expect(await callApi(hidden)).toContain('ok');
  await expectOneRefreshPerGeneration(tabs, 'ciam');
  const back = (await events(hidden)).filter((e) => e.at >= resumed - 50);
  const how = back.map((e) => `${e.kind}${e.detail ? ` (${e.detail})` : ''}`).join(', ');
  report(
    `hidden + frozen tab: on generation ${newest} ${after} ms after it came back; its events: ${how}`,
  );
});
