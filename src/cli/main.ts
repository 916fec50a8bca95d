/**
 * The scannable command line. Each subcommand lives in its own module and only
 * wires options to the pipeline; expected failures become messages and exit
 * codes, never stack traces.
 */
import { Command, CommanderError } from 'commander';
import { UserError } from '../common/diagnostics.js';

export const VERSION = '0.1.0';

/** Each subcommand's module, loaded only when that command runs (or when help lists them all): start-up stays short. */
const COMMANDS: ReadonlyArray<readonly [string, (program: Command) => Promise<unknown>]> = [
  ['sbom', async (p) => (await import('./sbom.js')).registerSbom(p)],
  ['parse', async (p) => (await import('./parse.js')).registerParse(p)],
  ['plan', async (p) => (await import('./plan.js')).registerPlan(p)],
  ['build', async (p) => (await import('./build.js')).registerBuild(p)],
  ['lint', async (p) => (await import('./lint.js')).registerLint(p, VERSION)],
  ['osl', async (p) => (await import('./osl.js')).registerOsl(p)],
  ['sources', async (p) => (await import('./sources.js')).registerSources(p)],
  ['convert', async (p) => (await import('./convert.js')).registerConvert(p)],
];

/** The program with the command `argv` names registered, or every command when it names none of them. */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command();
  program
    .name('scannable')
    .description('Build a Dockerfile into an image plus a complete record of where every package and file came from.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const named = COMMANDS.find(([name]) => name === argv[2]);
  for (const [, register] of named ? [named] : COMMANDS) await register(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
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
