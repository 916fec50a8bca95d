/**
 * loadDockerode: dockerode without loading its BuildKit session code (gRPC)
 * or ssh2 until they are called; both still work when they are.
 */
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { loadDockerode } from '../../src/execute/dockerode-load.js';
import { describeEngine } from './engine-helpers.js';

const require = createRequire(import.meta.url);
const loadedFrom = (pkg: string) => Object.keys(require.cache).some((k) => k.includes(`/node_modules/${pkg}/`) && require.cache[k]?.loaded && !k.endsWith('/ssh2/lib/index.js'));

describeEngine('loadDockerode', () => {
  it('talks to the engine without loading gRPC or ssh2, and loads each when it is used', async () => {
    const Dockerode = await loadDockerode();
    expect(String(await new Dockerode().ping())).toBe('OK');
    expect(loadedFrom('@grpc/grpc-js')).toBe(false);
    expect(loadedFrom('ssh2')).toBe(false);

    const main = require.resolve('dockerode');
    const modem = createRequire(main).resolve('docker-modem');
    // What docker-modem's ssh transport constructs: the real client, loaded on the spot.
    const { Client } = createRequire(modem)('ssh2') as { Client: new () => { connect: unknown; constructor: { name: string } } };
    const client = new Client();
    expect(typeof client.connect).toBe('function');
    expect(loadedFrom('ssh2')).toBe(true);

    const withSession = createRequire(main)('./session.js') as (...args: unknown[]) => unknown;
    expect(typeof withSession).toBe('function');
    // Called (here with a client whose dial fails at once), the real session code is loaded and answers.
    const failing = { modem: { dial: (_o: unknown, cb: (e: Error) => void) => cb(new Error('no engine here')) } };
    const err = await new Promise<Error | null>((resolve) => withSession(failing, undefined, (e: Error | null) => resolve(e)));
    expect(err?.message).toBe('no engine here');
    expect(loadedFrom('@grpc/grpc-js')).toBe(true);
  });
});
