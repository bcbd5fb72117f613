#!/usr/bin/env node
// `pnpm demo`: the mock server and the Vite demo app together, on 127.0.0.1. Ctrl-C stops both.
// MOCK_PORT (4010) and DEMO_PORT (5173) set the ports; ACCESS_TTL, REFRESH_TTL and REUSE_GRACE
// pass through to the mock.
import { spawn } from 'node:child_process';

const mockPort = process.env.MOCK_PORT ?? '4010';
const demoPort = process.env.DEMO_PORT ?? '5173';
const env = { ...process.env, MOCK_PORT: mockPort, DEMO_PORT: demoPort };
const children = [
  spawn('pnpm', ['--filter', '@baton/mock-server', 'start'], {
    stdio: 'inherit',
    env: { ...env, PORT: mockPort },
  }),
  spawn('pnpm', ['--filter', '@baton/demo', 'dev'], { stdio: 'inherit', env }),
];

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}
for (const child of children) child.on('exit', (code) => stop(code ?? 0));
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
