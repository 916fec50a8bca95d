/**
 * Loads dockerode without paying for modules it requires at load time that a
 * build only needs in rare cases: its BuildKit session support (gRPC and
 * protobuf, ~100 ms to load; scannable never opens a session), ssh2 (~60 ms;
 * only a DOCKER_HOST=ssh:// engine uses it), and ~40 ms more of tar-fs and
 * @balena/dockerignore (packing a build context for the engine's own build)
 * and docker-modem's hijacked-connection stream (with readable-stream). Each
 * is put in the module cache as a stand-in that loads the real module the
 * first time it is used, so all still work when they are needed. Together
 * that was a fifth of a cached rebuild's time.
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
  // Marked, so that a test can tell a stand-in from the real module it becomes.
  Object.assign(m, { standIn: true });
  require.cache[file] = m;
}

function resolveFrom(from: string, request: string): string | undefined {
  try {
    return createRequire(from).resolve(request);
  } catch {
    return undefined;
  }
}

/** A module used as `m.name(...)` after load: each property is read from the real exports. */
const lazyExports = (load: Loader): object =>
  new Proxy(
    {},
    { get: (_t, key) => (load() as Record<PropertyKey, unknown>)[key], has: (_t, key) => key in (load() as object) },
  );

/** A module that is one function or class: called or constructed, the real one is. */
const lazyCallable = (load: Loader) =>
  function (this: unknown, ...args: unknown[]): unknown {
    const real = load() as (new (...a: unknown[]) => object) & ((...a: unknown[]) => unknown);
    return new.target ? new real(...args) : real.apply(this, args);
  };

let loaded: Promise<typeof Dockerode> | undefined;

export function loadDockerode(): Promise<typeof Dockerode> {
  loaded ??= (async () => {
    const main = resolveFrom(import.meta.url, 'dockerode');
    if (main) {
      standIn(resolveFrom(main, './session.js'), lazyCallable);
      // dockerode's util packs build contexts (buildImage with a directory), which scannable never asks for.
      const util = resolveFrom(main, './util.js');
      standIn(util && resolveFrom(util, 'tar-fs'), lazyExports);
      standIn(util && resolveFrom(util, '@balena/dockerignore'), lazyCallable);
      const modem = resolveFrom(main, 'docker-modem');
      // The duplex stream of a hijacked connection (and readable-stream under it), which scannable never opens.
      standIn(modem && resolveFrom(modem, './http_duplex.js'), lazyCallable);
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
