// Finds a Chromium for Playwright: CHROMIUM_PATH, else /usr/bin/chromium, else Playwright's own.
// Playwright cannot download browsers on these machines; Debian's chromium package works.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export function findChromium() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  return undefined;
}

/** Installs Debian's chromium with apt when none is found and we run as root. */
export function ensureChromium() {
  const found = findChromium();
  if (found) return found;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    console.log('No Chromium found: installing Debian chromium with apt-get (root)…');
    execSync(
      'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium',
      {
        stdio: 'inherit',
      },
    );
    return findChromium();
  }
  console.warn('No Chromium found; Playwright will try its own browser (npx playwright install).');
  return undefined;
}
