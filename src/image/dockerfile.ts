/**
 * The Dockerfile an image was built from, lowered to ops, and the chain of
 * stages the image consists of: the target stage, the stage it is `FROM`,
 * and so on down to an image or scratch. Only those stages' instructions can
 * appear in the image's history; other stages are read through `COPY --from`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseDockerfile } from '../../grammar/dockerfile/index.js';
import { formatDiagnostic, UserError } from '../common/diagnostics.js';
import { buildIR, type DockerfileIR } from '../ir/index.js';
import { lower, type Plan, type PlanStage } from '../lower/index.js';
import type { StepRef } from '../track/provenance.js';
import type { ExpectedOp } from './history.js';

export interface DockerfileChain {
  path: string;
  sha256: string;
  ir: DockerfileIR;
  plan: Plan;
  /** Stages the image is made of, the root first. */
  chain: PlanStage[];
  /** What the root stage starts from. */
  root: { kind: 'image'; ref: string } | { kind: 'scratch' };
  /** The chain's ops after each stage's FROM, in order. */
  expected: ExpectedOp[];
  /** Each chain stage's FROM line. */
  from: Map<number, StepRef>;
}

export interface DockerfileOptions {
  buildArgs?: Record<string, string>;
  target?: string;
}

export function stepRefOf(e: ExpectedOp): StepRef {
  return {
    id: e.op.id,
    stage: e.stage,
    line: e.op.range.start.line,
    endLine: e.op.range.end.line,
    instruction: e.instruction,
  };
}

export function loadDockerfile(file: string, options: DockerfileOptions = {}): DockerfileChain {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      `cannot read the Dockerfile ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(code)}`,
    );
  }
  const parsed = parseDockerfile(text.toString('utf8'), file);
  if (!parsed.ok) throw new UserError(parsed.diagnostics.map(formatDiagnostic).join('\n'));
  const ir = buildIR(parsed.tree, {
    ...(options.buildArgs ? { buildArgs: options.buildArgs } : {}),
    ...(options.target !== undefined ? { target: options.target } : {}),
  });
  const plan = lower(ir, options.target !== undefined ? { target: options.target } : {});
  const errors = plan.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new UserError(errors.map(formatDiagnostic).join('\n'));

  const byIndex = new Map(plan.stages.map((s) => [s.index, s]));
  const chain: PlanStage[] = [];
  let root: DockerfileChain['root'] = { kind: 'scratch' };
  for (let st = byIndex.get(plan.target); st;) {
    chain.unshift(st);
    const base = st.ops[0];
    if (base?.kind !== 'base') break;
    if (base.source.kind === 'stage') {
      const parent = byIndex.get(base.source.stage);
      if (!parent || chain.includes(parent)) break;
      st = parent;
      continue;
    }
    root = base.source.kind === 'image' ? { kind: 'image', ref: base.source.ref } : { kind: 'scratch' };
    break;
  }

  const expected: ExpectedOp[] = [];
  const from = new Map<number, StepRef>();
  for (const st of chain) {
    st.ops.forEach((op, k) => {
      if (op.kind === 'base') {
        const original = ir.stages[st.index]?.from.syntax.original ?? 'FROM';
        from.set(st.index, {
          id: op.id,
          stage: st.index,
          line: op.range.start.line,
          endLine: op.range.end.line,
          instruction: original,
        });
        return;
      }
      expected.push({ op, stage: st.index, instruction: st.instructions[k]?.syntax.original ?? op.keyword });
    });
  }
  return { path: file, sha256: createHash('sha256').update(text).digest('hex'), ir, plan, chain, root, expected, from };
}
