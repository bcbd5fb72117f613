import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { decodeFormComponent, decodeUtf8, parseForm } from '@baton/token-proxy/form';

export type Params = ReadonlyMap<string, string>;

export type ParseResult = { ok: true; params: Params } | { ok: false; description: string };

export { decodeUtf8, isFormContentType } from '@baton/token-proxy/form';

/**
 * The strict form parser shared with the token proxy (`@baton/token-proxy/form`: a repeated
 * parameter or a non-UTF-8 escape is an error), as a map (also used for query strings).
 */
export function parseUrlEncoded(raw: string): ParseResult {
  const parsed = parseForm(raw);
  return parsed.ok ? { ok: true, params: new Map(parsed.params) } : parsed;
}

/** RFC 6749 §3.2: a parameter sent without a value is treated as omitted. */
export function param(params: Params, name: string): string | undefined {
  const value = params.get(name);
  return value === undefined || value === '' ? undefined : value;
}

/** The raw query string of a request target, without the `?`. */
export function rawQuery(target: string | undefined): string {
  if (target === undefined) return '';
  const q = target.indexOf('?');
  return q < 0 ? '' : target.slice(q + 1);
}

export type BodyResult =
  | { kind: 'ok'; bytes: Buffer }
  | { kind: 'too-large' }
  /** The client went away before the body was complete. */
  | { kind: 'aborted' };

/** Past this much we stop draining a too-large body and let the connection go. */
const DRAIN_CAP = 8 * 1024 * 1024;

/**
 * Reads a request body, keeping at most `limit` bytes. A larger body is drained (not kept) so
 * that the client still reads the 413 answer instead of a reset connection.
 */
export function readBody(incoming: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(incoming.headers['content-length']);
  if (Number.isFinite(declared) && declared > DRAIN_CAP) {
    return Promise.resolve({ kind: 'too-large' });
  }
  if (incoming.readableEnded) return Promise.resolve({ kind: 'ok', bytes: Buffer.alloc(0) });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyResult): void => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onGone);
      incoming.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > DRAIN_CAP) {
        incoming.pause();
        finish({ kind: 'too-large' });
      }
    };
    const onEnd = (): void =>
      finish(size > limit ? { kind: 'too-large' } : { kind: 'ok', bytes: Buffer.concat(chunks) });
    const onGone = (): void => finish({ kind: 'aborted' });
    const onClose = (): void => {
      if (!incoming.readableEnded) onGone();
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onGone);
    incoming.on('close', onClose);
    incoming.resume();
  });
}

export type BasicCredentials =
  | { kind: 'none' }
  | { kind: 'malformed' }
  | { kind: 'ok'; clientId: string; clientSecret: string };

/** RFC 6749 §2.3.1 `client_secret_basic`: both halves are form-urlencoded before base64. */
export function parseBasicAuth(header: string | undefined): BasicCredentials {
  if (header === undefined) return { kind: 'none' };
  const match = /^basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(header);
  if (!match?.[1]) {
    // Another scheme (e.g. a stray Bearer) is not client authentication at all.
    return /^basic\b/i.test(header) ? { kind: 'malformed' } : { kind: 'none' };
  }
  const decoded = decodeUtf8(Buffer.from(match[1], 'base64'));
  const colon = decoded?.indexOf(':') ?? -1;
  if (decoded === undefined || colon < 0) return { kind: 'malformed' };
  const clientId = decodeFormComponent(decoded.slice(0, colon));
  const clientSecret = decodeFormComponent(decoded.slice(colon + 1));
  if (clientId === undefined || clientSecret === undefined) return { kind: 'malformed' };
  return { kind: 'ok', clientId, clientSecret };
}

/** Compares secrets without leaking their length or content through timing. */
export function secretEquals(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
