/**
 * The strict `application/x-www-form-urlencoded` reading of Baton's servers: the token proxy's,
 * and the mock provider's (`@baton/token-proxy/form`, for Baton's own packages; not a supported
 * API). Web-standard only.
 *
 * Stricter than `URLSearchParams` on purpose: a parameter sent twice is an error (RFC 6749 §3.2:
 * "parameters MUST NOT be included more than once"), and a percent-escape that is not UTF-8 is an
 * error instead of silently becoming U+FFFD. `+` means space, as `URLSearchParams` reads it.
 *
 * @module
 */

/** One parameter, as sent (an empty value is kept: RFC 6749 §3.2 reads it as omitted). */
export type FormParam = readonly [name: string, value: string];

export type FormResult =
  | { readonly ok: true; readonly params: readonly FormParam[] }
  | { readonly ok: false; readonly description: string };

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** Parameter names an error description may name; any other name stays anonymous. */
export const KNOWN_PARAMS: ReadonlySet<string> = new Set([
  'grant_type',
  'client_id',
  'client_secret',
  'refresh_token',
  'username',
  'password',
  'code',
  'code_verifier',
  'redirect_uri',
  'scope',
]);

/**
 * The parameters of one or more form strings (a query string and a body: one set of names), in
 * order, or why they are refused. Empty parts (`a=1&&b=2`) are skipped.
 */
export function parseForm(sources: string | readonly string[]): FormResult {
  const seen = new Set<string>();
  const params: FormParam[] = [];
  for (const source of typeof sources === 'string' ? [sources] : sources) {
    for (const part of source.split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const name = decodeFormComponent(eq < 0 ? part : part.slice(0, eq));
      const value = decodeFormComponent(eq < 0 ? '' : part.slice(eq + 1));
      if (name === undefined || value === undefined) {
        return { ok: false, description: 'malformed percent-encoding' };
      }
      if (seen.has(name)) {
        const description = KNOWN_PARAMS.has(name)
          ? `repeated ${name} parameter`
          : 'repeated parameter';
        return { ok: false, description };
      }
      seen.add(name);
      params.push([name, value]);
    }
  }
  return { ok: true, params };
}

/** One form-encoded component (`+` is a space), or undefined when it is not UTF-8. */
export function decodeFormComponent(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

/** `application/x-www-form-urlencoded`, with no charset or a UTF-8 one (RFC 6749 Appendix B). */
export function isFormContentType(header: string | null | undefined): boolean {
  if (header === null || header === undefined) return false;
  const [type, ...rest] = header.split(';').map((s) => s.trim().toLowerCase());
  if (type !== FORM_CONTENT_TYPE) return false;
  return rest.every((p) => {
    const [name, value] = p.split('=', 2);
    return p === '' || name !== 'charset' || value?.replaceAll('"', '') === 'utf-8';
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8, or undefined when the bytes are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
