// @baton/core against a provider somebody else wrote: panva's certified oidc-provider, on
// 127.0.0.1, with a public client, PKCE, refresh-token rotation and reuse detection. No browser:
// its login and consent pages are driven over HTTP (authorizeHeadless).
import {
  authorizeHeadless,
  type RunningOidcProvider,
  startOidcProvider,
} from '@baton/oidc-test-provider';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { oidc } from '../src/dialects/standard.js';
import { createTokenManager, isBatonError, type TokenManager } from '../src/index.js';
import {
  checkNonce,
  createAuthorizeRequest,
  parseRedirectCallback,
} from '../src/redirectSignIn.js';
import { createEndSessionRequest, signOut } from '../src/signOut.js';
import type { TokenSet } from '../src/types.js';
import { lastSaved, memoryTransactions, until } from './support.js';

const REDIRECT = 'http://127.0.0.1:5173/callback';
let provider: RunningOidcProvider;
const managers: TokenManager[] = [];
beforeAll(async () => {
  provider = await startOidcProvider({ accessTtl: 60, redirectUris: [REDIRECT] });
});
afterEach(() => {
  for (const m of managers.splice(0)) m.destroy();
  provider.reset();
});
afterAll(() => provider.close());

/**
 * Signs in by redirect through the provider's own pages. `saved()` is the last TokenSet the
 * manager stored (a session store is where an app would see it too).
 */
async function signIn(scope = 'openid profile email') {
  const dialect = oidc({ issuer: provider.issuer, clientId: provider.clientId, scope });
  const { storage, saved } = lastSaved();
  const manager = createTokenManager({ dialect, channel: false, storage });
  managers.push(manager);
  const transactions = memoryTransactions();
  const { url } = await createAuthorizeRequest(dialect, { redirectUri: REDIRECT }, transactions);
  const {
    nonce,
    state: _state,
    ...grant
  } = parseRedirectCallback(await authorizeHeadless(url), transactions);
  await manager.signInWithGrant(grant, { verify: (r) => checkNonce(r.idToken, nonce) });
  return { dialect, manager, saved };
}

describe('a standard OpenID Connect provider (oidc-provider)', () => {
  it('signs in by redirect with PKCE and a nonce, and shows the ID token’s claims as the profile', async () => {
    const { manager, dialect } = await signIn();
    const snapshot = manager.getSnapshot();
    expect(snapshot.status).toBe('valid');
    expect(snapshot.profile).toMatchObject({
      sub: 'alice',
      iss: provider.issuer,
      aud: provider.clientId,
    });
    expect(snapshot.profile?.nonce).toEqual(expect.any(String));
    // The access token is opaque here: its claims are not the ID token's.
    expect(snapshot.claims).toBeUndefined();
    expect(dialect.tokenUrl).toBe(`${provider.issuer}/token`);
    expect(provider.stats()).toMatchObject({ codeExchanges: 1, discoveryRequests: 1 });
  });

  it('refreshes across several rotations with no scope sent, never reusing a refresh token', async () => {
    // The provider grants less than asked (no offline_access without prompt=consent): asking
    // for the sign-in scope again on a refresh got invalid_scope, and signed every tab out.
    const { manager, saved } = await signIn('openid profile offline_access');
    expect(saved()?.scope).toBe('openid profile');
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      seen.add(await manager.refresh());
      expect(manager.getSnapshot().generation).toBe(i + 2);
    }
    expect(seen.size).toBe(4);
    const stats = provider.stats();
    expect(stats.refreshes).toBe(4);
    expect(stats.refreshTokenReuse).toBe(0);
    expect(stats.refreshErrors).toEqual({});
    // The profile stays across refreshes, from the last ID token the provider sent.
    expect(manager.getSnapshot().profile?.sub).toBe('alice');
  });

  it('ends the session cleanly when an admin revokes the grant', async () => {
    const { manager } = await signIn();
    const reasons: string[] = [];
    manager.onEvent((e) => e.type === 'signed-out' && reasons.push(e.reason));
    await provider.revokeAllGrants();
    const failure = await manager.refresh().catch((e: unknown) => e);
    expect(isBatonError(failure, 'invalid_grant')).toBe(true);
    await until(() => manager.getSnapshot().status === 'signed-out', 5000, 'signed out');
    expect(reasons).toEqual(['terminal']);
    expect(manager.getSnapshot().error?.code).toBe('invalid_grant');
  });

  it('signOut revokes the refresh token at the provider: it can no longer be spent', async () => {
    const { manager, dialect, saved } = await signIn();
    const refreshToken = saved()?.refreshToken ?? '';
    expect(refreshToken).not.toBe('');
    expect(await signOut(manager)).toEqual({ revoked: true });
    expect(manager.getSnapshot().status).toBe('signed-out');
    expect(provider.stats().revocations).toBe(1);
    const again = await fetch(dialect.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: provider.clientId,
      }),
    });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('builds end-session requests the provider accepts, and one it refuses for an unknown return URI', async () => {
    const { manager, dialect, saved } = await signIn();
    const idToken = saved()?.idToken;
    expect(idToken).toEqual(expect.any(String));
    let ended: TokenSet | undefined;
    await manager.signOut({
      ended: (tokens) => {
        ended = tokens;
      },
    });
    expect(ended?.idToken).toBe(idToken);
    const send = async (postLogoutRedirectUri: string, method: 'GET' | 'POST') => {
      const request = createEndSessionRequest(dialect, idToken, {
        postLogoutRedirectUri,
        state: 'st',
        method,
      });
      if (!request) throw new Error('no end-session endpoint');
      return fetch(request.url, {
        method,
        ...(method === 'POST' && { body: new URLSearchParams(request.params) }),
      });
    };
    for (const method of ['GET', 'POST'] as const) {
      const ok = await send(REDIRECT, method);
      expect(ok.status).toBe(200);
      expect(await ok.text()).not.toMatch(
        /invalid_request|post_logout_redirect_uri not registered/,
      );
      const refused = await send('https://evil.example/', method);
      expect(await refused.text()).toMatch(/post_logout_redirect_uri not registered/);
    }
  });
});
