import type { Context } from 'hono';
import { authenticateClient } from '../clientAuth.js';
import { DEMO_USERS } from '../clients.js';
import type { AppEnv, Deps } from '../context.js';
import { type DialectSpec, defaultErrorCode, type TokenError } from '../dialects/dialect.js';
import type { RequestTraits } from '../faults.js';
import { alreadySent, json, NO_STORE } from '../http.js';
import type { FaultAnswers } from '../inject.js';
import { withFaults } from '../inject.js';
import {
  type BasicCredentials,
  decodeUtf8,
  isFormContentType,
  type Params,
  param,
  parseBasicAuth,
  parseUrlEncoded,
  rawQuery,
  readBody,
  secretEquals,
} from '../params.js';
import type { Family, Issued } from '../sessions.js';
import {
  bindingRefusal,
  type DpopBindingRefusal,
  NO_PROOF,
  settleTokenProof,
  tokenProof,
  withNonce,
} from './dpopGate.js';

type ReadResult =
  | { readonly kind: 'ok'; readonly params: Params; readonly basic: BasicCredentials }
  | { readonly kind: 'error'; readonly error: TokenError }
  | { readonly kind: 'aborted' };

/**
 * One seed token endpoint: read the request, apply faults, then check the DPoP proof (the CIAM
 * route, with the `dpop` option; every answer then carries the nonce, if on) and run the grant.
 */
export function tokenRoute(spec: DialectSpec, deps: Deps) {
  const { dialect } = spec.client;
  const dpop = dialect === 'ciam' && deps.settings.dpop !== 'off';
  const answers: FaultAnswers = {
    status: (status, error) =>
      spec.renderError({ kind: 'injected', status, error: error ?? defaultErrorCode(status) }),
    sampleBody: spec.sampleBody,
    wrongTypesBody: spec.wrongTypesBody,
  };

  return async (c: Context<AppEnv>): Promise<Response> => {
    deps.stats.count('tokenRequests', dialect);
    c.set('note', dialect);
    const read = await readTokenRequest(c, spec, deps.settings.bodyLimit);
    if (read.kind === 'aborted') {
      c.set('note', `${dialect} dropped: client left while sending`);
      return alreadySent();
    }
    const grant = read.kind === 'ok' ? param(read.params, 'grant_type') : undefined;
    if (grant === 'refresh_token' || grant === 'password' || grant === 'authorization_code') {
      c.set('note', `${dialect} ${grant}`);
    }
    const traits: RequestTraits = { route: 'token', dialect, grant };
    const response = await withFaults(c, deps, traits, answers, async () => {
      if (read.kind !== 'ok') return errorAnswer(deps, spec, read.error);
      const proof = dpop ? await tokenProof(c, deps) : NO_PROOF;
      if (proof instanceof Response) return proof;
      const result = await runGrant(c, spec, deps, read, proof.jkt);
      const binding = 'kind' in result && result.kind === 'dpop_binding' ? result : undefined;
      const refused = dpop ? settleTokenProof(c, deps, proof, binding) : undefined;
      if (refused !== undefined) return refused;
      if ('body' in result) return json(200, result.body, NO_STORE);
      return errorAnswer(deps, spec, result as TokenError);
    });
    return dpop ? withNonce(deps, response) : response;
  };
}

function errorAnswer(deps: Deps, spec: DialectSpec, error: TokenError): Response {
  countError(deps, spec, error);
  const rendered = spec.renderError(error);
  return json(rendered.status, rendered.body, {
    ...NO_STORE,
    ...rendered.headers,
    ...transportHeaders(spec, error),
  });
}

async function readTokenRequest(
  c: Context<AppEnv>,
  spec: DialectSpec,
  bodyLimit: number,
): Promise<ReadResult> {
  const { client } = spec;
  const { incoming } = c.env;
  if (c.req.method !== client.method) {
    return invalid(`method must be ${client.method}`, 405);
  }
  let bodyText = '';
  if (client.method === 'POST') {
    // Read even where the body is ignored (EIAM), so that the size limit holds everywhere.
    const body = await readBody(incoming, bodyLimit);
    if (body.kind === 'aborted') return body;
    if (body.kind === 'too-large') {
      return invalid(`request body larger than ${bodyLimit} bytes`, 413);
    }
    if (client.paramsIn === 'form') {
      if (!isFormContentType(c.req.header('content-type'))) {
        return invalid('Content-Type must be application/x-www-form-urlencoded');
      }
      const text = decodeUtf8(body.bytes);
      if (text === undefined) return invalid('request body is not valid UTF-8');
      bodyText = text;
    }
  }
  // Each seed puts the parameters in exactly one place; the other is ignored.
  const parsed = parseUrlEncoded(client.paramsIn === 'form' ? bodyText : rawQuery(incoming.url));
  if (!parsed.ok) return invalid(parsed.description);
  const basic: BasicCredentials = spec.basicAuth
    ? parseBasicAuth(c.req.header('authorization'))
    : { kind: 'none' };
  return { kind: 'ok', params: parsed.params, basic };
}

/** 405 names the method to use; 413 closes the connection rather than read more junk. */
function transportHeaders(spec: DialectSpec, error: TokenError): Record<string, string> {
  if (error.kind !== 'invalid_request') return {};
  if (error.status === 405) return { Allow: spec.client.method };
  if (error.status === 413) return { Connection: 'close' };
  return {};
}

function invalid(description: string, status?: 405 | 413): ReadResult {
  return {
    kind: 'error',
    error:
      status === undefined
        ? { kind: 'invalid_request', description }
        : { kind: 'invalid_request', description, status },
  };
}

async function runGrant(
  c: Context<AppEnv>,
  spec: DialectSpec,
  deps: Deps,
  read: Extract<ReadResult, { kind: 'ok' }>,
  /** The DPoP key the request proved (RFC 9449 §5): the tokens are bound to it. */
  jkt: string | undefined,
): Promise<Issued | TokenError | DpopBindingRefusal> {
  const { params } = read;
  const { dialect } = spec.client;
  const grantType = param(params, 'grant_type');
  if (grantType === undefined) return { kind: 'missing', param: 'grant_type' };
  if (
    grantType !== 'refresh_token' &&
    grantType !== 'password' &&
    grantType !== 'authorization_code'
  ) {
    return { kind: 'unsupported_grant_type' };
  }
  const clientError = authenticateClient(spec, deps, params, read.basic);
  if (clientError !== undefined) return clientError;
  const mint = (family: Family, nonce?: string) =>
    spec.mint({
      family,
      now: deps.now(),
      issuer: deps.issuer(),
      accessTtl: deps.settings.accessTtl,
      refreshTtl: deps.settings.refreshTtl,
      keys: deps.keys,
      nonce,
    });

  if (grantType === 'authorization_code') {
    // RFC 6749 §4.1.3 with RFC 7636 §4.5: all three are required (PKCE is not optional here).
    const code = param(params, 'code');
    if (code === undefined) return { kind: 'missing', param: 'code' };
    const redirectUri = param(params, 'redirect_uri');
    if (redirectUri === undefined) return { kind: 'missing', param: 'redirect_uri' };
    const verifier = param(params, 'code_verifier');
    if (verifier === undefined) return { kind: 'missing', param: 'code_verifier' };
    const outcome = await deps.store.exchangeCode(
      code,
      dialect,
      spec.client.clientId,
      redirectUri,
      verifier,
      (family, grant) => mint(family, grant.nonce),
      jkt,
    );
    if (outcome.kind === 'signed-in') {
      deps.stats.count('signIns', dialect);
      c.set('note', `${dialect} authorization_code signed in`);
      return outcome.issued;
    }
    const { reason } = outcome;
    c.set('note', `${dialect} authorization_code ${reason}`);
    if (reason === 'dpop-key' || reason === 'dpop-missing') {
      deps.stats.count('signInFailures', dialect);
      return bindingRefusal(reason);
    }
    return {
      kind: 'bad_code',
      reason: reason === 'redirect_uri' || reason === 'code_verifier' ? reason : 'code',
    };
  }

  if (grantType === 'refresh_token') {
    const refreshToken = param(params, 'refresh_token');
    if (refreshToken === undefined) return { kind: 'missing', param: 'refresh_token' };
    // RFC 6749 §6: the scope of a refresh is optional and must not exceed what was granted.
    const scope = param(params, 'scope');
    if (scope !== undefined && spec.grantedScope !== undefined) {
      const granted = new Set(spec.grantedScope.split(' '));
      if (scope.split(' ').some((s) => s !== '' && !granted.has(s))) {
        c.set('note', `${dialect} refresh_token invalid_scope`);
        return { kind: 'invalid_scope' };
      }
    }
    const outcome = await deps.store.refresh(
      dialect,
      spec.client.clientId,
      refreshToken,
      spec.invalidatesPreviousAccess,
      mint,
      jkt,
    );
    c.set(
      'note',
      `${dialect} refresh_token ${outcome.kind === 'rejected' ? outcome.reason : outcome.kind}`,
    );
    switch (outcome.kind) {
      case 'rotated':
        deps.stats.count('refreshes', dialect);
        return outcome.issued;
      case 'replayed':
        deps.stats.count('graceReplays', dialect);
        return outcome.issued;
      case 'rejected':
        if (outcome.reason === 'dpop-key' || outcome.reason === 'dpop-missing') {
          return bindingRefusal(outcome.reason);
        }
        if (outcome.reason === 'reused') deps.stats.count('reuseDetected', dialect);
        return { kind: 'invalid_grant' };
    }
  }

  const username = param(params, 'username');
  if (username === undefined) return { kind: 'missing', param: 'username' };
  const password = param(params, 'password');
  if (password === undefined) return { kind: 'missing', param: 'password' };
  const user = DEMO_USERS.find((u) => u.username === username);
  // Compare even for an unknown user, so timing does not tell which users exist.
  const passwordOk = secretEquals(password, user?.password ?? '\u0000');
  if (user === undefined || !passwordOk) {
    c.set('note', `${dialect} password refused`);
    return { kind: 'bad_credentials' };
  }
  const issued = await deps.store.signIn(dialect, spec.client.clientId, user, mint, jkt);
  deps.stats.count('signIns', dialect);
  c.set('note', `${dialect} password signed in`);
  return issued;
}

function countError(deps: Deps, spec: DialectSpec, error: TokenError): void {
  const { dialect } = spec.client;
  switch (error.kind) {
    case 'invalid_grant':
      deps.stats.count('invalidGrant', dialect);
      break;
    case 'bad_credentials':
    case 'bad_code':
      deps.stats.count('signInFailures', dialect);
      break;
    case 'invalid_client':
      deps.stats.count('invalidClient', dialect);
      break;
    case 'injected':
      break;
    default:
      deps.stats.count('invalidRequest', dialect);
  }
}
