/** `scannable plan --format text`: a readable listing of ops per stage with their verdicts. */
import type { Plan, VerdictLevel } from '../lower/types.js';
import { formatPlatform } from '../ir/platform.js';
import { describeOp, truncate } from './summary.js';

const LEVEL_LABEL: Record<VerdictLevel, string> = {
  scannable: 'scannable',
  partial: 'partial',
  unscannable: 'UNSCANNABLE',
  none: 'config',
};

export function planToText(plan: Plan): string {
  const lines: string[] = [];
  const target = plan.stages.find((s) => s.index === plan.target);
  lines.push(
    `plan for ${plan.file}: target stage ${plan.target}${target?.name ? ` (${target.name})` : ''}, platform ${formatPlatform(plan.platform)}`,
  );
  const counts: Record<VerdictLevel, number> = { scannable: 0, partial: 0, unscannable: 0, none: 0 };
  for (const stage of plan.stages) {
    lines.push('');
    const deps = stage.dependsOn.length ? `, reads stages ${stage.dependsOn.join(', ')}` : '';
    const images = stage.images.length ? `, reads images ${stage.images.join(', ')}` : '';
    lines.push(
      `stage ${stage.index}${stage.name ? ` ${stage.name}` : ''}${stage.index === plan.target ? ' (target)' : ''}${deps}${images}`,
    );
    for (const op of stage.ops) {
      counts[op.verdict.level]++;
      const where = `${op.range.start.line}`.padStart(4);
      lines.push(
        `  ${op.id.padEnd(7)} ${where}  ${op.kind.padEnd(8)} ${LEVEL_LABEL[op.verdict.level].padEnd(11)} ${truncate(describeOp(op, plan), 70)}`,
      );
      if (op.verdict.level === 'partial' || op.verdict.level === 'unscannable') {
        for (const r of op.verdict.reasons) lines.push(`${' '.repeat(37)}- ${r}`);
      }
    }
  }
  const total = plan.stages.reduce((n, s) => n + s.ops.length, 0);
  lines.push('');
  lines.push(
    `${total} ops: ${counts.scannable} scannable, ${counts.partial} partial, ${counts.unscannable} unscannable, ${counts.none} config-only`,
  );
  return lines.join('\n') + '\n';
}
