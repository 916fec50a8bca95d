/**
 * loadDockerode: dockerode without loading its BuildKit session code (gRPC),
 * ssh2, tar-fs, @balena/dockerignore or docker-modem's hijack stream until
 * they are used; each still works when it is.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import { loadDockerode } from '../../src/engine/docker/dockerode-load.js';
import { describeEngine } from './helpers.js';

const require = createRequire(import.meta.url);
const loadedFrom = (pkg: string) =>
  Object.keys(require.cache).some(
    (k) =>
      k.includes(`/node_modules/${pkg}/`) &&
      require.cache[k]?.loaded &&
      !(require.cache[k] as { standIn?: boolean }).standIn,
  );

describeEngine('loadDockerode', () => {
  it('talks to the engine without loading gRPC, ssh2, tar-fs, dockerignore or readable-stream, and loads each when it is used', async () => {
    const Dockerode = await loadDockerode();
    expect(String(await new Dockerode().ping())).toBe('OK');
    expect(loadedFrom('@grpc/grpc-js')).toBe(false);
    expect(loadedFrom('ssh2')).toBe(false);
    expect(loadedFrom('tar-fs')).toBe(false);
    expect(loadedFrom('@balena/dockerignore')).toBe(false);
    expect(loadedFrom('readable-stream')).toBe(false);

    const main = require.resolve('dockerode');
    const modem = createRequire(main).resolve('docker-modem');
    // What docker-modem's ssh transport constructs: the real client, loaded on the spot.
    const { Client } = createRequire(modem)('ssh2') as {
      Client: new () => { connect: unknown; constructor: { name: string } };
    };
    const client = new Client();
    expect(typeof client.connect).toBe('function');
    expect(loadedFrom('ssh2')).toBe(true);

    const withSession = createRequire(main)('./session.js') as (...args: unknown[]) => unknown;
    expect(typeof withSession).toBe('function');
    // Called (here with a client whose dial fails at once), the real session code is loaded and answers.
    const failing = { modem: { dial: (_o: unknown, cb: (e: Error) => void) => cb(new Error('no engine here')) } };
    const err = await new Promise<Error | null>((resolve) =>
      withSession(failing, undefined, (e: Error | null) => resolve(e)),
    );
    expect(err?.message).toBe('no engine here');
    expect(loadedFrom('@grpc/grpc-js')).toBe(true);

    // dockerode's build-context packing: tar-fs and @balena/dockerignore, real once used.
    const util = createRequire(main).resolve('./util.js');
    const tarFs = createRequire(util)('tar-fs') as { pack: (dir: string, o?: object) => NodeJS.ReadableStream };
    const packed = tarFs.pack(path.join(path.dirname(main), '..'), { entries: ['package.json'] });
    const chunks: Buffer[] = [];
    for await (const c of packed as AsyncIterable<Buffer>) chunks.push(c);
    expect(Buffer.concat(chunks).subarray(0, 12).toString()).toBe('package.json');
    expect(loadedFrom('tar-fs')).toBe(true);
    const ignore = (
      createRequire(util)('@balena/dockerignore') as (o: object) => {
        add(p: string[]): { ignores(p: string): boolean };
      }
    )({ ignorecase: false });
    expect(ignore.add(['*.log']).ignores('a.log')).toBe(true);

    // A hijacked connection's stream: constructed from the real class, with or without new.
    const HttpDuplex = createRequire(modem)('./http_duplex.js') as {
      (req: unknown, res: unknown): NodeJS.ReadWriteStream;
      new (req: unknown, res: unknown): NodeJS.ReadWriteStream;
    };
    const res = new PassThrough();
    const duplex = new HttpDuplex({ write: () => true }, res);
    res.end('hello');
    const read: Buffer[] = [];
    // Its readable side; a duplex's iterator would wait for the writable side too.
    await new Promise((resolve) => duplex.on('data', (c: Buffer) => read.push(c)).on('end', resolve));
    expect(Buffer.concat(read).toString()).toBe('hello');
    expect(typeof HttpDuplex({ write: () => true }, new PassThrough()).pipe).toBe('function');
    expect(loadedFrom('readable-stream')).toBe(true);
  });
});
