import type { Instruction as SyntaxInstruction } from '../../../../grammar/dockerfile/index.js';
import type { Report } from '../../types.js';
import { buildkitRule } from './define.js';

const selfConsistent = (s: string): boolean => s === s.toLowerCase() || s === s.toUpperCase();

export const consistentInstructionCasing = buildkitRule({
  id: 'ConsistentInstructionCasing',
  title: 'All commands within the Dockerfile should use the same casing (either upper or lower)',
  description:
    'Instruction keywords are case-insensitive, but a file that mixes `RUN` and `run` (or writes `Run`) is harder to read and to search. ' +
    'The casing used by most instructions of the file wins; every instruction written otherwise is reported.',
  check(ctx) {
    // BuildKit counts the stages' instructions only: ARGs before the first FROM are neither counted nor checked.
    const first = ctx.tree.instructions.findIndex((i) => i.keyword.toLowerCase() === 'from');
    if (first < 0) return [];
    const nodes: readonly SyntaxInstruction[] = ctx.tree.instructions;
    let lower = 0;
    let upper = 0;
    for (let i = first; i < nodes.length; i++) {
      const n = nodes[i]!;
      if (!selfConsistent(n.keyword)) continue;
      if (n.keyword === n.keyword.toLowerCase()) lower++;
      else upper++;
    }
    const majorityLower = lower > upper;
    const out: Report[] = [];
    for (let i = first; i < nodes.length; i++) {
      const n = nodes[i]!;
      let casing = '';
      if (majorityLower && n.keyword.toLowerCase() !== n.keyword) casing = 'lowercase';
      else if (!majorityLower && n.keyword.toUpperCase() !== n.keyword) casing = 'uppercase';
      if (casing)
        out.push({
          range: n.range,
          message: `Command '${n.keyword}' should match the case of the command majority (${casing})`,
        });
    }
    return out;
  },
});
