import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { connectMockServer } from '../src/index.js';

/** The README's Playwright `webServer.wait`: its named group becomes an environment variable. */
const WAIT = /listening on (?<vite_baton_mock_url>http:\/\/\S+)/;

/** Runs the command with this environment until it prints its URL; then `use`, then SIGTERM. */
async function withCli(
  env: Record<string, string>,
  use: (url: string, out: string) => Promise<void>,
): Promise<ChildProcessByStdio<null, Readable, null>> {
  const cli = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, PORT: '0', MOCK_LOG: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let out = '';
    cli.stdout.setEncoding('utf8');
    const url = await new Promise<string>((resolve, reject) => {
      cli.stdout.on('data', (chunk: string) => {
        out += chunk;
        const found = WAIT.exec(out)?.groups?.vite_baton_mock_url;
        if (found) resolve(found);
      });
      cli.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${out}`)));
    });
    await use(url, out);
  } finally {
    cli.kill('SIGTERM');
    if (cli.exitCode === null) await once(cli, 'exit');
  }
  return cli;
}

it('the command starts on a free port with PORT=0 and prints the URL Playwright waits for', async () => {
  const cli = await withCli({ ACCESS_TTL: '60', REUSE_GRACE: '2' }, async (url, out) => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toBe('http://127.0.0.1:4010');
    expect(out).toContain('ACCESS_TTL=60s REFRESH_TTL=86400s REUSE_GRACE=2s\n');
    const stats = await connectMockServer(url).stats();
    expect(stats.tokenRequests).toBe(0);
  });
  expect(cli.exitCode).toBe(0);
});

it('DPOP=required DPOP_NONCE=1 turns DPoP on, with nonces', async () => {
  await withCli({ DPOP: 'required', DPOP_NONCE: '1' }, async (url, out) => {
    expect(out).toContain('REUSE_GRACE=0s DPOP=required DPOP_NONCE=1\n');
    const discovery = await fetch(`${url}/.well-known/openid-configuration`);
    expect(await discovery.json()).toHaveProperty('dpop_signing_alg_values_supported', ['ES256']);
    const token = await fetch(`${url}/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&client_id=TENANT_CLIENT_ID&client_secret=TENANT_CLIENT_SECRET&username=alice&password=alice-password',
    });
    expect([token.status, await token.json()]).toEqual([
      400,
      { error: 'invalid_dpop_proof', error_description: 'DPoP proof required' },
    ]);
    expect(token.headers.get('dpop-nonce')).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
