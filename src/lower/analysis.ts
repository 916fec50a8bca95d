/**
 * What a RUN does, statically: the shell analysis of its script (src/shell)
 * turned into intents and a scannability verdict for the exec op.
 */
import type { RunInstruction } from '../ir/types.js';
import type { Verdict } from './types.js';

export interface RunAnalysis {
  /** What the commands of the step do (package installs, downloads, ...). */
  intents: readonly { kind: string }[];
  verdict: Verdict;
}

export function analyzeRun(run: RunInstruction): RunAnalysis {
  void run;
  return { intents: [], verdict: { level: 'partial', reasons: ['shell analysis pending'] } };
}
