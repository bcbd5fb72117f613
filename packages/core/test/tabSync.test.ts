import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, isTerminalCode } from '../src/errors.js';
import { createGenerationLocks, type GenerationLocks } from '../src/generationLocks.js';
import { createSessionState } from '../src/sessionState.js';
import { createTabChannel, type ReceivedMessage, type TabChannel } from '../src/tabChannel.js';
import { createTabSync } from '../src/tabSync.js';
import type { TokenSet } from '../src/types.js';
import { createLockManager } from './lockManager.js';
import { until } from './support.js';

const set = (generation: number): TokenSet => ({
  accessToken: `access-${generation}`,
  refreshToken: `refresh-${generation}`,
  tokenType: 'Bearer',
  expiresAt: Date.now() + 60_000,
  generation,
});

/** One tab's sync over a real BroadcastChannel, with what it heard. */
function tab(app: string, generations?: GenerationLocks) {
  const channel = createTabChannel(app, () => {}) as TabChannel;
  const state = createSessionState();
  const heard = {
    tokens: [] as TokenSet[],
    signedOut: [] as number[],
    backoff: [] as [number, number, ErrorCode][],
  };
  const sync = createTabSync(
    channel,
    state,
    {
      tokens(t) {
        heard.tokens.push(t);
        if (state.isNewer(t)) {
          state.take(t);
          state.update();
        }
      },
      signedOut: (g) => heard.signedOut.push(g),
      backoff: (...args) => heard.backoff.push(args),
    },
    5000,
    generations,
  );
  return { channel, state, sync, heard };
}

/** A raw listener on the app's channel, to see what a tab posts. */
function listen(app: string) {
  const seen: ReceivedMessage[] = [];
  const channel = createTabChannel(app, () => {}) as TabChannel;
  channel.subscribe((m) => seen.push(m));
  return { seen, channel };
}

describe('createTabSync', () => {
  const open: TabChannel[] = [];
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });
  const app = () => `tab-sync-${randomUUID()}`;

  it('sync() resolves at once without a channel', async () => {
    const state = createSessionState();
    const sync = createTabSync(
      undefined,
      state,
      { tokens() {}, signedOut() {}, backoff() {} },
      60_000,
    );
    await sync.catchUp();
    expect(state.generation).toBe(0);
  });

  it('sync() resolves as soon as a tab with a newer session answers, long before its bound', async () => {
    const name = app();
    const a = tab(name);
    const b = tab(name);
    open.push(a.channel, b.channel);
    a.state.take(set(3));
    const started = Date.now();
    await b.sync.catchUp(); // bound 5000 ms: it is the answer that ends the wait
    expect(b.state.generation).toBe(3);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('sync() waits out its bound when nobody has anything newer', async () => {
    const name = app();
    const a = tab(name);
    const b = tab(name);
    open.push(a.channel, b.channel);
    a.state.take(set(2));
    b.state.take(set(2));
    const started = Date.now();
    await b.sync.catchUp(50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(49);
    expect(b.heard.tokens).toEqual([]);
  });

  it('answers a query from an older tab: with the session, or with the sign-out', async () => {
    const name = app();
    const a = tab(name);
    const probe = listen(name);
    open.push(a.channel, probe.channel);
    a.state.take(set(4));
    probe.channel.post({ type: 'query', generation: 1 });
    await until(() => probe.seen.length === 1, 5000, 'an answer');
    expect(probe.seen[0]).toMatchObject({ type: 'tokens', tokens: { generation: 4 } });
    a.state.end(7);
    probe.channel.post({ type: 'query', generation: 4 });
    await until(() => probe.seen.length === 2, 5000, 'a second answer');
    expect(probe.seen[1]).toMatchObject({ type: 'signed-out', generation: 7 });
    // A query from a tab as new as this one gets no answer: the next one proves the order.
    probe.channel.post({ type: 'query', generation: 7 });
    probe.channel.post({ type: 'query', generation: 0 });
    await until(() => probe.seen.length === 3, 5000, 'the answer to the older query');
    expect(probe.seen[2]).toMatchObject({ type: 'signed-out', generation: 7 });
  });

  it('passes tokens, sign-outs and backoffs on; an unknown or terminal code reads server_error', async () => {
    const name = app();
    const a = tab(name);
    const b = tab(name);
    open.push(a.channel, b.channel);
    a.sync.tokens(set(5));
    a.sync.signedOut(6);
    a.sync.backoff(6, 1500, 'rate_limited');
    a.channel.post({ type: 'backoff', generation: 6, retryInMs: 10, code: 'made_up' });
    a.channel.post({ type: 'backoff', generation: 6, retryInMs: 10, code: 'invalid_grant' });
    await until(() => b.heard.backoff.length === 3, 5000, 'three backoffs');
    expect(b.heard.tokens.map((t) => t.generation)).toEqual([5]);
    expect(b.heard.signedOut).toEqual([6]);
    expect(b.heard.backoff).toEqual([
      [6, 1500, 'rate_limited'],
      [6, 10, 'server_error'],
      [6, 10, 'server_error'],
    ]);
  });

  it('passes every transient code of errors.ts on as it is, and no terminal one', async () => {
    const name = app();
    const a = tab(name);
    const b = tab(name);
    open.push(a.channel, b.channel);
    const codes = Object.values(ErrorCode);
    for (const code of codes) a.sync.backoff(1, 10, code);
    await until(() => b.heard.backoff.length === codes.length, 5000, 'every backoff');
    expect(b.heard.backoff.map(([, , code]) => code)).toEqual(
      codes.map((code) => (isTerminalCode(code) ? 'server_error' : code)),
    );
  });

  describe('with generation locks (Web Locks)', () => {
    const BOUND = 60_000; // far past the test's timeout: only the event it waits for ends it

    it('a tab whose generation is the newest held is done when the lock manager says so, though nobody answers', async () => {
      const name = app();
      const locks = createLockManager();
      const a = tab(name, createGenerationLocks(name, locks));
      const probe = listen(name);
      open.push(a.channel, probe.channel);
      a.state.take(set(2));
      a.state.update();
      await a.sync.catchUp(BOUND);
      // It asked (in parallel with the lock manager), and nobody had anything newer to say.
      a.sync.signedOut(9);
      await until(() => probe.seen.length > 1, 5000, 'the marker');
      expect(probe.seen.map((m) => m.type)).toEqual(['query', 'signed-out']);
    });

    it('a tab behind the newest held asks, and is done when that generation arrives', async () => {
      const name = app();
      const locks = createLockManager();
      const a = tab(name, createGenerationLocks(name, locks));
      const b = tab(name, createGenerationLocks(name, locks));
      open.push(a.channel, b.channel);
      a.state.take(set(4));
      a.state.update();
      await b.sync.catchUp(BOUND);
      expect(b.state.generation).toBe(4);
    });

    it('tokens() resolves once the new generation’s lock is held: the next lock holder sees it', async () => {
      const name = app();
      const locks = createLockManager();
      const generations = createGenerationLocks(name, locks);
      const a = tab(name, generations);
      open.push(a.channel);
      a.state.take(set(5));
      await a.sync.tokens(set(5));
      expect(((await locks.query()).held ?? []).map((l) => l.name)).toContain(`${name}:gen:5`);
      expect(await createGenerationLocks(name, locks).newest()).toBe(5);
      generations.close();
    });
  });
});
