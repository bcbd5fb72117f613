import { describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../src/clients.js';
import { parseBasicAuth, parseUrlEncoded } from '../src/params.js';
import { type Issued, SessionStore } from '../src/sessions.js';
import { TestClock } from './support.js';

describe('parseUrlEncoded', () => {
  // The parser itself is the token proxy's (token-proxy/test/form.test.ts): here, the map of it.
  it('maps the shared parser', () => {
    const parsed = parseUrlEncoded('s=a+b%2Bc&&flag');
    expect(parsed.ok && Object.fromEntries(parsed.params)).toEqual({ s: 'a b+c', flag: '' });
    expect(parseUrlEncoded('code=a&code=b')).toEqual({
      ok: false,
      description: 'repeated code parameter',
    });
  });
});

describe('parseBasicAuth', () => {
  it('decodes form-encoded halves, and tells malformed from absent', () => {
    const header = `Basic ${Buffer.from('eiam-demo-client:eiam-demo-secret%2B%2F%3D').toString('base64')}`;
    expect(parseBasicAuth(header)).toEqual({
      kind: 'ok',
      clientId: 'eiam-demo-client',
      clientSecret: 'eiam-demo-secret+/=',
    });
    expect(parseBasicAuth('Basic bm9jb2xvbg==')).toEqual({ kind: 'malformed' });
    expect(parseBasicAuth('Basic')).toEqual({ kind: 'malformed' });
    expect(parseBasicAuth('Bearer abc')).toEqual({ kind: 'none' });
    expect(parseBasicAuth(undefined)).toEqual({ kind: 'none' });
  });
});

describe('SessionStore', () => {
  const user = DEMO_USERS[0]!;
  let n = 0;
  const mint = (clock: TestClock) => async (): Promise<Issued> => {
    n++;
    return {
      accessToken: `a${n}`,
      accessExpiresAt: clock.t + 60_000,
      refreshToken: `r${n}`,
      refreshExpiresAt: clock.t + 120_000,
      sub: 'alice',
      body: { n },
    };
  };

  it('forgets expired tokens as it goes, so memory stays flat', async () => {
    const clock = new TestClock();
    const store = new SessionStore({ now: clock.now, reuseGraceMs: 0 });
    for (let i = 0; i < 600; i++) await store.signIn('eiam', 'c', user, mint(clock));
    clock.advance(121);
    for (let i = 0; i < 600; i++) await store.signIn('eiam', 'c', user, mint(clock));
    const size = store.size;
    // Only the second batch is left: the first one expired and was swept.
    expect(size).toEqual({ access: 600, refresh: 600 });
    expect(store.checkAccess(`a${n}`).ok).toBe(true);
  });

  it('marks a token spent before minting finishes, so a concurrent second use is a reuse', async () => {
    const clock = new TestClock();
    const store = new SessionStore({ now: clock.now, reuseGraceMs: 0 });
    const s = await store.signIn('ciam', 'c', user, mint(clock));
    const slow = () =>
      new Promise<Issued>((resolve) => setTimeout(() => resolve(mint(clock)()), 20));
    const [a, b] = await Promise.all([
      store.refresh('ciam', 'c', s.refreshToken, false, slow),
      store.refresh('ciam', 'c', s.refreshToken, false, slow),
    ]);
    expect([a.kind, b.kind]).toEqual(['rotated', 'rejected']);
    expect(b.kind === 'rejected' && b.reason).toBe('reused');
  });
});
