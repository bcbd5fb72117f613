import { jsonHeaders, oauthError } from './answers.js';
import { readLimited } from './body.js';
import { decodeUtf8, FORM_CONTENT_TYPE, type FormParam } from './form.js';
import type { Config } from './options.js';
import { scrub } from './redact.js';

/** The request upstream, in the provider's shape, and its answer relayed to the browser. */

/** Token answers are small; anything larger is not one. */
const MAX_UPSTREAM_BYTES = 1024 * 1024;

export async function forward(
  config: Config,
  params: readonly FormParam[],
  cors: Record<string, string>,
): Promise<Response> {
  const search = new URLSearchParams();
  for (const [name, value] of params) {
    search.append(name, value);
    if (name === 'client_id') search.append('client_secret', config.clientSecret);
  }
  if (!search.has('client_secret')) search.append('client_secret', config.clientSecret);
  // URLSearchParams encodes `+`, `/` and `=` (EIAM's secret needs it: a raw `+` reads as a space).
  const encoded = search.toString();
  const inQuery = config.params === 'query';
  const url = inQuery
    ? `${config.upstream}${config.upstream.includes('?') ? '&' : '?'}${encoded}`
    : config.upstream;
  const init: RequestInit = {
    method: config.method,
    headers: inQuery
      ? { Accept: 'application/json' }
      : { Accept: 'application/json', 'Content-Type': FORM_CONTENT_TYPE },
    // A token endpoint that redirects is misconfigured; following it would resend the secret.
    redirect: 'manual',
    ...(!inQuery && { body: encoded }),
  };

  // One controller for the whole exchange; the race also ends a fetch that ignores its signal.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, config.timeoutMs);
  const stopped = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(new Error('timeout')));
  });
  let upstream: { status: number; headers: Headers; body: Uint8Array | 'too-large' };
  try {
    upstream = await Promise.race([
      (async () => {
        const res = await config.fetch(url, { ...init, signal: controller.signal });
        return {
          status: res.status,
          headers: res.headers,
          body: await readLimited(res.body, MAX_UPSTREAM_BYTES, 0),
        };
      })(),
      stopped,
    ]);
  } catch {
    // Never the error's message: a runtime may put the URL (EIAM, UAA: the secret) into it.
    return timedOut
      ? oauthError(504, 'server_error', 'token endpoint timed out', cors)
      : oauthError(502, 'server_error', 'token endpoint unreachable', cors);
  } finally {
    clearTimeout(timer);
  }
  return relay(config, upstream, cors);
}

/** The provider's answer, as the browser gets it. */
function relay(
  config: Config,
  upstream: { status: number; headers: Headers; body: Uint8Array | 'too-large' },
  cors: Record<string, string>,
): Response {
  const { status } = upstream;
  const passed: Record<string, string> = { ...cors };
  for (const name of ['Date', 'Retry-After']) {
    const value = upstream.headers.get(name);
    if (value !== null) passed[name] = value;
  }
  if (status < 200 || status > 599 || (status >= 300 && status < 400)) {
    return oauthError(502, 'server_error', 'token endpoint answered with a redirect', passed);
  }
  if (upstream.body === 'too-large') {
    return oauthError(502, 'server_error', 'token endpoint answer too large', passed);
  }
  const text = decodeUtf8(upstream.body);
  const json = text === undefined ? undefined : parseJson(text);
  if (text === undefined || json === undefined) {
    if (status < 300) {
      return oauthError(502, 'server_error', 'token endpoint answered without JSON', passed);
    }
    // Keep the status (what an app decides on); replace a body no app could read.
    const error = status >= 500 ? 'server_error' : 'invalid_request';
    return oauthError(status, error, `token endpoint answered ${status} without JSON`, passed);
  }
  // A success body carries the tokens and is passed byte for byte. An error body may echo the
  // request (some providers do): it never carries the client secret back.
  const body = status < 300 ? text : scrub(text, json.value, config.secretForms);
  return new Response(body, { status, headers: jsonHeaders(passed) });
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}
