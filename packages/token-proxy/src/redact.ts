/** Keeps the client secret out of what the browser receives. */

/** The secret as it could appear in an echoed request: raw and URL-encoded, longest first. */
export function secretForms(clientSecret: string): readonly string[] {
  return [
    ...new Set([
      clientSecret,
      encodeURIComponent(clientSecret),
      new URLSearchParams({ s: clientSecret }).toString().slice(2),
    ]),
  ].sort((a, b) => b.length - a.length);
}

/** The JSON text with every occurrence of the secret in its strings replaced. */
export function scrub(text: string, json: unknown, forms: readonly string[]): string {
  let changed = false;
  const clean = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const next = forms.reduce((s, form) => s.split(form).join('[redacted]'), value);
      changed ||= next !== value;
      return next;
    }
    if (Array.isArray(value)) return value.map(clean);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [clean(k) as string, clean(v)]),
      );
    }
    return value;
  };
  const cleaned = clean(json);
  return changed ? JSON.stringify(cleaned) : text;
}
