/** A loopback HTTP server with a route table, for download and mirror tests without the network. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route =
  | { body: Buffer | string; status?: number; type?: string }
  /** Sends the headers and `head` bytes of the body, then stalls (for idle timeouts). */
  | { stallAfter: Buffer | string }
  /** Never answers at all. */
  | { hang: true };

export interface TestServer {
  url: string;
  routes: Map<string, Route>;
  hits: string[];
  close(): Promise<void>;
}

export async function startServer(routes: Record<string, Route> = {}): Promise<TestServer> {
  const table = new Map(Object.entries(routes));
  const hits: string[] = [];
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.push(path);
    const r = table.get(path);
    if (!r) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if ('hang' in r) {
      open.add(res);
      return;
    }
    if ('stallAfter' in r) {
      open.add(res);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(r.stallAfter);
      return;
    }
    res.writeHead(r.status ?? 200, { 'content-type': r.type ?? 'application/octet-stream' }).end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routes: table,
    hits,
    close: () =>
      new Promise((resolve) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
