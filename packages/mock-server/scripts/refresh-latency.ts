/**
 * Measures one refresh request over real HTTP: N sequential rotations per dialect, each with the
 * refresh token the previous one returned. `tsx scripts/refresh-latency.ts [N]`; set MOCK_URL to
 * measure a running server (e.g. `pnpm mock`), else one is started in this process.
 */
import { DEMO_CLIENTS, DIALECTS, type DialectName, startMockServer } from '../src/index.js';

const runs = Number(process.argv[2] ?? 200);
const own = process.env.MOCK_URL ? undefined : await startMockServer();
const base = process.env.MOCK_URL ?? own?.url ?? '';

function request(dialect: DialectName, params: Record<string, string>): Promise<Response> {
  const c = DEMO_CLIENTS[dialect];
  const all = new URLSearchParams({
    client_id: c.clientId,
    client_secret: c.clientSecret,
    ...params,
  });
  return c.paramsIn === 'form'
    ? fetch(base + c.path, {
        method: c.method,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: all.toString(),
      })
    : fetch(`${base}${c.path}?${all}`, { method: c.method });
}

async function refreshTokenOf(dialect: DialectName, response: Response): Promise<string> {
  const body = (await response.json()) as Record<string, unknown> & {
    result?: { refresh_token: string };
  };
  const token = dialect === 'uaa' ? body.result?.refresh_token : body.refresh_token;
  if (response.status !== 200 || typeof token !== 'string')
    throw new Error(`${dialect}: ${response.status}`);
  return token;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

for (const dialect of DIALECTS) {
  let token = await refreshTokenOf(
    dialect,
    await request(dialect, {
      grant_type: 'password',
      username: 'alice',
      password: 'alice-password',
    }),
  );
  const times: number[] = [];
  for (let i = 0; i < runs + 20; i++) {
    const started = performance.now();
    const response = await request(dialect, { grant_type: 'refresh_token', refresh_token: token });
    token = await refreshTokenOf(dialect, response);
    if (i >= 20) times.push(performance.now() - started); // the first 20 warm up JIT and sockets
  }
  times.sort((a, b) => a - b);
  console.log(
    `${dialect.padEnd(9)} n=${runs}  median ${quantile(times, 0.5).toFixed(2)} ms  p95 ${quantile(times, 0.95).toFixed(2)} ms  min ${(times[0] ?? NaN).toFixed(2)} ms`,
  );
}
await own?.close();
