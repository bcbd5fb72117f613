import { ACCESS_TTL } from './env.js';
import {
  DIALECTS,
  type DialectName,
  expect,
  type LockName,
  openTabs,
  report,
  runSession,
  state,
  test,
} from './support.js';

/**
 * One refresh, every tab: six tabs of one browser share a session for two access-token
 * lifetimes while the API is called from random tabs. Every endpoint runs once and each lock
 * twice: the dialect shapes the requests (its Node tests run each against the mock), the lock
 * coordinates the tabs, and neither knows of the other, so the full cross-product (8 runs, a
 * quarter of the suite's time) would repeat itself. redirect.spec.ts signs in with the other
 * four pairs.
 */
const PAIRS: readonly (readonly [DialectName, Exclude<LockName, 'auto'>])[] = [
  ['ciam', 'broadcast'],
  ['eiam', 'web-locks'],
  ['uaa', 'broadcast'],
  ['chatroom', 'web-locks'],
];
const missing = DIALECTS.filter((dialect) => !PAIRS.some(([d]) => d === dialect));
if (missing.length > 0) throw new Error(`matrix.spec.ts: no run for ${missing.join(', ')}`);

for (const [dialect, lock] of PAIRS) {
  test(`${dialect} + ${lock}: 6 tabs, one refresh per generation`, async ({ context }) => {
    // Six page loads, two lifetimes of calls (each pair sees a refresh adopted by five tabs, then
    // another), then one call from every tab.
    test.setTimeout(120_000);
    const tabs = await openTabs(context, 6, { dialect, lock });
    for (const tab of tabs) {
      await expect(tab.getByTestId('lock-kind')).toHaveText(lock);
      expect((await state(tab)).status).toBe('signed-out');
    }
    const run = await runSession(tabs, dialect, { lifetimes: 2 });
    report(
      `${dialect} + ${lock}: ${run.refreshes} refreshes in ${run.seconds.toFixed(1)} s = ` +
        `${run.perLifetime.toFixed(2)} per ${ACCESS_TTL}-s lifetime (one per generation, ` +
        `generation ${run.generation}); ${run.calls} API calls from random tabs, all ok`,
    );
  });
}
