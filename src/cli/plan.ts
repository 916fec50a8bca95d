import type { Command } from 'commander';
import { UserError } from '../common/diagnostics.js';
import { buildIR } from '../ir/index.js';
import { lower } from '../lower/index.js';
import { planToJSON } from '../plan/json.js';
import { redactPlan } from '../plan/redact.js';
import { planToSh } from '../plan/sh.js';
import { planToText } from '../plan/text.js';
import { collect, dockerfilePath, loadTree, parseBuildArgs, printDiagnostics } from './common.js';

interface PlanOptions {
  file?: string;
  target?: string;
  buildArg?: string[];
  format: string;
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description(
      'Lower a Dockerfile to primitive snapshot ops and show what each step will be traceable to (no engine needed)',
    )
    .argument('[context]', 'build context directory', '.')
    .option('-f, --file <Dockerfile>', 'the Dockerfile (default: CONTEXT/Dockerfile)')
    .option('--target <stage>', 'build this stage (default: the last one)')
    .option('--build-arg <NAME=value>', 'set a build argument (repeatable)', collect)
    .option('--format <format>', 'text | json | sh', 'text')
    .action((context: string, opts: PlanOptions) => {
      if (!['text', 'json', 'sh'].includes(opts.format))
        throw new UserError(`unknown --format ${JSON.stringify(opts.format)}: use text, json or sh`);
      const file = dockerfilePath(opts.file, context);
      const tree = loadTree(file);
      if (!tree) {
        process.exitCode = 2;
        return;
      }
      const ir = buildIR(tree, {
        buildArgs: parseBuildArgs(opts.buildArg),
        ...(opts.target !== undefined ? { target: opts.target } : {}),
      });
      const plan = lower(ir, opts.target !== undefined ? { target: opts.target } : {});
      const errors = plan.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length > 0) {
        printDiagnostics(plan.diagnostics);
        process.exitCode = 2;
        return;
      }
      // Secret-looking build arguments and ARG/ENV values are never printed.
      const shown = redactPlan(plan);
      if (opts.format === 'json') process.stdout.write(JSON.stringify(planToJSON(shown), null, 2) + '\n');
      else if (opts.format === 'sh') process.stdout.write(planToSh(shown, { context }));
      else process.stdout.write(planToText(shown));
    });
}
