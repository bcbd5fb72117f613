import { writeFileSync } from 'node:fs';
import { type BrowserContext, test as base, expect, type Page } from '@playwright/test';
import { DEFAULT_LEASE_MS } from '../../packages/core/src/broadcastLock.js';
import { DEFAULT_MS } from '../../packages/core/src/options.js';
import { ACCESS_TTL, mockUrl } from './env.js';

export { expect };

export const DIALECTS = ['ciam', 'eiam', 'uaa', 'chatroom'] as const;
export type DialectName = (typeof DIALECTS)[number];
/** The demo's endpoints: the mock's four, and `oidc`, a real OpenID provider (oidc.spec.ts). */
export type DemoDialect = DialectName | 'oidc';
export type LockName = 'broadcast' | 'web-locks' | 'auto';
export const TTL_MS = ACCESS_TTL * 1000;
/**
 * Bounds on what the tabs tell each other (hand-off, sign-out): a few hundred milliseconds on a
 * quiet machine, seconds on two cores under stress-ng (a hand-off of 2.1 s seen). The figures are
 * printed (and measured by `pnpm bench propagation`); how the news came (an adoption from a tab,
 * a remote sign-out) is asserted apart.
 */
export const NEWS_BOUND_MS = 5000;
/**
 * How long the leak scan waits for a page to hand over its HTML and storage. 11 tabs under
 * stress-ng on two cores took longer than 10 s for three of them (a clean-clone run); a page
 * that never answers still fails the test.
 */
const LEAK_SCAN_READ_MS = 30_000;

// The core's own defaults, from its source (the demo runs with them): the bounds of the waits.
/** The core's floor between two refreshes of a session (`minRefreshIntervalMs`). */
export const MIN_REFRESH_INTERVAL_MS = DEFAULT_MS.minRefreshIntervalMs;
/** How long one token request may take (`requestTimeoutMs`). */
export const REQUEST_TIMEOUT_MS = DEFAULT_MS.requestTimeoutMs;
/** How long a silent holder's BroadcastChannel lock stands (`leaseMs`). */
export const LEASE_MS = DEFAULT_LEASE_MS;

// ---------------------------------------------------------------------------------------------
// The demo's test hook (apps/demo/src/testHook.ts), as far as the tests read it. Nothing read
// here is a token: snapshots are reduced to status and generation inside the page.

export interface HookEntry {
  readonly id: string;
  readonly tab: string;
  readonly kind: string;
  readonly at: number;
  readonly generation?: number;
  readonly ms?: number;
  readonly detail?: string;
}

interface TestHook {
  readonly manager: {
    readonly tabId: string;
    readonly lockKind: string;
    readonly ready: Promise<void>;
    getSnapshot(): {
      status: string;
      generation: number;
      expiresAt: number | undefined;
      accessToken: string | undefined;
    };
    refresh(options?: { staleAccessToken?: string }): Promise<string>;
  };
  readonly createdAt: number;
  events(): readonly HookEntry[];
  /** Every tab's events this tab has seen (the demo's shared timeline), its own included. */
  timeline(): readonly HookEntry[];
  readonly pageshows: readonly { at: number; persisted: boolean }[];
}

declare global {
  interface Window {
    __baton?: TestHook;
  }
}

// ---------------------------------------------------------------------------------------------
// The mock server: reset, stats, faults (directly on its port, not through Vite).

export interface Counters {
  readonly refreshes: number;
  readonly signIns: number;
  readonly reuseDetected: number;
  readonly invalidGrant: number;
  readonly apiOk: number;
  readonly api401: number;
  readonly tokenRequests: number;
  readonly faultsServed: number;
  readonly droppedInFlight: number;
}

export interface Stats extends Counters {
  readonly byDialect: Record<DialectName, Counters>;
}

export interface Mock {
  reset(): Promise<void>;
  stats(): Promise<Stats>;
  /** Queues faults (`POST /__mock/faults`); throws on a spec the mock refuses. */
  faults(spec: object | object[]): Promise<void>;
  /** How many queued faults are still waiting for a request. */
  pendingFaults(): Promise<number>;
}

async function call(path: string, init?: RequestInit): Promise<unknown> {
  const response = await fetch(`${mockUrl()}${path}`, init);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${path}: HTTP ${response.status}`);
  return response.json();
}

export const mock: Mock = {
  async reset() {
    await call('/__mock/reset', { method: 'POST' });
  },
  async stats() {
    return (await call('/__mock/stats')) as Stats;
  },
  async faults(spec) {
    await call('/__mock/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(spec),
    });
  },
  async pendingFaults() {
    return ((await call('/__mock/faults')) as { pending: unknown[] }).pending.length;
  },
};

// ---------------------------------------------------------------------------------------------
// Fixtures: a clean mock before each test; after it, no page error and no token in anything Baton
// emitted (issue 9: "tokens never in logs, events, error messages or URLs").

/** A JWT (three base64url parts, the first a JSON object): what a leaked token looks like. */
const JWT = /eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*/;
const JWT_ALL = new RegExp(JWT.source, 'g');

/**
 * The token routes, direct and through the mock's token proxy, and the OpenID provider's
 * (oidc-provider's `/token`): their answers carry the tokens.
 */
const TOKEN_PATHS: ReadonlySet<string> = new Set([
  '/oauth2/token',
  '/auth/oauth2/token',
  '/public/uaa/oauth2/token',
  '/chatroom/api/token',
  ...DIALECTS.map((d) => `/proxy/${d}`),
  '/token',
]);
/**
 * The OpenID provider's end-session endpoint. Baton POSTs its logout form there (the ID token
 * hint in the body, never in a URL); the test provider's oidc-provider takes no POST over plain
 * http and answers it with a 303 to the same parameters as a GET (see
 * packages/oidc-test-provider). That GET's `id_token_hint` is the provider's doing, not Baton's:
 * the one place an ID token may be in a URL, and only on a redirect from a POST.
 */
const END_SESSION_PATH = '/session/end';
/**
 * EIAM and UAA: the seed's own protocol puts the refresh token in the token request's query
 * string (a documented risk). The one place a token may be in a URL: that parameter, there.
 */
const REFRESH_IN_QUERY: ReadonlySet<string> = new Set([
  '/auth/oauth2/token',
  '/public/uaa/oauth2/token',
  '/proxy/eiam',
  '/proxy/uaa',
]);
const TOKEN_FIELDS = { access_token: 'access', refresh_token: 'refresh', id_token: 'id' } as const;
/** How the page hands the fixture its manager's events (a console line: survives closed tabs). */
const EVENT_MARK = '[e2e:baton-event]';

/**
 * Page side (an init script, before the demo's own code): when the demo installs its test hook,
 * subscribe to its manager's events (synchronously after `createTokenManager`, so every event is
 * heard) and print each one, errors with their message and fields, on a marked console line.
 */
function reportBatonEvents(mark: string): void {
  const plain = (value: unknown, depth: number): unknown => {
    if (depth > 4 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => plain(v, depth + 1));
    const out: Record<string, unknown> = {};
    if (value instanceof Error) {
      out.name = value.name;
      out.message = value.message;
      if (value.cause !== undefined) out.cause = plain(value.cause, depth + 1);
    }
    for (const [k, v] of Object.entries(value)) out[k] = plain(v, depth + 1);
    return out;
  };
  let hook: unknown;
  Object.defineProperty(window, '__baton', {
    configurable: true,
    get: () => hook,
    set(value: { manager?: { onEvent?(listener: (event: unknown) => void): void } }) {
      hook = value;
      value?.manager?.onEvent?.((event) => {
        let text: string;
        try {
          text = JSON.stringify(plain(event, 0));
        } catch {
          text = String(event);
        }
        console.debug(mark, text);
      });
    },
  });
}

/** One thing Baton or the page put out, and where (the where never holds a token). */
interface Emitted {
  readonly where: string;
  readonly text: string;
  /** Also look for anything JWT-shaped (not only the tokens the mock was seen to issue). */
  readonly jwt: boolean;
}

/** The tokens in a token route's answer (any dialect: flat, or UAA's `result` envelope). */
function tokensIn(body: unknown, found: Map<string, string>, depth = 0): void {
  if (depth > 3 || body === null || typeof body !== 'object') return;
  for (const [key, value] of Object.entries(body)) {
    const kind = TOKEN_FIELDS[key as keyof typeof TOKEN_FIELDS];
    if (kind && typeof value === 'string' && value.length >= 8) found.set(value, kind);
    else tokensIn(value, found, depth + 1);
  }
}

/**
 * A request URL as scanned: the address and each decoded parameter, minus the protocol's own
 * (and minus `exempt`, what a server put there on a redirect).
 */
function urlText(raw: string, exempt: readonly string[] = []): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw;
  }
  if (REFRESH_IN_QUERY.has(url.pathname)) url.searchParams.delete('refresh_token');
  for (const name of exempt) url.searchParams.delete(name);
  let decoded = url.href;
  try {
    decoded = decodeURIComponent(url.href);
  } catch {}
  return [url.href, decoded, ...[...url.searchParams].flat()].join('\n');
}

/** Where each token turns up (`"refresh token in a request URL (GET /x)"`), never its value. */
function findLeaks(emitted: readonly Emitted[], tokens: ReadonlyMap<string, string>): string[] {
  const leaks = new Set<string>();
  // Each token as it is, and URL-encoded where that differs (opaque tokens may hold + / =).
  const needles = [...tokens].flatMap(([token, kind]) =>
    encodeURIComponent(token) === token
      ? [{ needle: token, kind }]
      : [
          { needle: token, kind },
          { needle: encodeURIComponent(token), kind },
        ],
  );
  for (const { where, text, jwt } of emitted) {
    for (const { needle, kind } of needles) {
      if (text.includes(needle)) leaks.add(`${kind} token in ${where}`);
    }
    if (jwt && JWT.test(text)) leaks.add(`something JWT-shaped in ${where}`);
  }
  return [...leaks];
}

function redact(text: string, tokens: ReadonlyMap<string, string>): string {
  let out = text.replace(JWT_ALL, '<jwt>');
  for (const token of tokens.keys()) out = out.split(token).join('<token>');
  return out;
}

/** What the leak scan offers a test that asks for its `guard` fixture. */
export interface LeakScan {
  /**
   * How many distinct tokens the scan has read from token answers so far: more than 0 shows that
   * it knows what to look for (a scan that saw no token would pass vacuously).
   */
  tokensKnown(): Promise<number>;
}

export const test = base.extend<{ guard: LeakScan }>({
  guard: [
    async ({ context }, use, testInfo) => {
      await mock.reset();
      // The leak scan: the tokens the mock issued in this test (read from the token routes'
      // answers), looked for in every console line, Baton event, uncaught error and request
      // URL of every tab, and in each open tab's page at the end.
      const tokens = new Map<string, string>();
      const reading: Promise<void>[] = [];
      const emitted: Emitted[] = [];
      const errors: string[] = [];
      const tabs = new Map<Page, number>();
      await context.addInitScript(reportBatonEvents, EVENT_MARK);
      const watch = (page: Page) => {
        const tab = `tab ${tabs.size + 1}`;
        tabs.set(page, tabs.size + 1);
        page.on('console', (message) => {
          const text = message.text();
          if (text.startsWith(EVENT_MARK)) {
            const type = /^\{"type":"([\w-]+)"/.exec(text.slice(EVENT_MARK.length + 1))?.[1];
            emitted.push({ where: `a Baton event (${type ?? '?'}, ${tab})`, text, jwt: true });
          } else if (!text.startsWith('Failed to load resource')) {
            // (The browser's own network error lines name the URL; the URLs are scanned below.)
            emitted.push({ where: `console.${message.type()} (${tab})`, text, jwt: true });
          }
        });
        page.on('pageerror', (error) => {
          errors.push(error.message);
          const text = `${error.name}: ${error.message}\n${error.stack ?? ''}`;
          emitted.push({ where: `an uncaught error (${tab})`, text, jwt: true });
        });
      };
      context.pages().forEach(watch);
      context.on('page', watch);
      context.on('request', (request) => {
        const path = new URL(request.url()).pathname;
        const from = request.redirectedFrom();
        const bridged =
          path === END_SESSION_PATH &&
          request.method() === 'GET' &&
          from?.method() === 'POST' &&
          new URL(from.url()).pathname === END_SESSION_PATH;
        emitted.push({
          where: `a request URL (${request.method()} ${path})`,
          text: urlText(request.url(), bridged ? ['id_token_hint'] : []),
          jwt: true,
        });
      });
      context.on('response', (response) => {
        if (!TOKEN_PATHS.has(new URL(response.url()).pathname)) return;
        reading.push(
          response.json().then(
            (body) => tokensIn(body, tokens),
            () => {}, // no body (dropped, redirected, not JSON): nothing issued that we can see
          ),
        );
      });

      await use({
        async tokensKnown() {
          await Promise.allSettled(reading);
          return tokens.size;
        },
      });

      await Promise.allSettled(reading);
      // What each open tab shows (error messages included) and keeps in its origin's storage: no
      // token either.
      for (const [page, n] of tabs) {
        if (page.isClosed()) continue;
        // A page that cannot be read is not scanned: that is a failure, not an empty page.
        const read = () =>
          page.evaluate(() => {
            const stored = (storage: Storage) =>
              Array.from({ length: storage.length }, (_, i) => storage.key(i) ?? '').map(
                (key) => `${key}=${storage.getItem(key) ?? ''}`,
              );
            return [
              document.documentElement.outerHTML,
              ...stored(localStorage),
              ...stored(sessionStorage),
            ].join('\n');
          });
        const html = await Promise.race([
          // Once more after a navigation that destroyed the first attempt's context.
          read()
            .catch(() => page.waitForLoadState().then(read))
            .catch(() => undefined),
          sleep(LEAK_SCAN_READ_MS).then(() => undefined),
        ]);
        if (html === undefined && !page.isClosed())
          errors.push(`the leak scan could not read tab ${n} within ${LEAK_SCAN_READ_MS / 1000} s`);
        emitted.push({ where: `the page or storage of tab ${n}`, text: html ?? '', jwt: false });
      }
      // The browser's cookies, every origin's (a provider's session cookie is no token).
      const cookies = await context.cookies().catch(() => []);
      emitted.push({
        where: 'a cookie',
        text: cookies.map((c) => `${c.name}=${c.value}`).join('\n'),
        jwt: true,
      });
      const leaks = findLeaks(emitted, tokens);

      if (testInfo.status !== testInfo.expectedStatus) {
        // What every tab saw, for the failure report (events carry no tokens).
        const lanes = await Promise.all(
          context.pages().map(async (page) => {
            const list = await events(page).catch(() => []);
            const now = await state(page).catch(() => undefined);
            return [
              `tab ${now?.tab.slice(0, 4) ?? '?'}: ${now?.status ?? '?'} g${now?.generation ?? '?'}`,
              ...list.map(
                (e) =>
                  `  ${new Date(e.at).toISOString().slice(17, 23)} ${e.kind}` +
                  `${e.generation === undefined ? '' : ` g${e.generation}`}` +
                  `${e.ms === undefined ? '' : ` ${e.ms} ms`}${e.detail ? ` ${e.detail}` : ''}`,
              ),
            ].join('\n');
          }),
        );
        const path = testInfo.outputPath('tab-events.txt');
        writeFileSync(path, `${lanes.join('\n')}\n`);
        await testInfo.attach('tab-events', { path, contentType: 'text/plain' });
        // CI keeps only the output: the end of each lane and the mock's counts go there too.
        if (process.env.CI) {
          const tail = lanes.map((lane) => {
            const [head, ...events] = lane.split('\n');
            return [head, ...events.slice(-25)].join('\n');
          });
          const stats = await mock.stats().catch(() => undefined);
          console.log(
            `tab events (last 25 each):\n${tail.join('\n')}\nmock: ${JSON.stringify(stats?.byDialect)}`,
          );
        }
      }
      expect
        .soft(leaks, 'token values where Baton must never put them (where; never the token)')
        .toEqual([]);
      expect
        .soft(
          errors.map((e) => redact(e, tokens)),
          'uncaught errors in the pages',
        )
        .toEqual([]);
    },
    { auto: true },
  ],
});

// ---------------------------------------------------------------------------------------------
// Tabs.

export interface Settings {
  readonly dialect?: DemoDialect;
  readonly lock?: LockName;
  /** Token requests through the mock's token proxy (`?proxy=1`). */
  readonly proxy?: boolean;
  /** DPoP (`&dpop=1`: ciam, dpop.spec.ts; oidc, oidc.spec.ts). */
  readonly dpop?: boolean;
}

export const demoPath = ({ dialect, lock, proxy, dpop }: Settings): string => {
  const params = new URLSearchParams();
  if (dialect) params.set('dialect', dialect);
  if (lock) params.set('lock', lock);
  if (proxy) params.set('proxy', '1');
  if (dpop) params.set('dpop', '1');
  return `/?${params}`;
};

/** Opens the demo in `page` and waits until its manager looked for a session in the other tabs. */
export async function load(page: Page, settings: Settings): Promise<Page> {
  await page.goto(demoPath(settings));
  await page.waitForFunction(() => window.__baton !== undefined);
  await page.evaluate(() => window.__baton?.manager.ready);
  return page;
}

/**
 * `count` tabs of one browser context (one profile: they share BroadcastChannel and locks), loaded
 * side by side: a page load is mostly the browser's CPU, and two cores load two at once (six tabs
 * 7.7 s one after another, 6.5 s together). The order of the list is not the order of loading.
 */
export function openTabs(
  context: BrowserContext,
  count: number,
  settings: Settings,
): Promise<Page[]> {
  return Promise.all(
    Array.from({ length: count }, async () => load(await context.newPage(), settings)),
  );
}

/** Tab `index` of `pages`, which must exist. */
export function nth(pages: readonly Page[], index: number): Page {
  const page = pages.at(index);
  if (!page) throw new Error(`no tab ${index} among ${pages.length}`);
  return page;
}

export interface TabState {
  readonly tab: string;
  readonly status: string;
  readonly generation: number;
}

export const state = (page: Page): Promise<TabState> =>
  page.evaluate(() => {
    const hook = window.__baton;
    if (!hook) throw new Error('no test hook');
    const { status, generation } = hook.manager.getSnapshot();
    return { tab: hook.manager.tabId, status, generation };
  });

export const events = (page: Page): Promise<HookEntry[]> =>
  page.evaluate(() => [...(window.__baton?.events() ?? [])]);

export const statusOf = (page: Page) => page.getByTestId('session-status');

/** Signs in with the prefilled demo user; resolves with the new session's generation, once this tab holds it. */
export async function signIn(page: Page): Promise<number> {
  const button = page.getByTestId('sign-in');
  await button.waitFor();
  // Generations go on across sign-outs: a new session is the first generation past this one.
  const { generation } = await state(page);
  await button.click();
  // The session's generation, not the word `valid`, which a 5-s token on a loaded machine may
  // already have traded for `refreshing` when it is looked at.
  return waitForGeneration([page], generation + 1, 15_000);
}

/** Every tab shows this status. */
export async function expectStatus(pages: readonly Page[], status: string, timeout?: number) {
  await Promise.all(
    pages.map((page) => expect(statusOf(page)).toHaveText(status, timeout ? { timeout } : {})),
  );
}

/**
 * Every tab holds the session: `valid`, or `refreshing` it (in flight or waiting for the lock).
 * With 5-s tokens on a loaded machine a refresh can take most of a lifetime (6.6 s seen, 1.9 s of
 * it for the lock), so a tab seen at a random moment may well be `refreshing`; `expired`,
 * `error` and `signed-out` still fail. What a test then checks (API calls, generations) is apart.
 */
export async function expectSignedIn(pages: readonly Page[], timeout?: number) {
  await Promise.all(
    pages.map((page) =>
      expect(statusOf(page)).toHaveText(/^(valid|refreshing)$/, timeout ? { timeout } : {}),
    ),
  );
}

/** Every tab holds the same, newest generation (bounded wait: the news takes milliseconds). */
export async function expectSameGeneration(
  pages: readonly Page[],
  timeout = 2000,
): Promise<number> {
  let states: TabState[] = [];
  const deadline = Date.now() + timeout;
  for (;;) {
    states = await Promise.all(pages.map(state));
    const newest = Math.max(...states.map((s) => s.generation));
    if (states.every((s) => s.generation === newest)) return newest;
    if (Date.now() > deadline) break;
    await sleep(100);
  }
  const seen = states.map((s) => `${s.tab.slice(0, 4)}: ${s.status} g${s.generation}`).join(', ');
  throw new Error(`tabs on different generations after ${timeout} ms: ${seen}`);
}

/**
 * How long one API call through authFetch may take: it may wait for a refresh in flight (one
 * token request, bounded by the core's 10 s request timeout), and after a 401 refresh once more
 * and replay. Calls are milliseconds on a quiet machine; this bounds a loaded one.
 */
const CALL_BOUND_MS = 20_000;

/** Clicks "Call the API" and returns the text of the result, once this call has finished. */
export async function callApi(page: Page): Promise<string> {
  const result = page.getByTestId('api-result');
  const before = Number((await result.getAttribute('data-calls')) ?? 0);
  await page.getByTestId('call-api').click();
  await expect(result).toHaveAttribute('data-calls', String(before + 1), {
    timeout: CALL_BOUND_MS,
  });
  return (await result.textContent()) ?? '';
}

/** A small seeded PRNG (mulberry32): random tabs and pauses, reproducible from the seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A line of figures for the report (never a token). */
export function report(line: string): void {
  console.log(`  ▸ ${line}`);
}

// ---------------------------------------------------------------------------------------------
// The core scenario: many tabs, several lifetimes, API calls from random tabs.

export interface SessionRun {
  readonly refreshes: number;
  readonly seconds: number;
  readonly perLifetime: number;
  readonly calls: number;
  readonly generation: number;
}

/**
 * What the mock counted, against what the tabs hold: sign-in is generation 1 and each refresh
 * adds one, so a session whose every refresh reached the tabs has exactly `generation - 1`
 * refreshes at the mock, and none refused. (The mock was reset before the test.) Read when
 * nothing is in flight: the tabs agree, none is refreshing, and the mock's count did not move
 * while the tabs were read. A busy machine with a refresh every few seconds may offer no such
 * moment: then the mock's counts read before and after the tabs bracket the newest generation,
 * once the tabs hold every refresh the first count saw.
 */
export async function expectOneRefreshPerGeneration(
  pages: readonly Page[],
  dialect: DialectName,
): Promise<Counters & { readonly generation: number }> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const before = (await mock.stats()).byDialect[dialect];
    const quiet = Date.now() < deadline;
    // Past the deadline: first every refresh the mock counted must reach the tabs.
    if (!quiet) await waitForGeneration(pages, before.refreshes + 1, 10_000);
    const states = await Promise.all(pages.map(state));
    const after = (await mock.stats()).byDialect[dialect];
    const generation = Math.max(...states.map((s) => s.generation));
    const settled =
      before.tokenRequests === after.tokenRequests &&
      states.every((s) => s.generation === generation && s.status !== 'refreshing');
    if (settled || !quiet) {
      expect(after.reuseDetected, 'a refresh token spent twice').toBe(0);
      expect(after.invalidGrant, 'refresh attempts refused').toBe(0);
      expect(after.signIns, 'sign-ins').toBe(1);
      const label = 'refreshes at the mock against generations in the tabs';
      if (settled) expect(after.refreshes, label).toBe(generation - 1);
      else {
        expect(generation - 1, label).toBeGreaterThanOrEqual(before.refreshes);
        expect(generation - 1, label).toBeLessThanOrEqual(after.refreshes);
      }
      return { ...after, generation };
    }
    await sleep(100);
  }
}

/**
 * Signs in from the first tab, then for `lifetimes` access-token lifetimes calls the API from a
 * random tab every few hundred ms. Asserts what the design promises: every call ok, no refresh
 * token spent twice, exactly one refresh per new generation, at least one refresh per lifetime
 * and never two within the core's minimum interval, and every tab on the newest generation.
 */
export async function runSession(
  pages: readonly Page[],
  dialect: DialectName,
  { lifetimes = 3, seed = Date.now() % 100_000 } = {},
): Promise<SessionRun> {
  const first = nth(pages, 0);
  const signedIn = await signIn(first);
  // Every tab holds the session. Not "every tab shows `valid`": with 5-s tokens on a loaded
  // machine a tab may already be `refreshing` again when it is looked at.
  await waitForGeneration(pages, signedIn, 10_000);
  const before = (await mock.stats()).byDialect[dialect];
  const started = Date.now();
  const rand = random(seed);
  let calls = 0;
  while (Date.now() - started < lifetimes * TTL_MS) {
    const page = pages[Math.floor(rand() * pages.length)] ?? first;
    const result = await callApi(page);
    expect(result, `API call from a random tab (seed ${seed})`).toContain('ok');
    calls += 1;
    // The scenario's pace, not a wait for anything: calls from random tabs at random moments.
    await sleep(100 + rand() * 300);
  }
  const elapsed = Date.now() - started;
  const after = (await mock.stats()).byDialect[dialect];
  // Every tab's API call ok, every tab on the same, newest generation.
  for (const page of pages) expect(await callApi(page)).toContain('ok');
  const { generation } = await expectOneRefreshPerGeneration(pages, dialect);

  // The rate, over the window of random calls: at least one refresh a lifetime (or the token
  // would have expired), at most one per minimum interval (6 uncoordinated tabs would be ~6 times
  // one a lifetime).
  const refreshes = after.refreshes - before.refreshes;
  expect(refreshes).toBeGreaterThanOrEqual(Math.floor(elapsed / TTL_MS));
  expect(refreshes).toBeLessThanOrEqual(Math.floor(elapsed / MIN_REFRESH_INTERVAL_MS) + 1);
  const seconds = elapsed / 1000;
  return { refreshes, seconds, perLifetime: refreshes / (elapsed / TTL_MS), calls, generation };
}

/** `36 ms after`, `9 ms before`: one event's time against another's. */
export const relative = (ms: number): string => `${Math.abs(ms)} ms ${ms < 0 ? 'before' : 'after'}`;

/** The last element that matches (`Array.prototype.findLast`, for ES2022 typings). */
export function last<T>(list: readonly T[], match: (item: T) => boolean): T | undefined {
  for (let i = list.length - 1; i >= 0; i--) {
    const item = list[i] as T;
    if (match(item)) return item;
  }
  return undefined;
}

/** Waits (bounded) until every tab holds at least `generation`; returns the newest one seen. */
export async function waitForGeneration(
  pages: readonly Page[],
  generation: number,
  timeout: number,
): Promise<number> {
  let seen: TabState[] = [];
  const deadline = Date.now() + timeout;
  while (Date.now() <= deadline) {
    seen = await Promise.all(pages.map(state));
    if (seen.every((s) => s.generation >= generation))
      return Math.max(...seen.map((s) => s.generation));
    await sleep(100);
  }
  const states = seen.map((s) => `${s.tab.slice(0, 4)}: ${s.status} g${s.generation}`).join(', ');
  throw new Error(`not every tab reached generation ${generation} in ${timeout} ms: ${states}`);
}

/** Waits until the mock has taken every queued fault (its request has arrived). */
export async function faultsTaken(timeout: number): Promise<void> {
  await expect.poll(() => mock.pendingFaults(), { timeout, intervals: [50, 100] }).toBe(0);
}

/** What ends a hold of the lock (`lock-lost`: the fence found another holder; nothing sent). */
const OUTCOMES = new Set([
  'refresh-success',
  'refresh-skipped',
  'refresh-failure',
  'signed-out',
  'lock-lost',
]);

/** The tab holding the refresh lock: it acquired it and has no outcome yet. */
export async function lockHolder(pages: readonly Page[]): Promise<Page> {
  const holders: Page[] = [];
  for (const page of pages) {
    const list = await events(page);
    const acquired = list.findIndex(
      (e, i) => e.kind === 'lock-acquired' && !list.slice(i + 1).some((o) => OUTCOMES.has(o.kind)),
    );
    if (acquired !== -1) holders.push(page);
  }
  if (holders.length !== 1 || !holders[0])
    throw new Error(`expected one tab holding the lock, found ${holders.length}`);
  return holders[0];
}

/**
 * Waits until `ms` have passed in every tab's own event loop: a timer set in each page, which
 * fires only after every timer the tab had armed for a shorter time (a starved renderer runs
 * late, and so does this wait). For "nothing happened in this window" checks, with `ms` from
 * the code's own bounds.
 */
export async function outlastTimers(pages: readonly Page[], ms: number): Promise<void> {
  await Promise.all(
    pages.map((page) =>
      page.evaluate((delay) => new Promise<void>((resolve) => setTimeout(resolve, delay)), ms),
    ),
  );
}

/** What would bring a session back or start a refresh: none may follow a tab's sign-out. */
const REVIVALS = new Set(['tokens-adopted', 'signed-in', 'refresh-success', 'refresh-start']);

/**
 * This tab's events after it learned of its last sign-out that would revive the session or send
 * a refresh (a timer emits `refresh-start` synchronously, so a timer that fired is seen here).
 */
export async function revivedAfterSignOut(page: Page): Promise<HookEntry[]> {
  const log = await events(page);
  const learned = last(log, (e) => e.kind === 'signed-out')?.at ?? 0;
  return log.filter((e) => e.at > learned && REVIVALS.has(e.kind));
}
