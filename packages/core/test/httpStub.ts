import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a {@link routes} server saw it. */
export interface Seen {
  readonly method: string;
  readonly path: string;
  readonly body: string;
}
type Route = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void;

/**
 * A real HTTP server on 127.0.0.1 for a provider we do not have (a broken metadata document, a
 * revocation endpoint that fails): answers by path, records every request.
 */
export async function routes() {
  const table = new Map<string, Route>();
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = {
        method: req.method ?? '',
        path: (req.url ?? '').split('?')[0] ?? '',
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(entry);
      res.setHeader('connection', 'close');
      const route = table.get(entry.path);
      if (route) route(req, res, entry);
      else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    /** Answers `path` with JSON (or a raw string) and a status. */
    json(path: string, body: unknown, status = 200) {
      table.set(path, (_req, res) =>
        res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(typeof body === 'string' ? body : JSON.stringify(body)),
      );
    },
    on(path: string, route: Route) {
      table.set(path, route);
    },
    reset() {
      table.clear();
      seen.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
