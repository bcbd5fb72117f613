import { ACCESS_TTL } from './env.js';
import { DIALECTS, expect, openTabs, report, runSession, state, test } from './support.js';

/**
 * One refresh, every tab: for each endpoint and each lock, six tabs of one browser share a
 * session for several access-token lifetimes while the API is called from random tabs.
 */
for (const dialect of DIALECTS) {
  for (const lock of ['broadcast', 'web-locks'] as const) {
    test(`${dialect} + ${lock}: 6 tabs, one refresh per generation`, async ({ context }) => {
      // Six page loads, 3.2 lifetimes of calls, then one call from every tab.
      test.setTimeout(120_000);
      const tabs = await openTabs(context, 6, { dialect, lock });
      for (const tab of tabs) {
        await expect(tab.getByTestId('lock-kind')).toHaveText(lock);
        expect((await state(tab)).status).toBe('signed-out');
      }
      const run = await runSession(tabs, dialect);
      report(
        `${dialect} + ${lock}: ${run.refreshes} refreshes in ${run.seconds.toFixed(1)} s = ` +
          `${run.perLifetime.toFixed(2)} per ${ACCESS_TTL}-s lifetime (one per generation, ` +
          `generation ${run.generation}); ${run.calls} API calls from random tabs, all ok`,
      );
    });
  }
}
