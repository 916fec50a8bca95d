/**
 * What the runner adds to a file's LintContext unless told otherwise: the
 * lowered Plan's needed stages and the analysis of every RUN (src/lower's
 * analyzeRun: the shell analysis of the script BuildKit runs, with its
 * intents, in the WORKDIR lowering gives it). Each is computed on first use,
 * at most once per file and RUN: a run whose enabled rules never ask for them
 * pays nothing.
 */
import type { DockerfileIR, RunInstruction } from '../ir/index.js';
import { analyzeRun, lower, joinWorkdir, type RunAnalysis } from '../lower/index.js';
import type { LintContext, LintPlan } from './types.js';

export type LintAnalysis = Pick<LintContext, 'plan' | 'runAnalysis'>;

export function defaultAnalysis(ir: DockerfileIR): LintAnalysis {
  let plan: LintPlan | undefined;
  const analyses = new Map<RunInstruction, RunAnalysis>();
  let workdirs: Map<RunInstruction, string | undefined> | undefined;

  // Lowering also analyses the RUNs of the needed stages: keep those not analysed yet rather than analyse them twice.
  const lowered = (): LintPlan => {
    if (plan === undefined) {
      const p = lower(ir);
      for (const stage of p.stages) {
        stage.ops.forEach((op, i) => {
          const ins = stage.instructions[i];
          if (op.kind === 'exec' && ins?.kind === 'run' && !analyses.has(ins)) analyses.set(ins, op.analysis);
        });
      }
      plan = { neededStages: p.stages.map((s) => s.index) };
    }
    return plan;
  };

  // The WORKDIR each RUN starts in, the way lowering computes it (stages the target does not need are linted too).
  const workdirOf = (run: RunInstruction): string | undefined => {
    if (workdirs === undefined) {
      workdirs = new Map();
      for (const stage of ir.stages) {
        let workdir: string | undefined;
        for (const ins of stage.instructions) {
          if (ins.kind === 'workdir') workdir = joinWorkdir(workdir, ins.path.value);
          else if (ins.kind === 'run') workdirs.set(ins, workdir);
        }
      }
    }
    return workdirs.get(run);
  };

  return {
    get plan() {
      return lowered();
    },
    // Not through lowering: most of its cost is building ops that no rule reads.
    runAnalysis(run: RunInstruction): RunAnalysis {
      let a = analyses.get(run);
      if (a === undefined) {
        a = analyzeRun(run, workdirOf(run));
        analyses.set(run, a);
      }
      return a;
    },
  };
}
