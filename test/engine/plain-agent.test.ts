/**
 * The engine connection's keep-alive agent. docker-modem formats each request's
 * options, the agent included, with util.inspect (showHidden, unlimited depth)
 * even when its debug log is off; an agent holding idle sockets must not cost
 * that walk through every socket's internals.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { withPlainAgent } from '../../src/engine/docker/client.js';

let server: http.Server;
let port: number;

beforeAll(async () => {
  server = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

it('a plain connection gets a keep-alive agent that util.inspect prints in one short line, idle sockets and all', async () => {
  const { agent } = withPlainAgent({ protocol: 'http', host: '127.0.0.1', port });
  expect(agent).toBeInstanceOf(http.Agent);
  const plain = agent as unknown as http.Agent;
  const body = await new Promise<string>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent: plain }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      })
      .on('error', reject);
  });
  expect(body).toBe('ok');
  // The socket stays open for the next request...
  await new Promise((r) => setImmediate(r));
  expect(Object.values(plain.freeSockets).flat()).toHaveLength(1);
  // ...and is not walked when the modem logs the request's options.
  const options = { path: '/_ping', method: 'GET', agent };
  expect(inspect(options, { showHidden: true, depth: null })).not.toMatch(/Socket|_handle/);
  expect(inspect(agent, { showHidden: true, depth: null })).toBe('http.Agent (keep-alive)');
  plain.destroy();
});

it('an agent the caller chose, and TLS connections, are left alone', () => {
  const own = new http.Agent();
  expect(withPlainAgent({ protocol: 'http', host: 'h', port: 1, agent: own as never }).agent).toBe(own);
  expect(withPlainAgent({ protocol: 'https', host: 'h', port: 1 }).agent).toBeUndefined();
});
