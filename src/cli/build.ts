import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../common/atomic.js';
import { UserError } from '../common/diagnostics.js';
import { phase } from '../common/timing.js';
import type { BuildRequest } from '../build/builder.js';
import { createProgress, progressModeFor } from '../build/progress.js';
import { collect, dockerfilePath, parseBuildArgs } from './common.js';

interface BuildOptions {
  file?: string;
  tag?: string[];
  buildArg?: string[];
  target?: string;
  label?: string[];
  network?: string;
  cache: boolean;
  secret?: string[];
  progress?: string;
  sbom?: string;
  timeout?: string;
  engineTimeout?: string;
  report: boolean;
}

/** `--secret id=ID,src=PATH` (or env=VAR), as docker buildx spells it. */
export function parseSecrets(list: string[] | undefined): BuildRequest['secrets'] {
  const out: BuildRequest['secrets'] = {};
  for (const spec of list ?? []) {
    const fields = Object.fromEntries(
      spec.split(',').map((kv) => {
        const eq = kv.indexOf('=');
        return eq < 0 ? [kv, ''] : [kv.slice(0, eq), kv.slice(eq + 1)];
      }),
    );
    const id = fields.id;
    const src = fields.src ?? fields.source;
    if (!id) throw new UserError(`invalid --secret ${JSON.stringify(spec)}: give id=ID,src=PATH`);
    if (src) out[id] = { file: path.resolve(src) };
    else if (fields.env) out[id] = { env: fields.env };
    else throw new UserError(`invalid --secret ${JSON.stringify(spec)}: give src=PATH or env=VAR`);
  }
  return out;
}

function parseLabels(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of list ?? []) {
    const eq = l.indexOf('=');
    if (eq <= 0) throw new UserError(`invalid --label ${JSON.stringify(l)}: give KEY=value`);
    out[l.slice(0, eq)] = l.slice(eq + 1);
  }
  return out;
}

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description(
      'Build a Dockerfile on the Docker engine, recording where every file and package of the image came from',
    )
    .argument('[context]', 'build context directory', '.')
    .option('-f, --file <Dockerfile>', 'the Dockerfile (default: CONTEXT/Dockerfile)')
    .option('-t, --tag <name>', 'tag the image (repeatable)', collect)
    .option('--build-arg <NAME=value>', 'set a build argument (repeatable)', collect)
    .option('--target <stage>', 'build this stage (default: the last one)')
    .option('--label <KEY=value>', 'set an image label (repeatable)', collect)
    .option('--network <mode>', 'network for RUN steps: default, host or none', undefined)
    .option('--no-cache', 'do not reuse steps from earlier builds')
    .option('--secret <id=ID,src=PATH>', 'a secret for RUN --mount=type=secret (repeatable)', collect)
    .option('--progress <mode>', 'auto, tty, plain, json or quiet', 'auto')
    .option('--sbom <file>', 'write the CycloneDX 1.6 SBOM here')
    .option('--timeout <seconds>', 'fail a RUN step that runs longer than this')
    .option(
      '--engine-timeout <seconds>',
      'fail when one engine API call takes longer than this (default: SCANNABLE_ENGINE_TIMEOUT, else 600; 0: no limit)',
    )
    .option('--no-report', 'do not print the per-step scannability table')
    .action(async (context: string, opts: BuildOptions) => {
      // Loaded here so that other commands do not pay for the engine client and the SBOM library.
      // The SBOM library is needed only at the end: it loads while the first RUN runs (or at the end).
      let sbomLibrary: Promise<typeof import('../sbom/cyclonedx.js')> | undefined;
      const loadSbomLibrary = () => (sbomLibrary ??= import('../sbom/cyclonedx.js'));
      const [
        { build },
        { DockerEngine },
        { startValidator },
        { scannabilityTable },
        { defaultCacheDir },
        { keepSbom, recallSbom, sbomKey, servedFromCache },
      ] = await Promise.all([
        import('../build/builder.js'),
        import('../engine/docker/client.js'),
        import('../sbom/validate.js'),
        import('../build/report.js'),
        import('../common/cache-dir.js'),
        import('../sbom/memo.js'),
      ]);
      const network = opts.network;
      if (network !== undefined && !['default', 'host', 'none'].includes(network))
        throw new UserError(`unknown --network ${JSON.stringify(network)}: use default, host or none`);
      const secrets = parseSecrets(opts.secret);
      // Found out before the build, not after it.
      if (opts.sbom && !existsSync(path.dirname(path.resolve(opts.sbom))))
        throw new UserError(`cannot write the SBOM to ${opts.sbom}: its directory does not exist`);
      const file = dockerfilePath(opts.file, context);
      const progress = createProgress(progressModeFor(opts.progress, process.stderr), process.stderr);
      const abort = new AbortController();
      const onSignal = (sig: NodeJS.Signals) => {
        progress.message(`received ${sig}: stopping the build and removing its containers`);
        process.exitCode = sig === 'SIGINT' ? 130 : 143;
        abort.abort(new UserError(`build interrupted by ${sig}`, sig === 'SIGINT' ? 130 : 143));
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const epoch = process.env.SOURCE_DATE_EPOCH;
      if (epoch !== undefined && !/^\d+$/.test(epoch))
        throw new UserError(`SOURCE_DATE_EPOCH must be a number of seconds, not ${JSON.stringify(epoch)}`);
      let engineTimeoutMs: number | undefined;
      if (opts.engineTimeout !== undefined) {
        const seconds = Number(opts.engineTimeout);
        if (opts.engineTimeout.trim() === '' || !Number.isFinite(seconds) || seconds < 0)
          throw new UserError(
            `invalid --engine-timeout ${JSON.stringify(opts.engineTimeout)}: give a number of seconds (0 for no limit)`,
          );
        engineTimeoutMs = Math.round(seconds * 1000);
      }
      // Cache writes the build left for later (see BuildRequest.later): done while the SBOM validates, or at the end.
      const deferred: Array<() => void> = [];
      const runDeferred = () => {
        for (const work of deferred.splice(0)) work();
      };
      const req: BuildRequest = {
        engine: new DockerEngine(engineTimeoutMs !== undefined ? { timeoutMs: engineTimeoutMs } : {}),
        context,
        dockerfile: file,
        tags: opts.tag ?? [],
        buildArgs: parseBuildArgs(opts.buildArg),
        ...(opts.target !== undefined ? { target: opts.target } : {}),
        labels: parseLabels(opts.label),
        ...(network !== undefined ? { network } : {}),
        noCache: !opts.cache,
        secrets,
        progress,
        signal: abort.signal,
        later: (work) => void deferred.push(work),
        ...(opts.sbom
          ? {
              whileWaiting: () => void loadSbomLibrary().catch(() => undefined),
              // Both threads are idle during a long RUN: render and validate a made-up document then, and
              // the real one meets compiled code (see sbom/warm.ts).
              whileLongStep: () =>
                void Promise.all([loadSbomLibrary(), import('../sbom/warm.js')])
                  .then(([{ provenanceToCycloneDX }, { warmupProvenance }]) =>
                    validator?.warm(JSON.stringify(provenanceToCycloneDX(warmupProvenance()), null, 2)),
                  )
                  .catch(() => undefined),
            }
          : {}),
        ...(epoch !== undefined ? { sourceDateEpoch: Number(epoch) } : {}),
        ...(opts.timeout !== undefined ? { stepTimeoutMs: Number(opts.timeout) * 1000 } : {}),
        // Lets a supervisor find (and remove) this build's containers by label even after kill -9.
        ...(process.env.SCANNABLE_BUILD_ID ? { buildId: process.env.SCANNABLE_BUILD_ID } : {}),
      };
      // Compiling (or loading) the schema validator overlaps with the build. Started only once every
      // option has been checked: a worker left running would keep the process from exiting.
      const validator = opts.sbom ? startValidator(defaultCacheDir()) : undefined;
      try {
        const out = await build(req);
        // A signal that came after the last step's process ended (its commit, the tracking) interrupts
        // the build all the same: no SBOM, the signal's exit status.
        abort.signal.throwIfAborted();
        if (opts.sbom) {
          const options = opts.tag?.[0] ? { imageRef: opts.tag[0] } : {};
          // A rebuild served from the cache gets the document the last one rendered, with its own timestamp.
          const memoDir = path.join(defaultCacheDir(), 'sbom');
          let key = servedFromCache(out.provenance) ? sbomKey(out.provenance, options, out.trackedFrom) : undefined;
          let json = key ? recallSbom(memoDir, key, out.provenance.created) : undefined;
          const recalled = json !== undefined;
          if (json === undefined) {
            const { provenanceToCycloneDX } = await loadSbomLibrary();
            json = JSON.stringify(provenanceToCycloneDX(out.provenance, options), null, 2) + '\n';
          }
          phase('sbom');
          const validated = validator!.validate(json);
          // Keyed while the validator's thread works, for the next rebuild.
          if (!recalled) key ??= sbomKey(out.provenance, options, out.trackedFrom);
          phase('sbom key');
          runDeferred();
          phase('cache writes');
          const errors = await validated;
          phase('sbom validation');
          if (errors)
            throw new UserError(
              `internal error: the SBOM does not validate against CycloneDX 1.6: ${JSON.stringify(errors).slice(0, 500)}`,
              70,
            );
          if (!recalled && key) keepSbom(memoDir, key, json);
          abort.signal.throwIfAborted();
          writeFileAtomic(opts.sbom, json);
          progress.message(`SBOM written to ${opts.sbom}`);
        }
        if (opts.report) process.stderr.write('\n' + scannabilityTable(out.provenance));
        process.stdout.write(out.imageId + '\n');
        runDeferred();
      } finally {
        await validator?.close();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        progress.close();
      }
    });
}
