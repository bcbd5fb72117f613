import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { oidc } from '../src/dialects/standard.js';
import { BatonError } from '../src/errors.js';
import { createTokenManager } from '../src/index.js';
import { createEndSessionRequest, revokeToken, signOut } from '../src/signOut.js';
import { routes } from './httpStub.js';

let provider: Awaited<ReturnType<typeof routes>>;
beforeAll(async () => {
  provider = await routes();
});
afterEach(() => provider.reset());
afterAll(() => provider.close());

const WELL_KNOWN = '/.well-known/openid-configuration';
const REFRESH = 'rt-secret-0123456789';
const publish = (extra: Record<string, string> = {}) =>
  provider.json(WELL_KNOWN, {
    issuer: provider.url,
    token_endpoint: `${provider.url}/token`,
    revocation_endpoint: `${provider.url}/revoke`,
    end_session_endpoint: `${provider.url}/logout`,
    ...extra,
  });

/** A manager of this tab alone, signed in with tokens given to it. */
function signedIn(clientSecret?: string) {
  const manager = createTokenManager({
    dialect: oidc({ issuer: provider.url, clientId: 'spa', ...(clientSecret && { clientSecret }) }),
    channel: false,
  });
  manager.setTokens({
    accessToken: 'at-1',
    refreshToken: REFRESH,
    idToken: 'id.token.1',
    expiresAt: Date.now() + 60_000,
  });
  return manager;
}
const revocations = () => provider.seen.filter((s) => s.path === '/revoke');

describe('signOut (RFC 7009 revocation)', () => {
  it('signs out here, then revokes the refresh token once', async () => {
    publish();
    provider.json('/revoke', {}, 200);
    const manager = signedIn('s3cret');
    await manager.ready;
    const events: string[] = [];
    manager.onEvent((e) => events.push(e.type));
    expect(await signOut(manager)).toEqual({ revoked: true });
    expect(manager.getSnapshot().status).toBe('signed-out');
    expect(events).toContain('signed-out');
    expect(revocations()).toHaveLength(1);
    expect(Object.fromEntries(new URLSearchParams(revocations()[0]?.body))).toEqual({
      token: REFRESH,
      token_type_hint: 'refresh_token',
      client_id: 'spa',
      client_secret: 's3cret',
    });
  });

  it('keeps the sign-out when the provider fails, and names why without the token', async () => {
    publish();
    provider.json(
      '/revoke',
      { error: 'temporarily_unavailable', error_description: `no ${REFRESH}` },
      503,
    );
    const manager = signedIn();
    const result = await signOut(manager);
    expect(result.revoked).toBe(false);
    expect(result.error).toBeInstanceOf(BatonError);
    expect(result.error?.code).toBe('server_error');
    expect(result.error?.status).toBe(503);
    expect(JSON.stringify([result.error?.message, result.error?.description])).not.toContain(
      REFRESH,
    );
    expect(manager.getSnapshot().status).toBe('signed-out');
  });

  it('sends nothing with revoke: false, without a session, or without an endpoint', async () => {
    publish({ revocation_endpoint: undefined as unknown as string });
    provider.json('/revoke', {}, 200);
    expect(await signOut(signedIn())).toEqual({ revoked: false });
    publish();
    expect(await signOut(signedIn(), { revoke: false })).toEqual({ revoked: false });
    const manager = signedIn();
    await manager.signOut();
    expect(await signOut(manager)).toEqual({ revoked: false });
    expect(revocations()).toHaveLength(0);
  });

  it('still signs out when the metadata cannot be read', async () => {
    const manager = signedIn();
    const result = await signOut(manager);
    expect(result.error?.code).toBe('invalid_metadata');
    expect(manager.getSnapshot().status).toBe('signed-out');
  });

  it('revokeToken: a TypeError without an endpoint, the endpoint’s error otherwise', async () => {
    publish({ revocation_endpoint: undefined as unknown as string });
    const dialect = oidc({ issuer: provider.url, clientId: 'spa' });
    await expect(revokeToken(dialect, 'x', 'access_token')).rejects.toThrow(TypeError);
    publish();
    provider.json('/revoke', { error: 'unsupported_token_type' }, 400);
    const other = oidc({ issuer: provider.url, clientId: 'spa' });
    await expect(revokeToken(other, 'x', 'access_token')).rejects.toMatchObject({
      code: 'invalid_request',
      providerCode: 'unsupported_token_type',
      terminal: false,
    });
  });
});

describe('createEndSessionRequest (RP-Initiated Logout 1.0 §2)', () => {
  it('posts the hint in a form by default, and puts it in the URL only when asked', async () => {
    publish();
    const dialect = oidc({ issuer: provider.url, clientId: 'spa' });
    expect(createEndSessionRequest(dialect, 'id.t')).toBeUndefined(); // not discovered yet
    await dialect.discover?.();
    const options = {
      postLogoutRedirectUri: 'https://app.example/bye',
      state: 's1',
      extraParams: { ui_locales: 'fr', client_id: 'not-this' },
    };
    expect(createEndSessionRequest(dialect, 'id.t', options)).toEqual({
      method: 'POST',
      url: `${provider.url}/logout`,
      params: {
        ui_locales: 'fr',
        id_token_hint: 'id.t',
        client_id: 'spa',
        post_logout_redirect_uri: 'https://app.example/bye',
        state: 's1',
      },
    });
    const get = createEndSessionRequest(dialect, undefined, { ...options, method: 'GET' });
    const url = new URL(get?.url ?? '');
    expect(url.origin + url.pathname).toBe(`${provider.url}/logout`);
    expect(url.searchParams.get('client_id')).toBe('spa');
    expect(url.searchParams.has('id_token_hint')).toBe(false);
  });
});
