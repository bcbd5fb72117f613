import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGenerationLocks } from '../src/generationLocks.js';
import { createLockManager } from './lockManager.js';
import { until } from './support.js';

const heldNames = async (locks: LockManager) =>
  ((await locks.query()).held ?? []).map((l) => l.name ?? '').sort();

/** Waits (bounded) until exactly `names` are held: a release settles a few ticks later. */
async function held(locks: LockManager, names: string[]): Promise<void> {
  let now: string[] = [];
  await until(
    () => {
      void heldNames(locks).then((n) => (now = n));
      return JSON.stringify(now) === JSON.stringify(names);
    },
    5000,
    `held ${names.join(', ') || 'nothing'}`,
  );
}

describe('createGenerationLocks', () => {
  const open: { close(): void }[] = [];
  afterEach(() => {
    for (const g of open.splice(0)) g.close();
  });

  it('holds the lock of the generation it has, and lets the older one go', async () => {
    const locks = createLockManager();
    const tab = createGenerationLocks('app', locks);
    open.push(tab);
    await tab.hold(3);
    expect(await heldNames(locks)).toEqual(['app:gen:3']);
    await tab.hold(5);
    await held(locks, ['app:gen:5']);
  });

  it('newest() is the highest generation any tab holds, for this app only', async () => {
    const locks = createLockManager();
    const [a, b, other] = [
      createGenerationLocks('app', locks),
      createGenerationLocks('app', locks),
      createGenerationLocks('other-app', locks),
    ];
    open.push(a, b, other);
    expect(await a.newest()).toBe(0);
    await a.hold(2);
    await b.hold(7);
    await other.hold(99);
    expect(await a.newest()).toBe(7);
    expect(await b.newest()).toBe(7);
  });

  it('two tabs may hold the same generation (shared)', async () => {
    const locks = createLockManager();
    const [a, b] = [createGenerationLocks('app', locks), createGenerationLocks('app', locks)];
    open.push(a, b);
    await Promise.all([a.hold(4), b.hold(4)]);
    expect(await heldNames(locks)).toEqual(['app:gen:4', 'app:gen:4']);
  });

  it('close() lets its lock go and holds nothing after', async () => {
    const locks = createLockManager();
    const tab = createGenerationLocks('app', locks);
    await tab.hold(3);
    tab.close();
    await tab.hold(4);
    await held(locks, []);
  });

  it('generation 0 (no session ever seen) takes no lock', async () => {
    const locks = createLockManager();
    const tab = createGenerationLocks('app', locks);
    open.push(tab);
    await tab.hold(0);
    expect(await heldNames(locks)).toEqual([]);
  });

  it('lets go on pagehide into the back/forward cache, and holds again on pageshow', async () => {
    const page = new EventTarget();
    vi.stubGlobal('addEventListener', page.addEventListener.bind(page));
    vi.stubGlobal('removeEventListener', page.removeEventListener.bind(page));
    try {
      const locks = createLockManager();
      const tab = createGenerationLocks('app', locks);
      open.push(tab);
      await tab.hold(6);
      page.dispatchEvent(Object.assign(new Event('pagehide'), { persisted: true }));
      await held(locks, []);
      page.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }));
      await held(locks, ['app:gen:6']);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('createLockManager (the test stand-in)', () => {
  it('grants an exclusive lock to one holder at a time, in order', async () => {
    const locks = createLockManager();
    const order: string[] = [];
    let release = () => {};
    const first = locks.request('x', () => new Promise<void>((r) => (release = () => r())));
    const second = locks.request('x', async () => order.push('second'));
    await Promise.resolve();
    order.push('first holds');
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first holds', 'second']);
  });
});
