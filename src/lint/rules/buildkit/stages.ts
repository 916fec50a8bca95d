/**
 * BuildKit dispatches stages in order, and a stage built FROM an earlier
 * stage starts from that stage's state (dispatchState.init: image config,
 * working directory flag, declared ARGs, platform). Rules that follow such
 * state walk the stages with this helper.
 */
import type { DockerfileIR, Stage } from '../../../ir/index.js';
import { parsePlatformSpecifier } from '../../platforms.js';

/**
 * Visits every stage in order with a state: `fresh` for a stage on an image or
 * scratch, `inherit` (a copy of the parent's state after its last instruction)
 * for a stage on an earlier stage.
 */
export function walkStages<S>(
  ir: DockerfileIR,
  fresh: (stage: Stage) => S,
  inherit: (parent: S, stage: Stage) => S,
  visit: (stage: Stage, state: S) => void,
): void {
  const end: Array<S | undefined> = [];
  for (const stage of ir.stages) {
    const parent = stage.base.kind === 'stage' ? end[stage.base.stage] : undefined;
    const state = parent !== undefined ? inherit(parent, stage) : fresh(stage);
    visit(stage, state);
    end[stage.index] = state;
  }
}

/** The OS a stage builds for: its `--platform`, else the target platform. */
export function stageOS(ir: DockerfileIR, stage: Stage): string {
  const value = stage.from.platform?.value;
  if (value) {
    const p = parsePlatformSpecifier(value, ir.buildPlatform);
    if (p) return p.os;
  }
  return ir.targetPlatform.os;
}
