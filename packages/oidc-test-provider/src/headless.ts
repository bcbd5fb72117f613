/**
 * Signs a user in through oidc-provider's development login and consent pages without a browser:
 * plain `fetch`, a small cookie jar, redirects followed by hand. The core's Node tests get a real
 * authorization code this way.
 */

const MAX_HOPS = 20;

interface Cookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
  readonly expiresAt: number;
}

/** Enough of RFC 6265 for one host: name, value, Path, Max-Age and Expires. */
export class CookieJar {
  readonly #cookies = new Map<string, Cookie>();

  /** Takes the Set-Cookie headers of a response to `url`. */
  store(url: URL, headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const defaultPath = url.pathname.slice(0, url.pathname.lastIndexOf('/')) || '/';
      let path = defaultPath;
      let expiresAt = Number.POSITIVE_INFINITY;
      for (const attribute of attributes) {
        const [key = '', ...rest] = attribute.split('=');
        const attributeValue = rest.join('=').trim();
        switch (key.trim().toLowerCase()) {
          case 'path':
            path = attributeValue.startsWith('/') ? attributeValue : defaultPath;
            break;
          case 'max-age':
            expiresAt = Date.now() + Number(attributeValue) * 1000;
            break;
          case 'expires':
            if (expiresAt === Number.POSITIVE_INFINITY) expiresAt = Date.parse(attributeValue);
            break;
        }
      }
      const key = `${name};${path}`;
      if (!(expiresAt > Date.now()) || value === '') this.#cookies.delete(key);
      else this.#cookies.set(key, { name, value, path, expiresAt });
    }
  }

  /** The Cookie header for a request to `url` (same host assumed), if any cookie applies. */
  header(url: URL): string | undefined {
    const now = Date.now();
    const matching = [...this.#cookies.values()]
      .filter(
        (c) =>
          c.expiresAt > now &&
          (url.pathname === c.path ||
            url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)),
      )
      .sort((a, b) => b.path.length - a.path.length);
    return matching.length > 0 ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }
}

/** The form of a devInteractions page: where it posts and which prompt it answers. */
function interactionForm(html: string, base: URL): { action: URL; prompt: string } | undefined {
  const form = /<form\b[^>]*\baction="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const prompt = /<input\b[^>]*\bname="prompt"[^>]*\bvalue="([^"]+)"/i.exec(form[2] ?? '');
  if (!prompt) return undefined;
  const action = (form[1] ?? '').replaceAll('&amp;', '&');
  return { action: new URL(action, base), prompt: prompt[1] ?? '' };
}

function errorText(html: string): string {
  const lines = [...html.matchAll(/<pre><strong>([^<]*)<\/strong>: ([^<]*)<\/pre>/g)].map(
    (m) => `${m[1]}: ${m[2]}`,
  );
  return lines.length > 0 ? lines.join(', ') : html.slice(0, 200);
}

/**
 * Drives an authorization request through the provider's devInteractions pages: signs in as
 * `login` (any login works; the password is not checked), consents, and returns the URL the
 * provider finally redirects to: the client's redirect_uri with `code`, `state` and `iss` (or
 * `error`). Throws when a page is not one it knows, or after 20 hops.
 *
 * @param url the full authorization URL (client_id, redirect_uri, PKCE challenge, state…)
 */
export function authorizeHeadless(url: string, login = 'alice'): Promise<string> {
  return authorizeWithJar(url, login, new CookieJar());
}

/** {@link authorizeHeadless} with the caller's jar: it then holds the provider's session cookie. */
export async function authorizeWithJar(
  url: string,
  login: string,
  jar: CookieJar,
): Promise<string> {
  const start = new URL(url);
  let next = start;
  let init: RequestInit = { method: 'GET' };

  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const headers = new Headers(init.headers);
    const cookie = jar.header(next);
    if (cookie !== undefined) headers.set('cookie', cookie);
    const response = await fetch(next, { ...init, headers, redirect: 'manual' });
    jar.store(next, response.headers);

    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel();
      const target = new URL(location, next);
      if (target.origin !== start.origin) return target.href;
      next = target;
      init = { method: 'GET' };
      continue;
    }

    const html = await response.text();
    const form = response.ok ? interactionForm(html, next) : undefined;
    if (!form) {
      throw new Error(
        `authorizeHeadless: unexpected ${response.status} from ${next.pathname}: ${errorText(html)}`,
      );
    }
    const body = new URLSearchParams({ prompt: form.prompt });
    if (form.prompt === 'login') {
      body.set('login', login);
      body.set('password', 'any-password');
    } else if (form.prompt !== 'consent') {
      throw new Error(`authorizeHeadless: unknown prompt ${JSON.stringify(form.prompt)}`);
    }
    next = form.action;
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    };
  }
  throw new Error(`authorizeHeadless: no redirect back to the client after ${MAX_HOPS} hops`);
}
