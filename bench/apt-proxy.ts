/**
 * A caching HTTP proxy for the build benchmark, on loopback: the examples'
 * `apt-get` goes through it (`--build-arg http_proxy=…`, for docker and
 * scannable alike), and every file the mirror sent once is served again from
 * disk. The mirror's speed varied by seconds between two builds of one round;
 * through the proxy every build after the first fetches nothing.
 *
 * Only whole GET responses with status 200 are kept (by URL); anything else
 * (a Range request, an error) is passed through as it comes.
 *
 * Run as `node dist/bench/apt-proxy.js CACHE_DIR`: prints the port it listens
 * on, then serves until killed.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: apt-proxy CACHE_DIR\n');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });

const PASSED_HEADERS = ['accept', 'user-agent', 'cache-control', 'range', 'if-modified-since'];

const server = http.createServer((req, res) => {
  const url = req.url ?? '';
  if (req.method !== 'GET' || !url.startsWith('http://')) {
    res.writeHead(405).end();
    return;
  }
  const keep = req.headers.range === undefined && req.headers['if-modified-since'] === undefined;
  const file = path.join(dir, createHash('sha256').update(url).digest('hex'));
  if (keep && existsSync(file)) {
    res.writeHead(200, { 'content-length': statSync(file).size, 'content-type': 'application/octet-stream' });
    createReadStream(file).pipe(res);
    return;
  }
  const headers = Object.fromEntries(
    PASSED_HEADERS.filter((h) => req.headers[h] !== undefined).map((h) => [h, req.headers[h]!]),
  );
  const upstream = http.get(url, { headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    if (!keep || up.statusCode !== 200) {
      up.pipe(res);
      return;
    }
    const tmp = `${file}.${process.pid}.tmp`;
    const out = createWriteStream(tmp);
    up.pipe(res);
    up.pipe(out);
    up.on('error', () => rmSync(tmp, { force: true }));
    out.on('finish', () => {
      // Kept only when the whole body came.
      if (up.complete) renameSync(tmp, file);
      else rmSync(tmp, { force: true });
    });
  });
  upstream.on('error', (e) => {
    if (!res.headersSent) res.writeHead(502);
    res.end(String(e));
  });
});

server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
