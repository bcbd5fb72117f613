import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Baton is bundled from its source, so the benchmark measures the working tree, not a stale build. */
const CORE_SRC = here('../../packages/core/src/');
export const CORE_SOURCE = `${CORE_SRC}index.ts`;
/** The core module that loads the BroadcastChannel lock lazily (`import('./broadcastLock.js')`). */
const CORE_LOCK = `${CORE_SRC}lock.ts`;

/** `@baton/core` → `packages/core/src/index.ts`; `@baton/core/<x>` → `packages/core/src/entries/<x>.ts`. */
export const coreSource = (specifier: string): string => {
  const subpath = /^@baton\/core(?:\/(.+))?$/.exec(specifier)?.[1];
  return subpath === undefined ? CORE_SOURCE : `${CORE_SRC}entries/${subpath}.ts`;
};

/**
 * Resolves `@baton/core` and its subpaths to the core's source (an esbuild `alias` would map
 * `@baton/core/<x>` to `index.ts/<x>`). `lazyBroadcastLockExternal`: the core's lazy
 * `import('./broadcastLock.js')` stays out of the bundle, as a separate chunk would, so that the
 * bundle is what a page loads at first.
 */
export function coreFromSource({ lazyBroadcastLockExternal = false } = {}): Plugin {
  return {
    name: 'baton-core-source',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^@baton\/core(\/.*)?$/ }, (args) => ({
        path: coreSource(args.path),
      }));
      if (lazyBroadcastLockExternal)
        esbuild.onResolve({ filter: /broadcastLock\.js$/ }, (args) =>
          args.importer === CORE_LOCK && args.kind === 'dynamic-import'
            ? { path: args.path, external: true }
            : undefined,
        );
    },
  };
}

/** The page bundles: one per thing a page can run. */
const ENTRIES = ['baton', 'oidc', 'naive', 'lock', 'dpop'] as const;
export type Entry = (typeof ENTRIES)[number];

/** Bundles `harness/*.ts` for the browser: Baton from source, peers from node_modules. */
async function bundleHarness(): Promise<Map<string, string>> {
  const result = await build({
    entryPoints: Object.fromEntries(ENTRIES.map((e) => [e, here(`./harness/${e}.ts`)])),
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: '/harness',
    plugins: [coreFromSource()],
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  });
  return new Map(result.outputFiles.map((f) => [f.path.replace('/harness', ''), f.text]));
}

const page = (entry: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${entry}</title></head>` +
  `<body><script type="module" src="/${entry}.js"></script></body></html>`;

/**
 * Pages served cross-origin isolated (COOP + COEP): their `performance.now()` is precise to a few
 * µs instead of 100 µs. Only where sub-millisecond steps are timed one by one (the mock answers
 * CORS, so the page can still call it).
 */
const ISOLATED: ReadonlySet<string> = new Set<Entry>(['dpop']);

/**
 * Serves the harness on 127.0.0.1 (a secure context, so Web Locks exist): `/<entry>.html` loads
 * `/<entry>.js`. Nothing else is served.
 */
async function serve(files: Map<string, string>): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const entry = /^\/(\w+)\.html$/.exec(path)?.[1];
    const body = entry && files.has(`/${entry}.js`) ? page(entry) : files.get(path);
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': path.endsWith('.js') ? 'text/javascript' : 'text/html',
      'cache-control': 'no-store',
      ...(entry &&
        ISOLATED.has(entry) && {
          'cross-origin-opener-policy': 'same-origin',
          'cross-origin-embedder-policy': 'require-corp',
        }),
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return { url: `http://127.0.0.1:${address.port}`, server };
}

function findChromium(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path))
    throw new Error(
      `No Chromium at ${path}: install Debian's (apt-get install -y chromium) or set CHROMIUM_PATH.`,
    );
  return path;
}

/** One Chromium and the harness server, shared by every browser benchmark of a run. */
export interface Lab {
  readonly browser: Browser;
  /** Origin of the harness pages. */
  readonly origin: string;
  /** A fresh browser context (its own storage, BroadcastChannel and lock namespace). */
  newContext(): Promise<BrowserContext>;
  /** Opens `count` pages of `entry` with `params`, each loaded and its harness ready. */
  openPages(
    context: BrowserContext,
    entry: Entry,
    count: number,
    params?: Record<string, string | number>,
  ): Promise<Page[]>;
  close(): Promise<void>;
}

export function pageUrl(
  origin: string,
  entry: Entry,
  params: Record<string, string | number> = {},
) {
  const query = new URLSearchParams(
    Object.entries(params).map(([k, v]) => [k, String(v)]),
  ).toString();
  return `${origin}/${entry}.html${query ? `?${query}` : ''}`;
}

export async function startLab(): Promise<Lab> {
  const files = await bundleHarness();
  const { url: origin, server } = await serve(files);
  const browser = await chromium.launch({
    executablePath: findChromium(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const lab: Lab = {
    browser,
    origin,
    newContext: () => browser.newContext(),
    async openPages(context, entry, count, params = {}) {
      const url = pageUrl(origin, entry, params);
      // A few at a time: 20 renderer processes starting at once on 2 cores stall each other.
      const pages: Page[] = [];
      for (let i = 0; i < count; i += 5) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(5, count - i) }, async () => {
            const p = await context.newPage();
            p.on('pageerror', (error) => console.error(`[page ${entry}] ${error.message}`));
            await p.goto(url);
            await p.waitForFunction(() => window.harnessReady === true, undefined, {
              timeout: 20_000,
            });
            return p;
          }),
        );
        pages.push(...batch);
      }
      return pages;
    },
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return lab;
}
