import { afterEach, describe, expect, it, vi } from 'vitest';
import { signInWithPassword } from '../src/password.js';
import { webStorage } from '../src/webStorage.js';
import { all, closeWorlds, world } from './faultWorld.js';
import { ALICE, mapStorage, until, withChannel } from './support.js';

/** Fault matrix row 16 (docs/reliability.md): what an earlier page load left in storage. */

afterEach(closeWorlds);

describe('row 16: stale or corrupt storage', () => {
  it('a stored session the provider no longer knows: one request, one clean sign-out, storage wiped, no retry on the next load', async () => {
    const w = await world();
    const storage = mapStorage();
    const first = w.open({
      channel: false,
      storage: webStorage(storage, { persistRefreshToken: true }),
    });
    await signInWithPassword(first, ALICE);
    first.destroy();
    const key = [...storage.data.keys()][0]!;
    const stored = JSON.parse(storage.data.get(key)!) as Record<string, unknown>;
    expect(stored.refreshToken).toEqual(expect.any(String));
    storage.data.set(key, JSON.stringify({ ...stored, expiresAt: Date.now() - 1000 }));
    w.mock.reset(); // the provider forgot every session (a restart, a revocation)
    const second = w.open({
      channel: false,
      storage: webStorage(storage, { persistRefreshToken: true }),
    });
    await second.ready;
    await until(() => second.getSnapshot().status === 'signed-out', 2000, 'signed out');
    expect(second.getSnapshot().error?.code).toBe('invalid_grant');
    expect(w.count(second, 'signed-out')).toBe(1);
    expect(storage.data.size).toBe(0);
    // The next page load finds nothing: no second attempt with the dead token.
    const third = w.open({
      channel: false,
      storage: webStorage(storage, { persistRefreshToken: true }),
    });
    await third.ready;
    // Nothing stored, so nothing to refresh: no timer to outlast.
    expect(w.log(third).map((e) => e.type)).toEqual([]);
    expect(third.getSnapshot().status).toBe('signed-out');
    expect(w.count(third, 'storage-corrupt')).toBe(0);
    expect(w.mock.stats().tokenRequests).toBe(1);
  });

  it.each(['broadcast', 'web-locks'] as const)(
    'a stale stored session (older generation, spent refresh token) loses to the live tabs (%s lock): nothing spent',
    async (lock) => {
      if (lock === 'web-locks') {
        // Node has no navigator.locks: an instant lock, granted at once (the fastest there is).
        const locks = {
          request: (_name: string, _options: object, task: () => Promise<unknown>) =>
            Promise.resolve().then(task),
        };
        vi.stubGlobal('navigator', { locks });
      }
      const w = await world({ reuseGrace: 0 });
      const [a, b] = await w.signedIn(2);
      // An earlier page load persisted the session at generation 1, refresh token included.
      const storage = mapStorage();
      const writer = w.open({ storage: webStorage(storage, { persistRefreshToken: true }) });
      await until(() => writer.getSnapshot().generation === 1, 5000, 'writer has it');
      writer.destroy();
      const key = `baton:${w.channel}`;
      const stored = JSON.parse(storage.data.get(key)!) as Record<string, unknown>;
      expect(stored).toMatchObject({ generation: 1, refreshToken: expect.any(String) });
      // The live tabs rotate twice: that refresh token is spent. The stored access token expired.
      await a!.refresh();
      await until(() => b!.getSnapshot().generation === 2, 5000, 'g2');
      await b!.refresh();
      await until(() => a!.getSnapshot().generation === 3, 5000, 'g3');
      storage.data.set(key, JSON.stringify({ ...stored, expiresAt: Date.now() - 1000 }));
      const before = w.mock.stats();
      const { tab: fresh, channel } = withChannel(() =>
        w.open({ storage: webStorage(storage, { persistRefreshToken: true }), lock }),
      );
      // Messages reach the new tab 150 ms late (a busy renderer), later than the double-check
      // under the lock waits (100 ms): its stale tokens are due at once, and only waiting for the
      // hand-off's answer before the first refresh keeps it from spending the spent token.
      const deliver = channel.onmessage!;
      let delayed = 0;
      channel.onmessage = (event: MessageEvent) => {
        delayed++;
        setTimeout(() => {
          deliver.call(channel, event);
          delayed--;
        }, 150);
      };
      await fresh.ready;
      expect(w.count(fresh, 'refresh-start')).toBe(0);
      const token = await fresh.getAccessToken();
      expect(token).toBe(a!.getSnapshot().accessToken);
      expect(fresh.getSnapshot()).toMatchObject({ status: 'valid', generation: 3 });
      await until(() => delayed === 0, 2000, 'every late message delivered');
      expect(w.count(fresh, 'refresh-start')).toBe(0);
      const after = w.mock.stats();
      expect(after.tokenRequests - before.tokenRequests, 'requests by the new tab').toBe(0);
      expect(after.reuseDetected).toBe(0);
      expect(all([a!, b!, fresh], 'valid')).toBe(true);
      expect(JSON.parse(storage.data.get(key)!)).toMatchObject({ generation: 3 });
    },
  );
});
