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
  return new DefaultAnalysis(ir);
}

/**
 * A class rather than an object literal with a `plan` getter: V8 gives every
 * object literal with a getter its own hidden class, held from the old
 * generation, which keeps the whole file (IR, analyses) alive through every
 * young-generation collection until a full one.
 */
class DefaultAnalysis implements LintAnalysis {
  private planned: LintPlan | undefined;
  private readonly analyses = new Map<RunInstruction, RunAnalysis>();
  private workdirs: Map<RunInstruction, string | undefined> | undefined;

  constructor(private readonly ir: DockerfileIR) {}

  // Lowering also analyses the RUNs of the needed stages: keep those not analysed yet rather than analyse them twice.
  get plan(): LintPlan {
    if (this.planned === undefined) {
      const p = lower(this.ir);
      for (const stage of p.stages) {
        stage.ops.forEach((op, i) => {
          const ins = stage.instructions[i];
          if (op.kind === 'exec' && ins?.kind === 'run' && !this.analyses.has(ins)) this.analyses.set(ins, op.analysis);
        });
      }
      this.planned = { neededStages: p.stages.map((s) => s.index) };
    }
    return this.planned;
  }

  // Not through lowering: most of its cost is building ops that no rule reads.
  // (A property, not a method: the runner hands it on without its object.)
  readonly runAnalysis = (run: RunInstruction): RunAnalysis => {
    let a = this.analyses.get(run);
    if (a === undefined) {
      // No rule reads the verdict: computed only if something does.
      a = analyzeRun(run, this.workdirOf(run), { lazyVerdict: true });
      this.analyses.set(run, a);
    }
    return a;
  };

  // The WORKDIR each RUN starts in, the way lowering computes it (stages the target does not need are linted too).
  private workdirOf(run: RunInstruction): string | undefined {
    if (this.workdirs === undefined) {
      this.workdirs = new Map();
      for (const stage of this.ir.stages) {
        let workdir: string | undefined;
        for (const ins of stage.instructions) {
          if (ins.kind === 'workdir') workdir = joinWorkdir(workdir, ins.path.value);
          else if (ins.kind === 'run') this.workdirs.set(ins, workdir);
        }
      }
    }
    return this.workdirs.get(run);
  }
}
