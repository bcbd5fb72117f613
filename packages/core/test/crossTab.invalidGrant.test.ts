import { afterEach, describe, expect, it, vi } from 'vitest';
import { signInWithPassword } from '../src/password.js';
import { converged, outcome, world } from './crossTabWorld.js';
import { ALICE, outlast, until } from './support.js';

/** Many tabs against the real mock server: see crossTabWorld.ts. */

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('invalid_grant', () => {
  it('a committed rotation whose answer was lost is recovered within the reuse grace', async () => {
    const w = await world({ reuseGrace: 5 });
    try {
      const tabs = await w.signedIn(3, { retry: { baseDelayMs: 200, maxDelayMs: 400 } });
      w.mock.faults({ dropAfterCommit: true, grant: 'refresh_token' });
      expect(await outcome(tabs[0]!.refresh())).toBe('network');
      // The automatic retry presents the same refresh token: the server replays its answer.
      await until(
        () => converged(tabs) && tabs[0]!.getSnapshot().generation === 2,
        3000,
        'recovered',
      );
      const token = tabs[1]!.getSnapshot().accessToken;
      expect(await w.api(token)).toBe(200);
      let stats = w.mock.stats();
      expect(stats.refreshes).toBe(1);
      expect(stats.graceReplays).toBe(1);
      expect(stats.reuseDetected + stats.invalidGrant).toBe(0);
      // The replayed refresh token is the live one: the session goes on.
      await tabs[2]!.refresh();
      await until(() => converged(tabs) && tabs[0]!.getSnapshot().generation === 3, 2000, 'next');
      stats = w.mock.stats();
      expect(stats.refreshes).toBe(2);
      for (const tab of tabs) expect(w.count(tab, 'signed-out')).toBe(0);
    } finally {
      await w.close();
    }
  });

  it('without grace, the lost rotation ends the session: one clean sign-out in every tab, no loop', async () => {
    const w = await world({ reuseGrace: 0 });
    try {
      const tabs = await w.signedIn(3, { retry: { baseDelayMs: 200, maxDelayMs: 400 } });
      w.mock.faults({ dropAfterCommit: true, grant: 'refresh_token' });
      expect(await outcome(tabs[0]!.refresh())).toBe('network');
      await until(
        () => tabs.every((t) => t.getSnapshot().status === 'signed-out'),
        3000,
        'signed out',
      );
      const requests = w.mock.stats().tokenRequests;
      const starts = tabs.map((t) => w.count(t, 'refresh-start'));
      // An absence, not a synchronisation: any retry was set within maxDelayMs (400 ms), and
      // timers fire in deadline order, so a retry would have started (its event is synchronous).
      await outlast(2 * 400);
      expect(tabs.map((t) => w.count(t, 'refresh-start'))).toEqual(starts);
      const stats = w.mock.stats();
      expect(stats.tokenRequests).toBe(requests); // nothing more: no loop
      expect(stats.refreshes).toBe(1); // the lost one
      expect(stats.reuseDetected).toBe(1); // the retry with the spent token
      expect(stats.invalidGrant).toBe(1);
      for (const tab of tabs) {
        expect(w.count(tab, 'signed-out')).toBe(1);
        expect(tab.getSnapshot().status).toBe('signed-out');
      }
      const terminal = tabs
        .flatMap((t) => w.log(t))
        .filter((e) => e.type === 'signed-out' && e.reason === 'terminal');
      expect(terminal).toHaveLength(1);
      expect(terminal[0]).toMatchObject({ error: { code: 'invalid_grant' } });
    } finally {
      await w.close();
    }
  });

  it("an invalid_grant that raced another tab's rotation is adopted, not a sign-out", async () => {
    // The race needs two tabs refreshing at once: b's lock is not a's (b uses Web Locks, a the
    // BroadcastChannel lock: as two tabs of one app opened with different `lock` settings).
    // The provider refuses b's stale refresh token with invalid_grant, without revoking the
    // session (Keycloak's "stale token"): b must take a's tokens rather than sign everyone out.
    const w = await world({ reuseGrace: 0 });
    try {
      const a = w.open();
      const grants: string[] = [];
      const rejecting: typeof fetch = async (input, init) => {
        // b's request leaves once a's rotation is committed, and meets the stale-token answer.
        await until(() => w.mock.stats().refreshes >= 1, 3000, "a's rotation");
        w.mock.faults({
          route: 'token',
          grant: 'refresh_token',
          status: 400,
          error: 'invalid_grant',
        });
        grants.push('b');
        return fetch(input, init);
      };
      const locks = {
        request: (_name: string, _options: object, task: () => Promise<unknown>) =>
          Promise.resolve().then(task),
      };
      vi.stubGlobal('navigator', { locks });
      const b = w.open({ lock: 'web-locks', fetch: rejecting });
      vi.unstubAllGlobals();
      expect(b.lockKind).toBe('web-locks');
      expect(a.lockKind).toBe('broadcast');
      await Promise.all([a.ready, b.ready]);
      await signInWithPassword(a, ALICE);
      await until(() => b.getSnapshot().generation === 1, 2000, 'b has the session');
      const [fromA, fromB] = await Promise.all([a.refresh(), b.refresh()]);
      expect(grants).toEqual(['b']);
      expect(fromB).toBe(fromA);
      await until(() => converged([a, b]), 2000, 'agree');
      expect(await w.api(fromB)).toBe(200);
      expect(w.count(a, 'signed-out') + w.count(b, 'signed-out')).toBe(0);
      // The refused request is reported, and nothing else goes wrong.
      const failures = w.log(b).filter((e) => e.type === 'refresh-failure');
      expect(failures.map((e) => e.type === 'refresh-failure' && e.error.code)).toEqual([
        'invalid_grant',
      ]);
      expect(w.count(b, 'refresh-skipped'), 'a request was sent: not a skip').toBe(0);
      const stats = w.mock.stats();
      expect(stats.refreshes).toBe(1);
      expect(stats.reuseDetected).toBe(0);
    } finally {
      await w.close();
    }
  });
});
