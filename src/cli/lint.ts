import type { Command } from 'commander';
import { UserError, type Severity } from '../common/diagnostics.js';
import {
  exitStatus,
  formatFileError,
  FORMATS,
  formatJson,
  formatSarif,
  formatTty,
  lintPaths,
  rules,
  useColor,
  type Format,
} from '../lint/index.js';

const LEVELS: readonly string[] = ['error', 'warning', 'info'];

export function registerLint(program: Command, version: string): void {
  program
    .command('lint')
    .description("Check Dockerfiles: BuildKit's build checks and scannable's provenance rules")
    .argument('<file...>', 'Dockerfiles to check')
    .option('--format <format>', 'tty | json | sarif', 'tty')
    .option('--config <file>', 'configuration to use instead of the nearest .scannable.yaml')
    .option(
      '--threshold <level>',
      "exit 1 for findings at or above: error | warning | info (default: the configuration's, else warning)",
    )
    .option('--context <dir>', 'build context directory (its .dockerignore is used by CopyIgnoredFile)')
    .action((files: string[], opts: { format: string; config?: string; threshold?: string; context?: string }) => {
      if (!(FORMATS as readonly string[]).includes(opts.format))
        throw new UserError(`unknown --format ${JSON.stringify(opts.format)}: use ${FORMATS.join(', ')}`);
      if (opts.threshold !== undefined && !LEVELS.includes(opts.threshold))
        throw new UserError(`unknown --threshold ${JSON.stringify(opts.threshold)}: use ${LEVELS.join(', ')}`);
      const format = opts.format as Format;
      const result = lintPaths(files, {
        ...(opts.config !== undefined ? { configFile: opts.config } : {}),
        ...(opts.context !== undefined ? { contextDir: opts.context } : {}),
      });
      for (const e of result.errors) process.stderr.write(formatFileError(e) + '\n');
      if (format === 'json') process.stdout.write(formatJson(result.findings));
      else if (format === 'sarif')
        process.stdout.write(
          formatSarif(result.findings, { rules, cwd: process.cwd(), toolVersion: version }, result.errors),
        );
      else
        process.stdout.write(
          formatTty(result.findings, { color: useColor(process.stdout), sources: result.sources }, result.errors),
        );
      process.exitCode = exitStatus(result, opts.threshold as Severity | undefined);
    });
}
