#!/usr/bin/env node
import { DEMO_CLIENTS, DEMO_USERS, DIALECTS, type DialectName, isDialectName } from './clients.js';
import type { DpopMode } from './dpop.js';
import { startMockServer } from './server.js';

/** `pnpm mock`: the mock on 127.0.0.1:4010, settings from the environment (see README). */

function envNumber(name: string, fallback: number | undefined): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    console.error(`[mock-server] ${name} must be a number, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

function envDialects(name: string): DialectName[] {
  const raw = process.env[name] ?? '';
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = names.filter((n) => !isDialectName(n));
  if (bad.length > 0) {
    console.error(`[mock-server] ${name}: unknown dialect(s) ${bad.join(', ')}`);
    process.exit(2);
  }
  return names.filter(isDialectName);
}

/** `DPOP=off|optional|required` (default off). */
function envDpop(): DpopMode {
  const raw = (process.env.DPOP ?? '').trim() || 'off';
  if (raw === 'off' || raw === 'optional' || raw === 'required') return raw;
  console.error(`[mock-server] DPOP must be off, optional or required, got ${JSON.stringify(raw)}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const proxiedRoutes = envDialects('PROXIED_ROUTES');
  const dpop = envDpop();
  const dpopNonce = process.env.DPOP_NONCE === '1';
  const server = await startMockServer({
    port: envNumber('PORT', 4010),
    host: process.env.HOST || '127.0.0.1',
    accessTtl: envNumber('ACCESS_TTL', undefined),
    refreshTtl: envNumber('REFRESH_TTL', undefined),
    reuseGrace: envNumber('REUSE_GRACE', undefined),
    proxiedRoutes,
    dpop,
    dpopNonce,
    log: process.env.MOCK_LOG !== '0',
  });

  const lines = [
    `Baton mock OAuth server listening on ${server.url}`,
    `  ACCESS_TTL=${envNumber('ACCESS_TTL', 300)}s REFRESH_TTL=${envNumber('REFRESH_TTL', 86_400)}s REUSE_GRACE=${envNumber('REUSE_GRACE', 0)}s` +
      (proxiedRoutes.length > 0 ? ` PROXIED_ROUTES=${proxiedRoutes.join(',')}` : '') +
      (dpop !== 'off' ? ` DPOP=${dpop}${dpopNonce ? ' DPOP_NONCE=1' : ''}` : ''),
    '',
    'Demo clients (demo data; the mock accepts exactly these):',
    ...DIALECTS.map((d) => {
      const c = DEMO_CLIENTS[d];
      return `  ${d.padEnd(9)} ${c.method.padEnd(4)} ${(server.url + c.path).padEnd(48)} params in ${c.paramsIn.padEnd(5)}  client_id=${c.clientId}  client_secret=${c.clientSecret}`;
    }),
    '',
    'Demo users:',
    ...DEMO_USERS.map((u) => `  ${u.username} / ${u.password}`),
    '',
    `Protected resource: GET ${server.url}/api/me`,
    `Test hooks: GET ${server.url}/__mock/stats, POST ${server.url}/__mock/reset, GET|POST|DELETE ${server.url}/__mock/faults`,
    '',
  ];
  console.log(lines.join('\n'));

  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error('[mock-server] failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
