import {
  events,
  expect,
  expectOneRefreshPerGeneration,
  expectSameGeneration,
  expectSignedIn,
  load,
  lockHolder,
  mock,
  nth,
  openTabs,
  report,
  signIn,
  state,
  test,
} from './support.js';

/** How late the slow tab hears the channel: far past the core's 100-ms question to the others. */
const CHANNEL_LAG_MS = 400;

/**
 * "A lock is not a memory barrier" (docs/cross-tab.md): the tab that gets the refresh lock right
 * after another tab's refresh may not have that tab's new tokens yet. Here the second tab hears
 * the channel 400 ms late, as a busy renderer would; before the generation locks, it asked the
 * others, waited 100 ms, heard nothing and spent the rotated refresh token: `invalid_grant`, and
 * with no reuse grace the provider revokes the session of every tab.
 */
for (const lock of ['web-locks', 'broadcast'] as const) {
  test(`${lock}: the next lock holder waits for the generation a live tab holds; no refresh token is spent twice`, async ({
    context,
  }) => {
    const first = nth(await openTabs(context, 1, { dialect: 'ciam', lock }), 0);
    const slow = await context.newPage();
    await slow.addInitScript((lagMs) => {
      const Real = window.BroadcastChannel;
      window.BroadcastChannel = class extends Real {
        override set onmessage(handler: ((event: MessageEvent) => void) | null) {
          super.onmessage =
            handler && ((event) => setTimeout(() => handler.call(this, event), lagMs));
        }
        override get onmessage() {
          return super.onmessage;
        }
      };
    }, CHANNEL_LAG_MS);
    await load(slow, { dialect: 'ciam', lock });
    const tabs = [first, slow];
    await signIn(first);
    await expectSignedIn(tabs);
    // A fresh token first: its timer refresh is then a lifetime's two thirds away, not racing the
    // refresh this test arms (on a busy machine the set-up alone can outlast the sign-in's).
    await first.evaluate(() => window.__baton?.manager.refresh());
    const generation = await expectSameGeneration(tabs);
    const before = await mock.stats();

    // The first tab's refresh takes 3 s at the mock; the slow tab asks while it holds the lock.
    // (300 ms was not enough on a loaded machine: the poll for the holder and the slow tab's
    // call took longer, and the slow tab then refreshed the new generation, rightly.)
    await mock.faults({ route: 'token', grant: 'refresh_token', latencyMs: 3000, count: 1 });
    const refreshing = first.evaluate(() => window.__baton?.manager.refresh().then(() => 'ok'));
    await expect
      .poll(() =>
        lockHolder([first]).then(
          (holder) => holder === first,
          () => false,
        ),
      )
      .toBe(true);
    const waiting = slow.evaluate(() => {
      const manager = window.__baton?.manager;
      const stale = manager?.getSnapshot().accessToken;
      return manager
        ?.refresh(stale === undefined ? {} : { staleAccessToken: stale })
        .then(() => 'ok');
    });
    expect(await refreshing).toBe('ok');
    expect(await waiting).toBe('ok');

    const slowEvents = await events(slow);
    expect(slowEvents.map((e) => e.kind)).toContain('refresh-skipped');
    expect(slowEvents.filter((e) => e.kind === 'refresh-failure')).toEqual([]);
    expect((await state(slow)).generation).toBe(generation + 1);
    const after = await mock.stats();
    expect(after.refreshes - before.refreshes, 'refresh requests').toBe(1);
    expect(after.invalidGrant - before.invalidGrant, 'refused refreshes').toBe(0);
    expect(after.reuseDetected - before.reuseDetected, 'a refresh token spent twice').toBe(0);
    await expectOneRefreshPerGeneration(tabs, 'ciam');
    report(
      `barrier (${lock}): the slow tab (channel ${CHANNEL_LAG_MS} ms late) adopted generation ` +
        `${generation + 1} after the lock; 1 refresh request, 0 refused`,
    );
  });
}
