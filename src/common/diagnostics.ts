/**
 * Positions, ranges and diagnostics shared by every stage. Errors are values:
 * a stage returns diagnostics instead of throwing, and the CLI prints them as
 * `file:line:column: message`.
 */

/** 1-based line and column (columns count UTF-16 code units, as editors do). */
export interface Position {
  line: number;
  column: number;
}

/** Inclusive start, exclusive end column on the end line. */
export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  file: string;
  range: Range;
  severity: Severity;
  message: string;
  /** Stable identifier of what went wrong, e.g. `parse/unterminated-heredoc`. */
  code: string;
  /** What the user can do about it. */
  hint?: string;
}

export function position(line: number, column: number): Position {
  return { line, column };
}

export function range(startLine: number, startColumn: number, endLine: number, endColumn: number): Range {
  return { start: { line: startLine, column: startColumn }, end: { line: endLine, column: endColumn } };
}

export function formatDiagnostic(d: Diagnostic): string {
  const sev = d.severity === 'error' ? '' : `${d.severity}: `;
  const hint = d.hint ? `\n  hint: ${d.hint}` : '';
  return `${d.file}:${d.range.start.line}:${d.range.start.column}: ${sev}${d.message}${hint}`;
}

/**
 * An error that carries diagnostics. Stages return diagnostics as values; this
 * class exists only so that deep helpers can bail out and the nearest stage
 * boundary can turn it back into a value.
 */
export class DiagnosticError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'DiagnosticError';
    this.diagnostics = diagnostics;
  }
}

/** Exit code for engine failures (2 is usage/parse, 1 is lint findings or a failed step). */
export const ENGINE_EXIT_CODE = 3;

/** A failure that is the user's to fix (bad flag, missing file): printed without a stack. */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}
