import { errorFromResponse } from './dialect.js';
import { BatonError, isBatonError } from './errors.js';
import { send } from './http.js';
import { misuse } from './options.js';
import type { TokenManager } from './tokenManagerTypes.js';
import type { Dialect, DiscoverOptions, TokenSet } from './types.js';
import { defined } from './util.js';

/** Options of {@link signOut}. */
export interface SignOutOptions extends Omit<DiscoverOptions, 'signal'> {
  /**
   * Revoke the refresh token (else the access token) at the provider (RFC 7009), where the
   * dialect has a revocation endpoint. Default `true`.
   */
  readonly revoke?: boolean;
  /**
   * End the provider's session too (OpenID Connect RP-Initiated Logout 1.0): this tab leaves for
   * the provider's `end_session_endpoint`, where the dialect has one. Default `true`; with
   * `false` the provider's session stays, and the next sign-in may not ask for a password.
   */
  readonly endSession?: boolean;
  /** Where the provider sends the user back after logging out: registered with the provider. */
  readonly postLogoutRedirectUri?: string;
  /** Handed back to `postLogoutRedirectUri` as it is (RP-Initiated Logout §2). */
  readonly state?: string;
  /** More parameters (`ui_locales`, `logout_hint`…); they never replace Baton's own. */
  readonly extraParams?: Readonly<Record<string, string>>;
  /**
   * How the end-session request goes: `POST` (default), a form, so that the ID token hint never
   * sits in a URL (history, server logs, `Referer`); `GET` for a provider that takes no POST
   * (§2 asks providers to take both).
   */
  readonly method?: 'GET' | 'POST';
}

/** What {@link signOut} did at the provider. */
export interface SignOutResult {
  /** Whether the provider confirmed the revocation (RFC 7009 §2.2: `200`). */
  readonly revoked: boolean;
  /** Why not, when a revocation was tried (or the provider's metadata could not be read). */
  readonly error?: BatonError;
}

/** An RP-Initiated Logout request: for `GET` the URL carries `params`, for `POST` the form does. */
export interface EndSessionRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Revokes `token`; `false` when the dialect has no revocation endpoint. */
async function revoke(
  dialect: Dialect,
  token: string,
  hint: 'refresh_token' | 'access_token',
  options: DiscoverOptions,
): Promise<boolean> {
  await dialect.discover?.(options);
  const request = dialect.buildRevocationRequest?.(token, hint);
  if (!request) return false;
  const redact = (text: string) => text.split(token).join('[redacted]');
  const response = await send(request, { ...options, redact, what: 'Revocation endpoint' });
  if (response.status === 200) return true;
  const { code, status, providerCode, description, retryAfterMs } = errorFromResponse({
    ...response,
    body: redact(response.body),
  });
  throw new BatonError(
    code,
    `Revocation endpoint answered ${status}`,
    defined({ status, providerCode, description, retryAfterMs, terminal: false }),
  );
}

/**
 * Revokes `token` at the provider (RFC 7009 §2.1), with the dialect's revocation request.
 * Resolves on `200` (which RFC 7009 §2.2 also answers for a token already invalid); rejects with
 * a {@link BatonError} otherwise (the endpoint's error, `network`, `timeout`,
 * `invalid_metadata`), and with a `TypeError` when the dialect has no revocation endpoint. No
 * error carries the token.
 */
export async function revokeToken(
  dialect: Dialect,
  token: string,
  hint: 'refresh_token' | 'access_token',
  options: DiscoverOptions = {},
): Promise<void> {
  if (!(await revoke(dialect, token, hint, options)))
    throw misuse(`the ${dialect.name} dialect has no revocation endpoint`);
}

/**
 * Builds the RP-Initiated Logout 1.0 request (§2) to the dialect's `end_session_endpoint`:
 * `id_token_hint` when there is an ID token, `client_id`, `post_logout_redirect_uri`, `state`.
 * `undefined` when the dialect has no end-session endpoint (await `dialect.discover()` first
 * for one that discovers it).
 */
export function createEndSessionRequest(
  dialect: Dialect,
  idToken: string | undefined,
  options: Pick<SignOutOptions, 'postLogoutRedirectUri' | 'state' | 'extraParams' | 'method'> = {},
): EndSessionRequest | undefined {
  const { endSessionUrl } = dialect;
  if (!endSessionUrl) return undefined;
  const own = defined({
    id_token_hint: idToken,
    client_id: dialect.clientId,
    post_logout_redirect_uri: options.postLogoutRedirectUri,
    state: options.state,
  });
  const params: Record<string, string> = { ...options.extraParams, ...own };
  const method = options.method ?? 'POST';
  if (method === 'POST') return { method, url: endSessionUrl, params };
  const url = new URL(endSessionUrl, globalThis.location?.href);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { method, url: url.href, params };
}

/** Leaves this page for the end-session endpoint: a `GET` navigation, or a submitted form. */
function leave({ method, url, params }: EndSessionRequest): void {
  if (method === 'GET') {
    location.assign(url);
    return;
  }
  const form = document.createElement('form');
  form.method = 'post';
  form.action = url;
  form.hidden = true;
  for (const [name, value] of Object.entries(params)) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
}

/**
 * Signs out the way users expect of a provider's app: every tab of the app signs out at once
 * (the others without a navigation); then this tab alone revokes the refresh token at the
 * provider (RFC 7009), and leaves for the provider's end-session endpoint (OpenID Connect
 * RP-Initiated Logout 1.0) with the ID token as `id_token_hint`, where the provider has them.
 *
 * Resolves to what the revocation did. It never rejects for the provider's sake: the app's
 * session is over whatever the provider answers. When it leaves, the page unloads after it
 * resolves.
 */
export async function signOut(
  manager: TokenManager,
  options: SignOutOptions = {},
): Promise<SignOutResult> {
  const { dialect } = manager;
  let last: TokenSet | undefined;
  await manager.signOut({
    ended: (tokens) => {
      last = tokens;
    },
  });
  let result: SignOutResult = { revoked: false };
  const token = last?.refreshToken ?? last?.accessToken;
  try {
    if (token && options.revoke !== false) {
      const hint = last?.refreshToken ? 'refresh_token' : 'access_token';
      result = { revoked: await revoke(dialect, token, hint, options) };
    } else await dialect.discover?.(options);
  } catch (error) {
    result = { revoked: false, ...(isBatonError(error) && { error }) };
  }
  const request =
    options.endSession !== false && createEndSessionRequest(dialect, last?.idToken, options);
  if (request && typeof document !== 'undefined') leave(request);
  return result;
}
