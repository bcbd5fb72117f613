import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { connectMockServer } from '../src/index.js';

/** The README's Playwright `webServer.wait`: its named group becomes an environment variable. */
const WAIT = /listening on (?<vite_baton_mock_url>http:\/\/\S+)/;

it('the command starts on a free port with PORT=0 and prints the URL Playwright waits for', async () => {
  const cli = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, PORT: '0', ACCESS_TTL: '60', REUSE_GRACE: '2', MOCK_LOG: '0' },
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
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toBe('http://127.0.0.1:4010');
    expect(out).toContain('ACCESS_TTL=60s REFRESH_TTL=86400s REUSE_GRACE=2s');
    const stats = await connectMockServer(url).stats();
    expect(stats.tokenRequests).toBe(0);
  } finally {
    cli.kill('SIGTERM');
    if (cli.exitCode === null) await once(cli, 'exit');
  }
  expect(cli.exitCode).toBe(0);
});
