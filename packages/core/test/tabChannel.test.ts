import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createTabChannel,
  MAX_COUNT,
  PROTOCOL_VERSION,
  parseTabMessage,
  type ReceivedMessage,
  type TabChannel,
} from '../src/tabChannel.js';
import { isTokenSet } from '../src/tokenSet.js';
import { until } from './support.js';

const numRuns = Number(process.env.FUZZ_RUNS) || 300;
const APP = 'baton-test-app';

const count = (v: unknown) =>
  Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= MAX_COUNT;

/**
 * The oracle, written apart from the implementation: what a well-formed message is. (The
 * TokenSet's own shape is `isTokenSet`'s business, tested with it.)
 */
function wellFormed(data: unknown, app: string): boolean {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
  const m = data as Record<string, unknown>;
  if (m.app !== app || m.v !== 1) return false;
  if (typeof m.from !== 'string' || m.from === '' || m.from.length > 64) return false;
  switch (m.type) {
    case 'tokens':
      return isTokenSet(m.tokens) && count(m.tokens.generation);
    case 'signed-out':
    case 'query':
      return count(m.generation);
    case 'backoff':
      return (
        count(m.generation) &&
        count(m.retryInMs) &&
        typeof m.code === 'string' &&
        /^[a-z_]{1,32}$/.test(m.code)
      );
    case 'claim':
      return count(m.clock);
    case 'held':
      return count(m.leaseMs) && (m.clock === undefined || count(m.clock));
    case 'release':
      return true;
    default:
      return false;
  }
}

const odd = fc.oneof(
  fc.constantFrom(
    null,
    undefined,
    true,
    '',
    '1',
    -1,
    0.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.MAX_SAFE_INTEGER,
    MAX_COUNT,
    MAX_COUNT + 1,
    2 ** 53,
    -0,
    [],
    {},
  ),
  fc.jsonValue({ maxDepth: 2 }),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 80 }),
);
const tokenSet = fc.record(
  {
    accessToken: fc.string({ minLength: 1, maxLength: 20 }),
    refreshToken: fc.string({ maxLength: 20 }),
    expiresAt: fc.integer({ min: 0, max: 2 ** 45 }),
    tokenType: fc.constant('Bearer'),
    generation: fc.nat({ max: MAX_COUNT }),
    scope: fc.string({ maxLength: 10 }),
  },
  { requiredKeys: ['accessToken', 'expiresAt', 'tokenType', 'generation'] },
);
const valid = fc.oneof(
  fc.record({ type: fc.constant('tokens'), tokens: tokenSet }),
  fc.record({
    type: fc.constantFrom('signed-out', 'query'),
    generation: fc.nat({ max: MAX_COUNT }),
  }),
  fc.record({
    type: fc.constant('backoff'),
    generation: fc.nat({ max: MAX_COUNT }),
    retryInMs: fc.nat({ max: 100_000 }),
    code: fc.constantFrom('network', 'server_error', 'rate_limited', 'timeout'),
  }),
  fc.record({ type: fc.constant('claim'), clock: fc.nat({ max: MAX_COUNT }) }),
  fc.record(
    {
      type: fc.constant('held'),
      leaseMs: fc.nat({ max: 100_000 }),
      clock: fc.nat({ max: MAX_COUNT }),
    },
    { requiredKeys: ['type', 'leaseMs'] },
  ),
  fc.constant({ type: 'release' }),
);
const envelope = fc.record({
  v: fc.constant(PROTOCOL_VERSION),
  app: fc.constant(APP),
  from: fc.string({ minLength: 1, maxLength: 64 }),
});
/** A well-formed message, sometimes with one field (of it, or of its tokens) replaced or gone. */
const nearValid = fc
  .tuple(
    envelope,
    valid,
    fc.boolean(),
    fc.string({ maxLength: 12 }),
    fc.option(odd, { nil: undefined }),
  )
  .map(([env, body, mutate, key, value]) => {
    const message: Record<string, unknown> = { ...env, ...body };
    if (!mutate) return message;
    const keys = [...Object.keys(message), key];
    const field = keys[key.length % keys.length] ?? key;
    if (field === 'tokens' && typeof message.tokens === 'object' && value !== undefined) {
      const tokens = { ...(message.tokens as Record<string, unknown>) };
      const inner = Object.keys(tokens)[key.length % Object.keys(tokens).length] ?? 'generation';
      tokens[inner] = value;
      message.tokens = tokens;
    } else if (value === undefined) delete message[field];
    else message[field] = value;
    return message;
  });

describe('parseTabMessage', () => {
  it('never throws on any value, and passes exactly the well-formed messages', () => {
    fc.assert(
      fc.property(fc.oneof(nearValid, nearValid, fc.anything(), fc.jsonValue(), odd), (data) => {
        const parsed = parseTabMessage(data, APP);
        expect(typeof parsed === 'object').toBe(wellFormed(data, APP));
        if (typeof parsed === 'string') expect(parsed.length).toBeLessThan(40);
        else expect(parsed).toBe(data);
      }),
      { numRuns },
    );
  });

  it('passes every well-formed message as it is', () => {
    fc.assert(
      fc.property(envelope, valid, (env, body) => {
        const data = { ...env, ...body };
        expect(parseTabMessage(data, APP)).toEqual(data);
      }),
      { numRuns },
    );
  });

  it('checks the protocol version, the app and the sender before anything else', () => {
    const ok = { v: 1, app: APP, from: 'tab', type: 'release' };
    expect(parseTabMessage(ok, APP)).toEqual(ok);
    for (const v of [0, 2, '1', undefined, null, 1.5])
      expect(parseTabMessage({ ...ok, v }, APP)).toBe('unknown version');
    expect(parseTabMessage({ ...ok, app: 'another-app' }, APP)).toBe('other channel');
    expect(parseTabMessage({ ...ok, app: undefined }, APP)).toBe('other channel');
    for (const from of ['', 'x'.repeat(65), 7, null, undefined, {}])
      expect(parseTabMessage({ ...ok, from }, APP)).toBe('bad sender');
    // The send time is optional; when there, an integer (ms).
    expect(parseTabMessage({ ...ok, at: 1_800_000_000_000 }, APP)).toMatchObject({ at: 1.8e12 });
    for (const at of ['1', 1.5, Number.NaN, 2 ** 53, null, {}])
      expect(parseTabMessage({ ...ok, at }, APP)).toBe('bad time');
    for (const data of [null, undefined, 'release', 42, true])
      expect(parseTabMessage(data, APP)).toBe('not an object');
    expect(parseTabMessage({ ...ok, type: 'hello' }, APP)).toBe('bad hello message');
    expect(parseTabMessage({ ...ok, type: 'x'.repeat(1000) }, APP)).toBe(
      `bad ${'x'.repeat(20)} message`,
    );
  });

  it('rejects counts that are not small non-negative integers (huge ones included)', () => {
    const base = { v: 1, app: APP, from: 'tab' };
    for (const bad of [
      -1,
      0.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      MAX_COUNT + 1,
      Number.MAX_SAFE_INTEGER,
      2 ** 53,
      '3',
    ]) {
      expect(parseTabMessage({ ...base, type: 'signed-out', generation: bad }, APP)).toBe(
        'bad signed-out message',
      );
      expect(parseTabMessage({ ...base, type: 'query', generation: bad }, APP)).toBe(
        'bad query message',
      );
      expect(parseTabMessage({ ...base, type: 'claim', clock: bad }, APP)).toBe(
        'bad claim message',
      );
      expect(parseTabMessage({ ...base, type: 'held', leaseMs: bad }, APP)).toBe(
        'bad held message',
      );
      expect(parseTabMessage({ ...base, type: 'held', leaseMs: 1, clock: bad }, APP)).toBe(
        'bad held message',
      );
      const tokens = { accessToken: 'a', tokenType: 'Bearer', expiresAt: 1, generation: bad };
      expect(parseTabMessage({ ...base, type: 'tokens', tokens }, APP)).toBe('bad tokens message');
    }
    expect(parseTabMessage({ ...base, type: 'claim', clock: MAX_COUNT }, APP)).not.toBeTypeOf(
      'string',
    );
  });

  it('rejects malformed token sets', () => {
    const base = { v: 1, app: APP, from: 'tab', type: 'tokens' };
    const good = { accessToken: 'a', tokenType: 'Bearer', expiresAt: 1, generation: 2 };
    expect(parseTabMessage({ ...base, tokens: good }, APP)).not.toBeTypeOf('string');
    for (const tokens of [
      undefined,
      null,
      'token',
      [],
      { ...good, accessToken: '' },
      { ...good, accessToken: 5 },
      { ...good, expiresAt: Number.NaN },
      { ...good, expiresAt: '1' },
      { ...good, generation: -1 },
      { ...good, refreshToken: 5 },
      { ...good, claims: 'x' },
      { ...good, tokenType: undefined },
    ])
      expect(parseTabMessage({ ...base, tokens }, APP)).toBe('bad tokens message');
  });
});

describe('createTabChannel over a real BroadcastChannel', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const close of cleanup.splice(0)) close();
    vi.unstubAllGlobals();
  });

  function open(name: string) {
    const rejected: string[] = [];
    const received: ReceivedMessage[] = [];
    const channel = createTabChannel(name, (reason) => rejected.push(reason)) as TabChannel;
    channel.subscribe((message) => received.push(message));
    cleanup.push(() => channel.close());
    return { channel, rejected, received };
  }
  function raw(name: string) {
    const channel = new BroadcastChannel(name);
    cleanup.push(() => channel.close());
    return channel;
  }

  it('delivers to the other tabs, not to the sender, with the sender id, version and app', async () => {
    const name = `chan-${randomUUID()}`;
    const a = open(name);
    const b = open(name);
    const c = open(name);
    expect(new Set([a.channel.tabId, b.channel.tabId, c.channel.tabId]).size).toBe(3);
    const posted = Date.now();
    a.channel.post({ type: 'query', generation: 3 });
    await until(() => b.received.length === 1 && c.received.length === 1, 5000, 'delivery');
    expect(b.received[0]).toEqual({
      type: 'query',
      generation: 3,
      v: PROTOCOL_VERSION,
      app: name,
      from: a.channel.tabId,
      at: expect.any(Number),
    });
    expect(b.received[0]!.at! - posted).toBeGreaterThanOrEqual(0);
    expect(b.received[0]!.at! - posted).toBeLessThan(100);
    // The sender's own object never hears it (b and c already have it: delivery is done).
    expect(a.received).toEqual([]);
    expect([...a.rejected, ...b.rejected, ...c.rejected]).toEqual([]);
  });

  it("keeps one sender's order", async () => {
    const name = `chan-${randomUUID()}`;
    const a = open(name);
    const b = open(name);
    for (let clock = 0; clock < 200; clock++) a.channel.post({ type: 'claim', clock });
    await until(() => b.received.length === 200, 2000, 'all');
    expect(b.received.map((m) => (m.type === 'claim' ? m.clock : -1))).toEqual([
      ...Array(200).keys(),
    ]);
  });

  it('rejects junk with a reason and tells no listener', async () => {
    const name = `chan-${randomUUID()}`;
    const a = open(name);
    const junk = raw(name);
    const env = { v: PROTOCOL_VERSION, app: name, from: 'junk' };
    const messages: unknown[] = [
      'hello',
      42,
      null,
      [1, 2],
      { ...env, v: 2, type: 'release' },
      { ...env, app: 'other-app', type: 'release' },
      { ...env, from: '', type: 'release' },
      { ...env, type: 'signed-out', generation: Number.MAX_SAFE_INTEGER },
      { ...env, type: 'claim', clock: 1e300 },
      {
        ...env,
        type: 'tokens',
        tokens: { accessToken: '', tokenType: 'Bearer', expiresAt: 1, generation: 1 },
      },
      { ...env, type: 'hello' },
    ];
    for (const message of messages) junk.postMessage(message);
    await until(() => a.rejected.length === messages.length, 5000, 'rejections');
    expect(a.received).toEqual([]);
    expect(a.rejected).toEqual([
      'not an object',
      'not an object',
      'not an object',
      'other channel',
      'unknown version',
      'other channel',
      'bad sender',
      'bad signed-out message',
      'bad claim message',
      'bad tokens message',
      'bad hello message',
    ]);
  });

  it("hears nothing of another app's channel", async () => {
    const mine = open(`app-a-${randomUUID()}`);
    const b = `app-b-${randomUUID()}`;
    const theirs = open(b);
    const witness = open(b);
    theirs.channel.post({ type: 'signed-out', generation: 9 });
    // Delivered on their channel (the witness has it); not on ours.
    await until(() => witness.received.length === 1, 5000, 'delivery on their channel');
    expect(mine.received).toEqual([]);
    expect(mine.rejected).toEqual([]);
  });

  it('stops delivering when closed, and posting after close does not throw', async () => {
    const name = `chan-${randomUUID()}`;
    const a = open(name);
    const b = open(name);
    const witness = open(name);
    b.channel.close();
    a.channel.post({ type: 'release' });
    // Delivered to the open tab (the witness has it); not to the closed one.
    await until(() => witness.received.length === 1, 5000, 'delivery to the open tab');
    expect(b.received).toEqual([]);
    a.channel.close();
    expect(() => a.channel.post({ type: 'release' })).not.toThrow();
  });

  it('is absent where BroadcastChannel is', () => {
    vi.stubGlobal('BroadcastChannel', undefined);
    expect(createTabChannel('x', () => {})).toBeUndefined();
  });
});
