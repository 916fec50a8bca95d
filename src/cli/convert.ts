import type { Command } from 'commander';
import { writeFileAtomic } from '../common/atomic.js';
import { UserError } from '../common/diagnostics.js';
import { loadSbom, SbomError, type Sbom } from '../osl/sbom.js';

const TARGETS = ['spdx'] as const;

interface ConvertOptions {
  to?: string;
  output?: string;
  image?: string;
  resolve?: boolean;
  mirror?: string;
  securityMirror?: string;
  timeout: string;
}

function url(option: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!/^https?:\/\/[^/]/.test(v)) throw new UserError(`${option} ${JSON.stringify(v)} is not an http(s) URL`);
  return v;
}

async function toSpdx(sbom: Sbom, opts: ConvertOptions): Promise<string> {
  const [{ cycloneDxToSpdx, checkSpdx, openImageFiles }, { locateSources, resolveSources, mirrorConfig }, { VERSION }] =
    await Promise.all([import('../spdx/index.js'), import('../sources/index.js'), import('./main.js')]);
  const mirror = mirrorConfig({
    mirror: url('--mirror', opts.mirror),
    securityMirror: url('--security-mirror', opts.securityMirror),
  });
  const seconds = Number(opts.timeout);
  if (!(seconds > 0)) throw new UserError(`--timeout ${JSON.stringify(opts.timeout)} is not a positive number`);
  const locateOpts = { mirror, includeBuild: true };
  let sources = locateSources(sbom, locateOpts);
  if (opts.resolve) sources = await resolveSources(sources, { ...locateOpts, timeoutMs: seconds * 1000 });
  const image = opts.image ? await openImageFiles(opts.image, sbom.subject?.version) : undefined;
  try {
    const doc = cycloneDxToSpdx(sbom, {
      sources,
      ...(image ? { files: (p: string) => image.lookup(p) } : {}),
      tool: { name: 'scannable', version: VERSION },
    });
    const problems = checkSpdx(doc);
    if (problems.length)
      throw new Error(`the SPDX document is not sound (a scannable bug): ${problems.slice(0, 10).join('; ')}`);
    return JSON.stringify(doc, null, 2) + '\n';
  } finally {
    image?.close();
  }
}

export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('Convert a CycloneDX SBOM written by scannable into another format: SPDX 2.3 JSON')
    .argument('<sbom>', 'CycloneDX 1.6 JSON SBOM written by scannable build or scannable sbom')
    .requiredOption('--to <format>', TARGETS.join(' | '))
    .option('-o, --output <file>', 'write to this file (atomically) instead of standard output')
    .option(
      '--image <ref|file>',
      'the image the SBOM describes (in the engine, or a docker save / OCI-layout tarball): list its files with SHA-1 and SHA-256',
    )
    .option('--resolve', 'confirm source locations with the Debian mirror and the registries (needs the network)')
    .option('--mirror <url>', 'Debian mirror (default: from /etc/apt/sources.list*, else http://deb.debian.org/debian)')
    .option(
      '--security-mirror <url>',
      'Debian security mirror (default: from apt, else http://deb.debian.org/debian-security)',
    )
    .option('--timeout <seconds>', 'with --resolve: give up on a request after this long without data', '30')
    .action(async (file: string, opts: ConvertOptions) => {
      if (!(TARGETS as readonly string[]).includes(opts.to ?? ''))
        throw new UserError(`unknown --to ${JSON.stringify(opts.to)}: use ${TARGETS.join(', ')}`);
      let sbom: Sbom;
      try {
        sbom = loadSbom(file);
      } catch (e) {
        if (e instanceof SbomError) throw new UserError(e.message);
        throw e;
      }
      const out = await toSpdx(sbom, opts);
      if (opts.output === undefined) process.stdout.write(out);
      else writeFileAtomic(opts.output, out);
    });
}
