import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, CIAM, mockServer } from './support.js';

const mock = mockServer();
beforeAll(() => mock.start());
afterAll(() => mock.stop());

const src = (path: string) => new URL(`../src/${path}`, import.meta.url).href;

/**
 * A Node program that signs in, refreshes once and leaves without `destroy()`: the session's
 * refresh timer, its BroadcastChannel and the BroadcastChannel lock's chunk are all still there.
 */
const program = `
import { createTokenManager } from ${JSON.stringify(src('index.ts'))};
import { ciam } from ${JSON.stringify(src('entries/dialects.ts'))};
import { signInWithPassword } from ${JSON.stringify(src('entries/password.ts'))};
const manager = createTokenManager({
  dialect: ciam({ tokenUrl: process.env.TOKEN_URL, ...JSON.parse(process.env.CIAM) }),
  lock: 'broadcast',
});
await manager.ready;
await signInWithPassword(manager, JSON.parse(process.env.ALICE));
await manager.refresh();
console.log(manager.getSnapshot().status, manager.getSnapshot().generation);
`;

/** Runs `program` in a child Node; resolves with its exit code and output, or kills it after `ms`. */
function run(ms: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: {
      ...process.env,
      TOKEN_URL: `${mock.server.url}/oauth2/token`,
      CIAM: JSON.stringify(CIAM),
      ALICE: JSON.stringify(ALICE),
    },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), ms);
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, output });
    }),
  );
}

describe('in Node', () => {
  it('a manager with a live session does not keep the process alive (no destroy() needed)', async () => {
    // The session's timer is due in minutes: a process it kept alive is killed after 15 s.
    const { code, output } = await run(15_000);
    expect(output).toContain('valid 2');
    expect(code, `the child had to be killed:\n${output}`).toBe(0);
  });
});
