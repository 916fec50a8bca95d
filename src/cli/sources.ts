import type { Command } from 'commander';
import { UserError } from '../common/diagnostics.js';
import { loadSbom, SbomError } from '../osl/sbom.js';
import {
  defaultCacheDir,
  entryLine,
  fetchSources,
  locateSources,
  mirrorConfig,
  renderLocationsText,
  renderManifestSummary,
  resolveSources,
} from '../sources/index.js';

interface SourcesOptions {
  fetch?: string;
  format: string;
  mirror?: string;
  securityMirror?: string;
  offline?: boolean;
  context?: string;
  includeBuild?: boolean;
  timeout: string;
  concurrency: string;
  cache?: string;
}

function positive(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UserError(`${name} must be a positive number, not ${JSON.stringify(v)}`);
  return n;
}

function url(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!/^https?:\/\/[^/]/.test(v)) throw new UserError(`${name} must be an http(s) URL, not ${JSON.stringify(v)}`);
  return v;
}

export function registerSources(program: Command): void {
  program
    .command('sources')
    .description(
      'List where the source of every component of an SBOM lives; with --fetch, download and verify them (exit 1 if any failed)',
    )
    .argument('<sbom>', 'CycloneDX 1.6 JSON SBOM written by scannable build')
    .option('--fetch <dir>', 'download every source into DIR, verify it and write DIR/manifest.json')
    .option('--format <format>', 'text | json (the listing; --fetch prints a summary)', 'text')
    .option('--mirror <url>', 'Debian mirror (default: from /etc/apt/sources.list*, else http://deb.debian.org/debian)')
    .option(
      '--security-mirror <url>',
      'Debian security mirror (default: from apt, else http://deb.debian.org/debian-security)',
    )
    .option('--offline', "name locations by each ecosystem's naming rule without asking the mirror or registries")
    .option('--context <dir>', 'build context to copy context files from (verified by sha256)')
    .option('--include-build', 'also list build-stage-only components (compilers, build dependencies)')
    .option('--timeout <seconds>', 'give up on a request after this long without data', '30')
    .option('--concurrency <n>', 'sources fetched at once', '4')
    .option('--cache <dir>', `keep verified Debian indices here (default: ${defaultCacheDir()})`)
    .action(async (file: string, opts: SourcesOptions) => {
      if (opts.format !== 'text' && opts.format !== 'json')
        throw new UserError(`unknown --format ${JSON.stringify(opts.format)}: use text or json`);
      if (opts.offline && opts.fetch)
        throw new UserError('--offline and --fetch cannot be combined: fetching needs the network');
      const timeoutMs = positive('--timeout', opts.timeout) * 1000;
      const concurrency = Math.floor(positive('--concurrency', opts.concurrency));
      let sbom;
      try {
        sbom = loadSbom(file);
      } catch (e) {
        if (e instanceof SbomError) throw new UserError(e.message);
        throw e;
      }
      const mirror = mirrorConfig({
        mirror: url('--mirror', opts.mirror),
        securityMirror: url('--security-mirror', opts.securityMirror),
      });
      const locateOpts = { mirror, ...(opts.includeBuild ? { includeBuild: true } : {}) };
      let locations = locateSources(sbom, locateOpts);
      if (!opts.offline)
        locations = await resolveSources(locations, {
          ...locateOpts,
          timeoutMs,
          concurrency,
          ...(opts.cache ? { cacheDir: opts.cache } : {}),
        });
      const head = {
        mirror: `${mirror.main} (security: ${mirror.security}; ${mirror.from === 'apt' ? 'from apt sources' : mirror.from === 'option' ? 'from --mirror' : 'default'})`,
        ...(sbom.subject ? { image: sbom.subject.name } : {}),
        ...(sbom.serialNumber ? { serialNumber: sbom.serialNumber } : {}),
      };
      if (!opts.fetch) {
        process.stdout.write(
          opts.format === 'json'
            ? JSON.stringify(
                { mirror: { main: mirror.main, security: mirror.security }, sources: locations },
                null,
                2,
              ) + '\n'
            : renderLocationsText(locations, head),
        );
        return;
      }
      const manifest = await fetchSources(
        locations,
        opts.fetch,
        {
          sbom: {
            ...(sbom.serialNumber ? { serialNumber: sbom.serialNumber } : {}),
            ...(sbom.subject ? { image: sbom.subject.name } : {}),
          },
          mirror: { main: mirror.main, security: mirror.security },
        },
        {
          timeoutMs,
          concurrency,
          ...(opts.context ? { context: opts.context } : {}),
          onDone: (e) => process.stderr.write(entryLine(e) + '\n'),
        },
      );
      process.stdout.write(
        opts.format === 'json' ? JSON.stringify(manifest, null, 2) + '\n' : renderManifestSummary(manifest, opts.fetch),
      );
      if (manifest.summary.failed > 0) process.exitCode = 1;
    });
}
