/**
 * A fault-injecting proxy between scannable and the Docker engine, for tests.
 *
 * It listens on its own unix socket (point DOCKER_HOST at `proxy.dockerHost`)
 * and forwards every HTTP request to the engine's socket, unchanged, except
 * the requests a rule matches. A rule names a method and a path pattern
 * (matched against the API path without its /v1.xx prefix and query, e.g.
 * `/containers/<id>/wait`), which matching request it fires on (the nth) and
 * how often, and the fault:
 *
 * - `drop`/`request`: the client's connection is closed before anything is
 *   forwarded (the engine never sees the request);
 * - `drop`/`response`: the request is forwarded; once the engine's answer has
 *   started (status and headers sent on to the client), the client's
 *   connection is cut after `afterMs` — the engine did the work, the client
 *   never hears how it ended (a RUN's wait, a commit);
 * - `drop`/`upload`: the request body is forwarded until `afterBytes` bytes,
 *   then both connections are cut (putArchive);
 * - `status`: the proxy answers with that HTTP status and `{"message": ...}`
 *   instead of the engine;
 * - `delay`: the request is held `ms` before being forwarded (a slow engine).
 *
 * Connection upgrades (hijacked attach, as the docker CLI uses) are passed
 * through as raw byte streams. Every request is logged with the fault it got.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export type Fault =
  | { kind: 'drop'; when: 'request' }
  | { kind: 'drop'; when: 'response'; afterMs?: number }
  | { kind: 'drop'; when: 'upload'; afterBytes: number }
  | { kind: 'status'; status: number; message: string }
  | { kind: 'delay'; ms: number };

export interface FaultRule {
  /** HTTP method; any when absent. */
  method?: string;
  /** Tested against the API path without version prefix and query. */
  path: RegExp;
  /** The first matching request the fault applies to (1-based). Default 1. */
  nth?: number;
  /** How many matching requests, from the nth on, get the fault. Default 1; Infinity for all. */
  times?: number;
  fault: Fault;
}

export interface LoggedRequest {
  method: string;
  path: string;
  /** The fault applied, if any (its kind, and `when` for drops). */
  fault?: string;
  /** Status the client received (undefined when the connection was cut first). */
  status?: number;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
]);

function forwardHeaders(h: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP_BY_HOP.has(k.toLowerCase())) out[k] = v;
  return out;
}

/** `/v1.41/containers/abc/wait?x=1` -> `/containers/abc/wait`. */
export function apiPath(url: string): string {
  const p = url.split('?')[0]!;
  return p.replace(/^\/v\d+(\.\d+)?(?=\/)/, '');
}

export class EngineProxy {
  readonly log: LoggedRequest[] = [];
  private rules: Array<FaultRule & { seen: number }> = [];
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: http.Server,
    readonly socketPath: string,
    readonly upstream: string,
  ) {}

  /** DOCKER_HOST for a client that should go through the proxy. */
  get dockerHost(): string {
    return `unix://${this.socketPath}`;
  }

  static async start(options: { upstream?: string; rules?: FaultRule[] } = {}): Promise<EngineProxy> {
    const upstream =
      options.upstream ??
      (process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice(7) : '/var/run/docker.sock');
    const socketPath = path.join(os.tmpdir(), `scannable-proxy-${process.pid}-${randomBytes(4).toString('hex')}.sock`);
    const server = http.createServer();
    const proxy = new EngineProxy(server, socketPath, upstream);
    proxy.setRules(options.rules ?? []);
    server.on('request', (req, res) => proxy.handle(req, res));
    server.on('upgrade', (req, socket, head) => proxy.upgrade(req, socket as net.Socket, head));
    server.on('connection', (s: net.Socket) => {
      proxy.sockets.add(s);
      s.on('close', () => proxy.sockets.delete(s));
    });
    // Long RUN steps wait on one request; never time a connection out here.
    server.requestTimeout = 0;
    server.headersTimeout = 0;
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    return proxy;
  }

  /** Replaces the rules (and their counters). */
  setRules(rules: FaultRule[]): void {
    this.rules = rules.map((r) => ({ ...r, seen: 0 }));
  }

  /** Requests whose path matches, in order. */
  requests(method: string, pattern: RegExp): LoggedRequest[] {
    return this.log.filter((r) => r.method === method && pattern.test(r.path));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.socketPath, { force: true });
  }

  private faultFor(method: string, p: string): Fault | undefined {
    for (const r of this.rules) {
      if ((r.method && r.method !== method) || !r.path.test(p)) continue;
      r.seen++;
      const first = r.nth ?? 1;
      const times = r.times ?? 1;
      if (r.seen >= first && r.seen < first + times) return r.fault;
    }
    return undefined;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const method = req.method ?? 'GET';
    const entry: LoggedRequest = { method, path: apiPath(req.url ?? '/') };
    this.log.push(entry);
    const fault = this.faultFor(method, entry.path);
    if (fault) entry.fault = fault.kind === 'drop' ? `drop-${fault.when}` : fault.kind;
    res.on('finish', () => (entry.status = res.statusCode));
    if (fault?.kind === 'drop' && fault.when === 'request') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      req.resume();
      req.on('end', () => {
        res.writeHead(fault.status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: fault.message }) + '\n');
      });
      return;
    }
    const go = () => this.forward(req, res, fault);
    if (fault?.kind === 'delay') {
      req.pause();
      const t = setTimeout(go, fault.ms);
      res.once('close', () => clearTimeout(t));
    } else go();
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, fault: Fault | undefined): void {
    if (req.socket.destroyed) return;
    const up = http.request({
      socketPath: this.upstream,
      method: req.method,
      path: req.url,
      headers: forwardHeaders(req.headers),
      agent: false,
    });
    const cut = () => {
      req.socket.destroy();
      up.destroy();
    };
    up.on('error', () => req.socket.destroy());
    // The client went away (or this exchange ended): the engine request goes too.
    res.once('close', () => up.destroy());
    up.on('response', (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage ?? '', forwardHeaders(upRes.headers));
      res.flushHeaders();
      if (fault?.kind === 'drop' && fault.when === 'response') {
        setTimeout(cut, fault.afterMs ?? 0);
        upRes.resume();
        return;
      }
      upRes.pipe(res);
      upRes.on('error', () => req.socket.destroy());
    });
    if (fault?.kind === 'drop' && fault.when === 'upload') {
      let sent = 0;
      req.on('data', (chunk: Buffer) => {
        if (sent >= fault.afterBytes) return;
        const room = fault.afterBytes - sent;
        up.write(chunk.subarray(0, room));
        sent += Math.min(room, chunk.length);
        if (sent >= fault.afterBytes) setTimeout(cut, 50);
      });
      return;
    }
    req.pipe(up);
    req.resume();
  }

  /** A hijacked connection (Upgrade: tcp): the request head, then bytes both ways. */
  private upgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    this.log.push({ method: req.method ?? 'GET', path: apiPath(req.url ?? '/') });
    const up = net.connect(this.upstream, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  }
}
