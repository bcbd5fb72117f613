import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import {
  callApi,
  expect,
  expectSignedIn,
  nth,
  openTabs,
  report,
  signIn,
  TTL_MS,
  test,
} from './support.js';

/** Where the pictures go (git-ignored): look at them after a layout change. */
const folder = fileURLToPath(new URL('../screenshots/', import.meta.url));

/** Nothing sticks out sideways: the page fits its viewport's width. */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(client);
}

for (const [name, viewport] of [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 390, height: 844 }],
] as const) {
  test.describe(name, () => {
    test.use({ viewport, ...(name === 'phone' ? { isMobile: true, hasTouch: true } : {}) });

    test(`the demo at ${viewport.width}×${viewport.height}, three tabs after a few refreshes`, async ({
      context,
    }) => {
      const tabs = await openTabs(context, 3, { dialect: 'ciam' });
      const page = nth(tabs, 0);
      await expect(page.getByTestId('session-status')).toHaveText('signed-out');
      await expectNoSidewaysScroll(page);
      await page.screenshot({ path: `${folder}${name}-signed-out.png`, fullPage: true });

      await signIn(page);
      await expectSignedIn(tabs);
      // A lifetime and a half of calls from every tab, so that the timeline has refreshes to show.
      const until = Date.now() + 1.5 * TTL_MS;
      for (let i = 0; Date.now() < until; i++)
        expect(await callApi(nth(tabs, i % 3))).toContain('ok');
      await expect(page.getByTestId('timeline-lane')).toHaveCount(3);
      await expect(page.getByTestId('claims')).toContainText('alice');
      await expect(page.getByTestId('query-result')).toContainText('ok');
      await expectNoSidewaysScroll(page);
      await page.screenshot({ path: `${folder}${name}.png`, fullPage: true });
      await page.getByTestId('timeline').screenshot({ path: `${folder}${name}-timeline.png` });
      report(`screenshots: playwright/screenshots/${name}{,-signed-out,-timeline}.png`);
    });
  });
}
