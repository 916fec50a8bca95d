/** The per-step scannability table `scannable build` prints: lint's prediction next to what the build observed. */
import { rootOrigin, type Provenance } from '../track/provenance.js';

function pad(s: string, n: number): string {
  return s.length >= n ? s.slice(0, n - 1) + '…' : s.padEnd(n);
}

export function scannabilityTable(prov: Provenance): string {
  const lines: string[] = [];
  lines.push(`${pad('step', 8)}${pad('line', 6)}${pad('instruction', 48)}${pad('predicted', 13)}observed`);
  for (const s of prov.steps) {
    if (s.op === 'config') continue;
    const observed =
      s.observed.files === 0
        ? '-'
        : `${s.observed.files} file${s.observed.files === 1 ? '' : 's'}, ${s.observed.unattributed} unattributed`;
    const flag =
      s.observed.unattributed > 0 && s.predicted === 'scannable'
        ? '  (lint missed this)'
        : s.observed.unattributed === 0 && s.predicted === 'unscannable' && s.observed.files > 0
          ? '  (traced after all)'
          : '';
    lines.push(
      `${pad(s.step.id, 8)}${pad(String(s.step.line), 6)}${pad(s.step.instruction.replace(/\s+/g, ' '), 48)}${pad(s.predicted, 13)}${observed}${flag}`,
    );
  }
  const c = prov.coverage;
  lines.push('');
  lines.push(
    `coverage: ${c.attributed} of ${c.files} files and symlinks have an origin (${(c.ratio * 100).toFixed(2)}%)`,
  );
  const kinds = Object.entries(c.byOrigin)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`);
  lines.push(`  by origin: ${kinds.join(', ')}`);
  const un = prov.files.map((f) => ({ f, o: rootOrigin(f.origin) })).filter((x) => x.o.kind === 'unattributed');
  if (un.length) {
    lines.push(`  unattributed (${un.length}):`);
    for (const { f, o } of un.slice(0, 20))
      if (o.kind === 'unattributed')
        lines.push(
          `    ${f.path}  <- line ${o.step.line}: ${o.step.instruction.replace(/\s+/g, ' ').slice(0, 80)}${o.note ? ` (${o.note})` : ''}`,
        );
    if (un.length > 20) lines.push(`    … and ${un.length - 20} more (see the SBOM)`);
  }
  return lines.join('\n') + '\n';
}
