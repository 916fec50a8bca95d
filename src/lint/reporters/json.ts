/** Findings as a JSON array with a fixed key order: stable output for scripts and snapshots. */
import type { Finding } from '../types.js';

export function formatJson(findings: readonly Finding[]): string {
  const rows = findings.map((f) => ({
    file: f.file,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    rule: f.rule,
    severity: f.severity,
    message: f.message,
  }));
  return JSON.stringify(rows, null, 2) + '\n';
}
