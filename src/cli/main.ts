/**
 * The scannable command line. Each subcommand lives in its own module and only
 * wires options to the pipeline; expected failures become messages and exit
 * codes, never stack traces.
 */
import { registerSbom } from './sbom.js';
import { Command, CommanderError } from 'commander';
import { UserError } from '../common/diagnostics.js';
import { registerBuild } from './build.js';
import { registerLint } from './lint.js';
import { registerOsl } from './osl.js';
import { registerParse } from './parse.js';
import { registerPlan } from './plan.js';
import { registerSources } from './sources.js';

export const VERSION = '0.1.0';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('scannable')
    .description('Build a Dockerfile into an image plus a complete record of where every package and file came from.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerSbom(program);
  registerParse(program);
  registerPlan(program);
  registerBuild(program);
  registerLint(program, VERSION);
  registerOsl(program);
  registerSources(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; usage errors exit 2 (commander already printed the message).
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof UserError) {
      process.stderr.write(`scannable: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
