import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLock } from '../src/lock.js';
import { createTabChannel, type TabChannel } from '../src/tabChannel.js';
import type { RefreshLock } from '../src/types.js';

const RUN = { timeoutMs: 5000 };

/** A LockManager with the one method Baton uses, granting at once: enough to see it chosen. */
const fakeLocks = () => {
  const requested: string[] = [];
  const locks = {
    request: (name: string, _options: unknown, task: () => Promise<unknown>) => {
      requested.push(name);
      return task();
    },
  };
  return { requested, locks };
};

describe('createLock', () => {
  const open: (TabChannel | RefreshLock)[] = [];
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
    vi.unstubAllGlobals();
  });

  it("'auto' takes Web Locks where they exist, named for the app", async () => {
    const { requested, locks } = fakeLocks();
    vi.stubGlobal('navigator', { locks });
    const lock = createLock('auto', undefined, 'shop');
    expect(lock.kind).toBe('web-locks');
    expect(await lock.run(async () => 42, RUN)).toBe(42);
    expect(requested).toEqual(['shop:refresh']);
  });

  it("'auto' without Web Locks loads the BroadcastChannel lock, and it excludes", async () => {
    expect(globalThis.navigator?.locks).toBeUndefined();
    const name = `lock-${randomUUID()}`;
    const channels = [createTabChannel(name, () => {}), createTabChannel(name, () => {})];
    const [a, b] = channels.map((c) => createLock('auto', c, name));
    open.push(...(channels as TabChannel[]), a!, b!);
    expect(a!.kind).toBe('broadcast');
    let inside = 0;
    let most = 0;
    const task = async () => {
      most = Math.max(most, ++inside);
      await new Promise((r) => setTimeout(r, 20)); // work under the lock, not a synchronisation
      inside -= 1;
    };
    await Promise.all([a!.run(task, RUN), b!.run(task, RUN), a!.run(task, RUN)]);
    expect(most).toBe(1);
  });

  it("'broadcast' takes the BroadcastChannel lock even where Web Locks exist", () => {
    vi.stubGlobal('navigator', { locks: fakeLocks().locks });
    const channel = createTabChannel(`lock-${randomUUID()}`, () => {}) as TabChannel;
    const lock = createLock('broadcast', channel, 'app');
    open.push(channel, lock);
    expect(lock.kind).toBe('broadcast');
  });

  it('without a channel and without Web Locks, a lock for this tab alone', async () => {
    const lock = createLock('auto', undefined, 'app');
    expect(lock.kind).toBe('local');
    const order: number[] = [];
    await Promise.all([
      lock.run(async () => {
        await new Promise((r) => setTimeout(r, 10)); // a task still running when the next asks
        order.push(1);
      }, RUN),
      lock.run(async () => order.push(2), RUN),
    ]);
    expect(order).toEqual([1, 2]);
  });

  it('a LockFactory gets the channel and the name', () => {
    const channel = createTabChannel(`lock-${randomUUID()}`, () => {}) as TabChannel;
    open.push(channel);
    const mine: RefreshLock = {
      kind: 'local',
      run: (task) => task({ confirm: () => Promise.resolve() }),
      close() {},
    };
    const factory = vi.fn(() => mine);
    expect(createLock(factory, channel, 'app')).toBe(mine);
    expect(factory).toHaveBeenCalledWith({ channel, name: 'app' });
  });

  it('a lazy lock closed before it loaded closes the lock it loads', async () => {
    const channel = createTabChannel(`lock-${randomUUID()}`, () => {}) as TabChannel;
    open.push(channel);
    const lock = createLock('broadcast', channel, 'app');
    lock.close();
    // The closed broadcast lock refuses to run: its task never starts.
    let ran = false;
    await expect(
      lock.run(async () => {
        ran = true;
      }, RUN),
    ).rejects.toMatchObject({ code: 'aborted' });
    expect(ran).toBe(false);
  });
});
