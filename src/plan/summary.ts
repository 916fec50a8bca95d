/** One-line descriptions of ops, shared by the text printer and the build report. */
import type { Op, Plan } from '../lower/types.js';

export function truncate(s: string, width: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length <= width ? one : one.slice(0, width - 1) + '…';
}

export function stageLabel(plan: Plan, index: number): string {
  const st = plan.stages.find((s) => s.index === index);
  return st?.name !== undefined ? `${index} (${st.name})` : String(index);
}

export function describeOp(op: Op, plan: Plan): string {
  switch (op.kind) {
    case 'base':
      return op.source.kind === 'image'
        ? `FROM ${op.source.ref}`
        : op.source.kind === 'stage'
          ? `FROM stage ${stageLabel(plan, op.source.stage)}`
          : 'FROM scratch';
    case 'copy': {
      const from =
        op.from.kind === 'context'
          ? ''
          : op.from.kind === 'stage'
            ? `stage ${stageLabel(plan, op.from.stage)}:`
            : `${op.from.ref}:`;
      const srcs = [...op.sources, ...op.inline.map((f) => `<<${f.name}`)].map((s) => from + s);
      return `${srcs.join(' ')} -> ${op.dest}`;
    }
    case 'fetch':
      return `${op.url} -> ${op.dest}${op.checksum ? ` (${op.checksum})` : ''}`;
    case 'gitFetch':
      return `${op.url}${op.ref ? `#${op.ref}` : ''} -> ${op.dest}`;
    case 'extract':
      return `${op.source} -> ${op.dest}`;
    case 'exec':
      return op.command.form === 'exec' ? JSON.stringify(op.command.argv) : op.command.script;
    case 'mkdir':
      return op.path;
    case 'config':
      return Object.entries(op.patch)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(' ');
  }
}
