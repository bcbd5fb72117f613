import { existsSync } from 'node:fs';
import type { LaunchOptions } from '@playwright/test';

/** Access-token lifetime the mock runs with in these tests (seconds): several lifetimes a test. */
export const ACCESS_TTL = 5;

/**
 * Access-token lifetime of the OpenID provider `pnpm demo` starts beside the mock (oidc.spec.ts),
 * in seconds: short, so that one test sees several.
 */
export const OIDC_ACCESS_TTL = 5;

/** Chromium: CHROMIUM_PATH, else Debian's /usr/bin/chromium, else Playwright's own. */
const executablePath =
  process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export const launchOptions: LaunchOptions = {
  ...(executablePath ? { executablePath } : {}),
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};

/** The mock server's own address (the tests reset it and read its stats there directly). */
export const mockUrl = (): string => `http://127.0.0.1:${process.env.BATON_E2E_MOCK_PORT}`;

/** The OpenID provider's issuer (`?dialect=oidc`): its discovery, token and test routes. */
export const oidcUrl = (): string => `http://127.0.0.1:${process.env.BATON_E2E_OIDC_PORT}`;
