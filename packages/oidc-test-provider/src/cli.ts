#!/usr/bin/env node
import { startOidcProvider } from './provider.js';

/**
 * `pnpm --filter @baton/oidc-test-provider start`: the provider on 127.0.0.1:4020 (OIDC_PORT),
 * for the demo and for Playwright's webServer. Prints the issuer, alone on one line, on stdout.
 * Environment: OIDC_PORT, ACCESS_TTL, REFRESH_TTL (seconds), CLIENT_ID, REDIRECT_URIS and
 * POST_LOGOUT_REDIRECT_URIS (comma-separated), DPOP=1.
 */

function fail(message: string): never {
  console.error(`[oidc-test-provider] ${message}`);
  process.exit(2);
}

function envNumber(name: string): number | undefined {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    fail(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function envList(name: string): string[] | undefined {
  const list = (process.env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return list.length > 0 ? list : undefined;
}

async function main(): Promise<void> {
  const accessTtl = envNumber('ACCESS_TTL');
  const refreshTtl = envNumber('REFRESH_TTL');
  const clientId = process.env.CLIENT_ID?.trim();
  const redirectUris = envList('REDIRECT_URIS');
  const postLogoutRedirectUris = envList('POST_LOGOUT_REDIRECT_URIS');
  const provider = await startOidcProvider({
    port: envNumber('OIDC_PORT') ?? 4020,
    ...(accessTtl !== undefined && { accessTtl }),
    ...(refreshTtl !== undefined && { refreshTtl }),
    ...(clientId && { clientId }),
    ...(redirectUris && { redirectUris }),
    ...(postLogoutRedirectUris && { postLogoutRedirectUris }),
    dpop: process.env.DPOP === '1',
  });
  console.log(provider.issuer);

  const stop = (): void => {
    void provider.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(
    '[oidc-test-provider] failed to start:',
    error instanceof Error ? error.message : error,
  );
  process.exit(1);
});
