import type { Context } from 'hono';
import { DEMO_CLIENTS, DEMO_USERS, type DemoClient } from '../clients.js';
import type { AppEnv, Deps } from '../context.js';
import {
  decodeUtf8,
  isFormContentType,
  type Params,
  param,
  parseUrlEncoded,
  rawQuery,
  readBody,
  secretEquals,
} from '../params.js';

/** One authorization endpoint for the four dialects: the `client_id` says which one. */
export const AUTHORIZE_PATH = '/oauth2/authorize';

/** No registration: any http(s) redirect URI on these hosts is accepted, and bound to the code. */
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** An `S256` challenge, like a `dpop_jkt` (RFC 7638 thumbprint), is a base64url SHA-256. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

const HEADERS = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
} as const;

/** An authorization request that passed every check. */
interface Checked {
  readonly client: DemoClient;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly state: string | undefined;
  readonly nonce: string | undefined;
  /** RFC 9449 §10: the DPoP key the code is bound to (CIAM, with the `dpop` option on). */
  readonly dpopJkt: string | undefined;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function html(status: number, body: string): Response {
  const page = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Baton mock</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;background:#f3f4f6;margin:0;display:grid;place-items:center;min-height:100vh;color:#111}
main{background:#fff;padding:2rem;border-radius:12px;box-shadow:0 2px 16px #0002;width:min(22rem,88vw)}
h1{font-size:1.35rem;margin:0 0 .5rem}p{margin:.25rem 0 1rem;color:#444}code{font-size:.9em}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input{box-sizing:border-box;width:100%;padding:.55rem;font:inherit;border:1px solid #bbb;border-radius:6px}
.row{display:flex;gap:.5rem;margin-top:1.25rem}
button{flex:1;padding:.6rem;font:inherit;border-radius:6px;border:1px solid #999;background:#fff;cursor:pointer}
button[value=allow]{background:#2456d6;border-color:#2456d6;color:#fff}
.error{color:#b00020;font-weight:600}small{color:#666}
</style></head>
<body><main>
${body}
</main></body></html>
`;
  return new Response(page, {
    status,
    headers: { 'Content-Type': 'text/html; charset=utf-8', ...HEADERS },
  });
}

/** RFC 6749 §4.1.2.1: a bad client or redirect URI is shown to the user, never redirected to. */
function refused(why: string): Response {
  return html(400, `<h1>Sign-in request refused</h1>\n<p class="error">${esc(why)}</p>`);
}

function redirect(checked: Checked, params: Record<string, string>): Response {
  const url = new URL(checked.redirectUri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  if (checked.state !== undefined) url.searchParams.set('state', checked.state);
  return new Response(null, { status: 302, headers: { Location: url.href, ...HEADERS } });
}

/** RFC 6749 §4.1.2.1: the other errors go back to the client, `state` included. */
const redirectError = (checked: Checked, error: string, description: string) =>
  redirect(checked, { error, error_description: description });

function validRedirectUri(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.includes('#')) return undefined;
  try {
    const url = new URL(raw);
    const web = url.protocol === 'http:' || url.protocol === 'https:';
    return web && LOCAL_HOSTS.has(url.hostname) && !url.username && !url.password ? raw : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks an authorization request; an error is already the answer to send. `dpop`: whether
 * `dpop_jkt` binds the code (RFC 9449 §10; otherwise it is an unknown parameter, ignored).
 */
function check(params: Params, dpop: boolean): Checked | Response {
  const clientId = param(params, 'client_id');
  const client = Object.values(DEMO_CLIENTS).find((c) => c.clientId === clientId);
  if (client === undefined) return refused('Unknown client_id.');
  const redirectUri = validRedirectUri(param(params, 'redirect_uri'));
  if (redirectUri === undefined) {
    return refused('redirect_uri must be an http(s) URL on 127.0.0.1 or localhost, no fragment.');
  }
  const codeChallenge = param(params, 'code_challenge') ?? '';
  const dpopJkt = dpop && client.dialect === 'ciam' ? param(params, 'dpop_jkt') : undefined;
  const checked: Checked = {
    client,
    redirectUri,
    codeChallenge,
    state: param(params, 'state'),
    nonce: param(params, 'nonce'),
    dpopJkt,
  };
  const responseType = param(params, 'response_type');
  if (responseType === undefined) {
    return redirectError(checked, 'invalid_request', 'response_type is required');
  }
  if (responseType !== 'code') {
    return redirectError(checked, 'unsupported_response_type', 'only response_type=code');
  }
  // RFC 7636 §4.4.1; PKCE is required here, and only S256 (plain would defeat it).
  if (!S256_CHALLENGE.test(codeChallenge)) {
    return redirectError(checked, 'invalid_request', 'code_challenge is required (S256)');
  }
  if (param(params, 'code_challenge_method') !== 'S256') {
    return redirectError(checked, 'invalid_request', 'code_challenge_method must be S256');
  }
  if (dpopJkt !== undefined && !S256_CHALLENGE.test(dpopJkt)) {
    return redirectError(checked, 'invalid_request', 'dpop_jkt must be a JWK SHA-256 thumbprint');
  }
  return checked;
}

function loginPage(checked: Checked, username = 'alice', error?: string): Response {
  const { client, redirectUri, codeChallenge, state, nonce, dpopJkt } = checked;
  const hidden = Object.entries({
    client_id: client.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    state,
    nonce,
    dpop_jkt: dpopJkt,
  })
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${esc(v)}">`)
    .join('\n');
  const users = DEMO_USERS.map((u) => `${esc(u.username)} / ${esc(u.password)}`).join(', ');
  return html(
    200,
    `<h1>Sign in</h1>
<p>The <b>${client.dialect}</b> demo client <code>${esc(client.clientId)}</code> asks you to sign in; you will go back to <code>${esc(new URL(redirectUri).origin)}</code>.</p>
${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="authorize">
${hidden}
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" value="${esc(username)}" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
<div class="row"><button type="submit" name="action" value="allow">Sign in</button>
<button type="submit" name="action" value="deny" formnovalidate>Deny</button></div>
</form>
<p><small>Demo users: ${users}</small></p>`,
  );
}

/**
 * `GET /oauth2/authorize` (RFC 6749 §4.1.1 with RFC 7636 §4.3, `S256` required): the login page.
 * `POST /oauth2/authorize` (its form): the right password redirects (302) to the redirect URI
 * with a single-use code (60 s, bound to the client, the redirect URI and the challenge) and the
 * `state`; a wrong one shows the page again; "Deny" redirects with `error=access_denied`. With
 * the `dpop` option, a CIAM request's `dpop_jkt` binds the code to that key (RFC 9449 §10).
 */
export function authorizeRoute(deps: Deps) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const { method } = c.req;
    if (method !== 'GET' && method !== 'POST') {
      return new Response(null, { status: 405, headers: { Allow: 'GET, POST', ...HEADERS } });
    }
    let raw = rawQuery(c.env.incoming.url);
    if (method === 'POST') {
      if (!isFormContentType(c.req.header('content-type'))) {
        return refused('Send the form as application/x-www-form-urlencoded.');
      }
      const body = await readBody(c.env.incoming, deps.settings.bodyLimit);
      const text = body.kind === 'ok' ? decodeUtf8(body.bytes) : undefined;
      if (text === undefined) return refused('Unreadable form.');
      raw = text;
    }
    const parsed = parseUrlEncoded(raw);
    if (!parsed.ok) return refused(`Malformed request: ${parsed.description}.`);
    const checked = check(parsed.params, deps.settings.dpop !== 'off');
    if (checked instanceof Response) {
      c.set('note', `authorize refused ${checked.status === 302 ? '(redirected)' : ''}`.trim());
      return checked;
    }
    const { dialect } = checked.client;
    if (method === 'GET') {
      c.set('note', `${dialect} authorize page`);
      return loginPage(checked);
    }
    const { params } = parsed;
    if (param(params, 'action') === 'deny') {
      c.set('note', `${dialect} authorize denied`);
      return redirectError(checked, 'access_denied', 'the user denied the request');
    }
    const username = param(params, 'username') ?? '';
    const user = DEMO_USERS.find((u) => u.username === username);
    // Compare even for an unknown user, so timing does not tell which users exist.
    const passwordOk = secretEquals(param(params, 'password') ?? '', user?.password ?? '\u0000');
    if (user === undefined || !passwordOk) {
      deps.stats.count('signInFailures', dialect);
      c.set('note', `${dialect} authorize password refused`);
      return loginPage(checked, username, 'Wrong username or password.');
    }
    const code = deps.store.issueCode({
      dialect,
      clientId: checked.client.clientId,
      user,
      redirectUri: checked.redirectUri,
      codeChallenge: checked.codeChallenge,
      nonce: checked.nonce,
      dpopJkt: checked.dpopJkt,
    });
    c.set('note', `${dialect} authorize code issued`);
    return redirect(checked, { code });
  };
}
