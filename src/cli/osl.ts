import type { Command } from 'commander';
import { UserError } from '../common/diagnostics.js';
import { buildAttribution, loadSbom, OSL_FORMATS, renderAttribution, SbomError, type OslFormat } from '../osl/index.js';
import { replaceFileAtomic } from '../common/atomic.js';

interface OslOptions {
  output?: string;
  format: string;
}

export function registerOsl(program: Command): void {
  program
    .command('osl')
    .description('Write the Open Source License (attribution) file for an image from its SBOM')
    .argument('<sbom>', 'CycloneDX 1.6 JSON SBOM written by scannable build')
    .option('-o, --output <file>', 'write to this file (atomically) instead of standard output')
    .option('--format <format>', OSL_FORMATS.join(' | '), 'text')
    .action((file: string, opts: OslOptions) => {
      if (!(OSL_FORMATS as readonly string[]).includes(opts.format)) {
        throw new UserError(`unknown --format ${JSON.stringify(opts.format)}: use ${OSL_FORMATS.join(', ')}`);
      }
      let out: string;
      try {
        out = renderAttribution(buildAttribution(loadSbom(file)), opts.format as OslFormat);
      } catch (e) {
        if (e instanceof SbomError) throw new UserError(e.message);
        throw e;
      }
      if (opts.output === undefined) {
        process.stdout.write(out);
        return;
      }
      try {
        replaceFileAtomic(opts.output, out);
      } catch (e) {
        throw new UserError(
          `cannot write ${opts.output}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        );
      }
    });
}
