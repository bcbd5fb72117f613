import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { TokenProxyHandler } from '../src/index.js';

/** What the upstream received, raw: the request target as sent, headers, body text. */
export interface Received {
  readonly method: string;
  /** The request target as it came over the wire (path and raw query). */
  readonly target: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** How the fake provider answers one request. */
export type Behavior =
  | {
      readonly status: number;
      readonly body: string;
      readonly headers?: Readonly<Record<string, string>>;
      /** Wait this long before answering. */
      readonly delayMs?: number;
    }
  /** Close the connection without an answer. */
  | { readonly destroy: true };

export const okJson = (body: unknown, status = 200): Behavior => ({
  status,
  body: JSON.stringify(body),
  headers: { 'Content-Type': 'application/json' },
});

/** A tiny provider on 127.0.0.1 that records every request and answers as told. */
export async function recordingUpstream() {
  const received: Received[] = [];
  let behave: (r: Received) => Behavior = () =>
    okJson({ access_token: 'AT-1', refresh_token: 'RT-2', expires_in: 300 });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        method: req.method ?? '',
        target: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(r);
      const b = behave(r);
      if ('destroy' in b) {
        req.socket.destroy();
        return;
      }
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(b.status, b.headers ?? {});
        res.end(b.body);
      };
      if (b.delayMs) setTimeout(send, b.delayMs);
      else send();
    });
  });
  const url = await listen(server);
  return {
    url,
    received,
    /** The last request's parameters: its body's for a form body, else its query's. */
    lastParams(): URLSearchParams {
      const r = received.at(-1);
      if (!r) throw new Error('upstream received nothing');
      return new URLSearchParams(r.body !== '' ? r.body : (r.target.split('?')[1] ?? ''));
    },
    answer(fn: (r: Received) => Behavior) {
      behave = fn;
    },
    reset() {
      received.length = 0;
      behave = () => okJson({ access_token: 'AT-1', refresh_token: 'RT-2', expires_in: 300 });
    },
    close: () => close(server),
  };
}

export function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}

export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * The README's node:http adapter: serves a `Request → Response` handler with nothing but Node's
 * own modules. The body is streamed, so the handler's size limit holds.
 */
export function nodeHandler(handler: TokenProxyHandler) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      ...(hasBody && { body: Readable.toWeb(req) as ReadableStream, duplex: 'half' }),
    } as RequestInit);
    const response = await handler(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  };
}

/** A response's status, headers and body text, and the body parsed when it is JSON. */
export async function read(response: Response) {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}
