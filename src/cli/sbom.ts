import type { Command } from 'commander';
import { replaceFileAtomic } from '../common/atomic.js';
import { UserError } from '../common/diagnostics.js';
import type { ImageSbomResult } from '../image/sbom.js';
import { startValidator } from '../sbom/validate.js';
import { collect, parseBuildArgs } from './common.js';

interface SbomOptions {
  image?: string;
  file?: string;
  context?: string;
  target?: string;
  buildArg?: string[];
  output?: string;
  quiet?: boolean;
  cache?: boolean;
}

/** Writes the SBOM so that readers see the old file or the whole new one, never a part. */
function writeAtomic(file: string, data: string): void {
  try {
    replaceFileAtomic(file, data);
  } catch (e) {
    throw new UserError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function summary(r: ImageSbomResult): string {
  const p = r.provenance;
  const files = `${p.coverage.attributed} of ${p.coverage.files} files attributed (${(p.coverage.ratio * 100).toFixed(1)}%)`;
  const source = `${r.source.label}${r.source.kind === 'cache' ? ' (from the layer cache)' : ''}`;
  const lines: string[] = [];
  const m = r.mapping;
  if (p.dockerfile.path) {
    const byLine = p.packages.filter((x) => x.step && x.step.line > 0).length;
    const base = p.packages.filter((x) => x.baseImage).length;
    lines.push(
      `${source}: ${p.packages.length} packages (${byLine} installed by Dockerfile instructions, ${base} from the base image), ${files}`,
    );
    const tied = m.steps.filter((s) => s.layer !== undefined && s.step.line > 0).length;
    const later = p.image.layers.length - m.base.layers;
    lines.push(
      `base ${m.base.ref ?? 'scratch'}: ${m.base.layers} layer(s) (${m.base.how}); ${tied} of ${later} later layer(s) tied to ${p.dockerfile.path} (${m.builder} builder history)`,
    );
  } else {
    lines.push(
      `${source}: ${p.packages.length} packages, each attributed to the layer that installed it, ${files} (no Dockerfile: layers are not tied to instructions, the base image is not told apart)`,
    );
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines.map((l) => `scannable: ${l}\n`).join('');
}

export function registerSbom(program: Command): void {
  program
    .command('sbom')
    .description(
      'Write the CycloneDX 1.6 SBOM of an image built elsewhere: packages and files attributed to layers and, with its Dockerfile, to instructions',
    )
    .option('--image <ref|file>', 'an image in the engine (never pulled), or a docker save / OCI-layout tarball')
    .option('-f, --file <Dockerfile>', 'the Dockerfile the image was built from')
    .option('--context <dir>', 'the build context: COPY/ADD files are matched to its files')
    .option('--target <stage>', 'the Dockerfile stage the image was built as (default: the last one)')
    .option('--build-arg <NAME=value>', 'a build argument the image was built with (repeatable)', collect)
    .option('-o, --output <file>', 'write the SBOM here (default: standard output)')
    .option('-q, --quiet', 'no summary on standard error')
    .option('--no-cache', 'neither use nor fill the layer cache (SCANNABLE_CACHE_DIR, default ~/.cache/scannable)')
    .action(async (opts: SbomOptions) => {
      if (!opts.image)
        throw new UserError(
          'sbom needs --image REF (an image in the engine or a tarball path); building from a Dockerfile is `scannable build`',
        );
      if (opts.context && !opts.file)
        process.stderr.write(
          'scannable: note: --context without -f: copy layers are matched to context files by content alone\n',
        );
      // Compiling the schema is slow: start it now, on another thread, while the image is read.
      // Loaded here, not at start-up: the engine client alone costs the other commands a third of a second.
      const [{ imageSbom }, { defaultCacheDir }] = await Promise.all([
        import('../image/sbom.js'),
        import('../snapshot/layer-cache.js'),
      ]);
      const validator = startValidator(opts.cache === false ? undefined : defaultCacheDir());
      try {
        const { VERSION } = await import('./main.js');
        const result = await imageSbom({
          image: opts.image,
          ...(opts.file ? { dockerfile: opts.file } : {}),
          ...(opts.context ? { context: opts.context } : {}),
          ...(opts.target !== undefined ? { target: opts.target } : {}),
          buildArgs: parseBuildArgs(opts.buildArg),
          ...(opts.cache === false ? { cache: false as const } : {}),
          tool: { name: 'scannable', version: VERSION },
        });
        const json = JSON.stringify(result.sbom, null, 2) + '\n';
        const errors = await validator.validate(json);
        if (errors)
          throw new Error(
            `the SBOM does not validate against CycloneDX 1.6 (a scannable bug): ${JSON.stringify(errors).slice(0, 2000)}`,
          );
        if (opts.output) writeAtomic(opts.output, json);
        else process.stdout.write(json);
        if (!opts.quiet) process.stderr.write(summary(result));
      } finally {
        await validator.close();
      }
    });
}
