/**
 * Loads dockerode without paying for two modules it requires at load time
 * that a build only needs in rare cases: its BuildKit session support (gRPC
 * and protobuf, ~100 ms to load; scannable never opens a session) and ssh2
 * (~60 ms; only a DOCKER_HOST=ssh:// engine uses it). Each is put in the
 * module cache as a stand-in that loads the real module the first time it is
 * called, so both still work when they are needed. That is a sixth of a
 * cached rebuild's time.
 *
 * Where a path no longer exists (another dockerode layout), nothing is
 * replaced and dockerode loads as it always did.
 */
import Module, { createRequire } from 'node:module';
import type Dockerode from 'dockerode';

const require = createRequire(import.meta.url);

type Loader = () => unknown;

function standIn(file: string | undefined, make: (load: Loader) => unknown): void {
  if (!file || require.cache[file]) return;
  let real: unknown;
  const load: Loader = () => {
    if (real === undefined) {
      delete require.cache[file];
      real = require(file);
    }
    return real;
  };
  const m = new Module(file);
  m.filename = file;
  m.loaded = true;
  m.exports = make(load);
  require.cache[file] = m;
}

function resolveFrom(from: string, request: string): string | undefined {
  try {
    return createRequire(from).resolve(request);
  } catch {
    return undefined;
  }
}

let loaded: Promise<typeof Dockerode> | undefined;

export function loadDockerode(): Promise<typeof Dockerode> {
  loaded ??= (async () => {
    const main = resolveFrom(import.meta.url, 'dockerode');
    if (main) {
      standIn(resolveFrom(main, './session.js'), (load) => (...args: unknown[]) => (load() as (...a: unknown[]) => unknown)(...args));
      const modem = resolveFrom(main, 'docker-modem');
      // docker-modem reads `Client` once, at load, and only constructs it for an ssh:// engine.
      standIn(modem && resolveFrom(modem, 'ssh2'), (load) => ({
        Client: function Client(...args: unknown[]) {
          const Real = (load() as { Client: new (...a: unknown[]) => object }).Client;
          return new Real(...args);
        },
      }));
    }
    return (await import('dockerode')).default;
  })();
  return loaded;
}
