#!/usr/bin/env node
// `pnpm demo`: the mock server, a real OpenID provider and the Vite demo app together, on
// 127.0.0.1. Ctrl-C stops them all. MOCK_PORT (4010), OIDC_PORT (4020) and DEMO_PORT (5173) set
// the ports; ACCESS_TTL, REFRESH_TTL and REUSE_GRACE pass through to the mock. It opens no browser.
//
// The provider (@baton/oidc-test-provider: panva's oidc-provider, for `?dialect=oidc`) has the
// demo's page as its one public client's redirect and post-logout URIs (`/?dialect=oidc`, with
// `&lock=broadcast` or `&lock=web-locks`, each also with `&dpop=1`: it matches them exactly,
// query included). Its own lifetimes: OIDC_ACCESS_TTL and OIDC_REFRESH_TTL (seconds; default the
// provider's, 8 and 3600), so that the mock's ACCESS_TTL never changes it.
//
// DPoP (the demo's `&dpop=1`): the mock runs with DPOP=optional and DPOP_NONCE=1 unless DPOP or
// DPOP_NONCE say otherwise (`off` turns it off): a CIAM token request with a proof gets bound
// tokens, one without gets bearer ones, so the other pages are unchanged. The provider runs with
// DPoP on (OIDC_DPOP=0 turns it off): oidc-provider binds the tokens of a request that carries a
// proof and gives bearer ones to a request without, so `?dialect=oidc` alone is unchanged too.
//
// DEMO_PREVIEW=1 (the end-to-end tests) serves a production build of the app instead of the dev
// server (`vite build`, then `vite preview` with the same proxy): a fraction of the CPU per tab,
// which matters with many tabs on a small machine, and no reloads when a package is edited.
import { execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';

const mockPort = process.env.MOCK_PORT ?? '4010';
const demoPort = process.env.DEMO_PORT ?? '5173';
const oidcPort = process.env.OIDC_PORT ?? '4020';
const env = { ...process.env, MOCK_PORT: mockPort, DEMO_PORT: demoPort, OIDC_PORT: oidcPort };
const isWindows = process.platform === 'win32';

/** The demo's URLs for `?dialect=oidc` (apps/demo/src/settings.ts, `redirectUri`). */
const demoPages = ['', '&lock=broadcast', '&lock=web-locks'].flatMap((lock) =>
  ['', '&dpop=1'].map((dpop) => `http://127.0.0.1:${demoPort}/?dialect=oidc${lock}${dpop}`),
);
/** The provider's environment: its own lifetimes, never the mock's. */
function providerEnv() {
  const { ACCESS_TTL, REFRESH_TTL, OIDC_ACCESS_TTL, OIDC_REFRESH_TTL, DPOP, DPOP_NONCE, ...rest } =
    env;
  return {
    ...rest,
    DPOP: env.OIDC_DPOP === '0' ? '0' : '1',
    ...(OIDC_ACCESS_TTL && { ACCESS_TTL: OIDC_ACCESS_TTL }),
    ...(OIDC_REFRESH_TTL && { REFRESH_TTL: OIDC_REFRESH_TTL }),
    CLIENT_ID: 'baton-spa',
    REDIRECT_URIS: demoPages.join(','),
    POST_LOGOUT_REDIRECT_URIS: demoPages.join(','),
  };
}

let stopping = false;
const start = (args, childEnv) =>
  spawn('pnpm', args, { stdio: 'inherit', env: childEnv, shell: isWindows });
/** Resolves once something listens on 127.0.0.1:port (checked every 100 ms, for up to 60 s). */
function listening(port) {
  const deadline = Date.now() + 60_000;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect({ host: '127.0.0.1', port: Number(port) });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (stopping) return;
        if (Date.now() > deadline) reject(new Error(`nothing listens on 127.0.0.1:${port}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/**
 * Resolves once `url` answers 200 (every 100 ms, for up to 60 s): the provider listens before it
 * is ready (it answers 503 while it makes its signing key).
 */
async function answering(url) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (stopping) return;
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const children = [
  start(['--filter', '@baton/mock-server', 'start'], {
    ...env,
    PORT: mockPort,
    HOST: '127.0.0.1',
    DPOP: env.DPOP ?? 'optional',
    DPOP_NONCE: env.DPOP_NONCE ?? '1',
  }),
  start(['--filter', '@baton/oidc-test-provider', 'start'], providerEnv()),
];
// The app only once the mock and the provider answer, so that neither its proxy nor a test meets
// a closed port at start.
Promise.all([
  listening(mockPort),
  answering(`http://127.0.0.1:${oidcPort}/.well-known/openid-configuration`),
]).then(
  () => {
    if (stopping) return;
    if (process.env.DEMO_PREVIEW === '1') preview();
    else serve(['--filter', '@baton/demo', 'dev']);
  },
  (error) => {
    console.error(`pnpm demo: ${error.message}`);
    stop(1);
  },
);

function serve(args) {
  const app = start(args, env);
  children.push(app);
  app.on('exit', (code) => stop(code ?? 0));
  console.log(
    `Baton demo: http://127.0.0.1:${demoPort}/ (mock server on 127.0.0.1:${mockPort}, ` +
      `OpenID provider on 127.0.0.1:${oidcPort} for ?dialect=oidc)`,
  );
}

/**
 * Builds into a folder of this port's own (two suites may build at once), then serves it. The
 * folder goes when this script exits, so that runs on new ports do not pile up builds.
 */
function preview() {
  const outDir = `node_modules/.cache/baton-demo-${demoPort}`;
  const built = new URL(`../apps/demo/${outDir}`, import.meta.url);
  process.on('exit', () => rmSync(built, { recursive: true, force: true }));
  const vite = ['--filter', '@baton/demo', 'exec', 'vite'];
  const build = start(
    [...vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    env,
  );
  children.push(build);
  build.on('exit', (code) => {
    if (stopping) return;
    if (code !== 0) return stop(code ?? 1);
    serve([...vite, 'preview', '--outDir', outDir]);
  });
}

/**
 * A child and everything under it (pnpm runs the servers as grandchildren: stopping pnpm alone
 * would leave them running and holding the ports).
 */
function tree(root) {
  let rows;
  try {
    rows = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/).map(Number));
  } catch {
    return [root];
  }
  const found = [root];
  for (let i = 0; i < found.length; i++)
    for (const [pid, ppid] of rows) if (ppid === found[i]) found.push(pid);
  return found;
}

function signal(pids, name) {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  }
}

function stop(code) {
  if (stopping) return;
  stopping = true;
  const live = children.filter((c) => c.exitCode === null && c.signalCode === null);
  if (isWindows) {
    for (const child of live) spawn('taskkill', ['/pid', String(child.pid), '/T', '/F']);
  }
  const pids = isWindows ? [] : live.flatMap((child) => tree(child.pid));
  signal(pids, 'SIGTERM');
  // Whatever ignores SIGTERM gets SIGKILL.
  setTimeout(() => {
    signal(pids, 'SIGKILL');
    process.exit(code);
  }, 3000).unref();
  let running = live.length;
  if (running === 0) process.exit(code);
  for (const child of live)
    child.once('exit', () => {
      running -= 1;
      if (running === 0) setTimeout(() => process.exit(code), 200);
    });
}
for (const child of children) child.on('exit', (code) => stop(code ?? 0));
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
process.on('SIGHUP', () => stop(0));
