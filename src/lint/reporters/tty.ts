/**
 * Human-readable findings with a code frame, in the style of rustc:
 *
 * ```
 * warning[UndefinedVar]: Usage of undefined variable '$FOO'
 *   --> Dockerfile:3:1
 *    |
 *  3 | COPY $FOO /app
 *    | ^^^^^^^^^^^^^^
 *    = https://docs.docker.com/go/dockerfile/rule/undefined-var/
 * ```
 */
import type { Diagnostic } from '../../common/diagnostics.js';
import type { Finding, Severity } from '../types.js';

export interface TtyOptions {
  /** ANSI colours (the CLI enables them for a terminal unless NO_COLOR is set). */
  color: boolean;
  /** Source text of each file, for the code frames; files without one get no frame. */
  sources: ReadonlyMap<string, string>;
}

/** Code frames taller than this show their first and last lines around an ellipsis. */
const MAX_FRAME_LINES = 6;

const SGR = {
  reset: '\x1b[0m',
  bold: '\x1b[1m',
  dim: '\x1b[2m',
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  cyan: '\x1b[36m',
  blue: '\x1b[34m',
};
const SEVERITY_COLOR: Record<Severity, string> = { error: SGR.red, warning: SGR.yellow, info: SGR.cyan };

/** Whether to colour output written to `stream`: a terminal, and NO_COLOR unset or empty (no-color.org). */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

/** The underline for columns [from, to) of a line: tabs kept so it lines up under tab-indented text. */
function underline(line: string, from: number, to: number): string {
  let pad = '';
  for (let i = 0; i < from - 1 && i < line.length; i++) pad += line[i] === '\t' ? '\t' : ' ';
  return pad + '^'.repeat(Math.max(1, to - from));
}

/** `errors` (files that could not be read or parsed, printed elsewhere) only count in the summary line. */
export function formatTty(
  findings: readonly Finding[],
  options: TtyOptions,
  errors: readonly Diagnostic[] = [],
): string {
  const c = (code: string, s: string): string => (options.color ? `${code}${s}${SGR.reset}` : s);
  const splitCache = new Map<string, string[]>();
  const linesOf = (file: string): string[] | undefined => {
    const text = options.sources.get(file);
    if (text === undefined) return undefined;
    let lines = splitCache.get(file);
    if (!lines) {
      lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
      splitCache.set(file, lines);
    }
    return lines;
  };

  const blocks: string[] = [];
  for (const f of findings) {
    const out: string[] = [];
    out.push(`${c(SGR.bold + SEVERITY_COLOR[f.severity], `${f.severity}[${f.rule}]`)}${c(SGR.bold, `: ${f.message}`)}`);
    const lines = linesOf(f.file);
    const gutterWidth = String(f.endLine).length;
    const gutter = (n?: number): string =>
      c(SGR.blue, `${n === undefined ? ' '.repeat(gutterWidth) : String(n).padStart(gutterWidth)} |`);
    out.push(`${' '.repeat(gutterWidth)}${c(SGR.blue, '-->')} ${f.file}:${f.line}:${f.column}`);
    if (lines) {
      out.push(gutter());
      let shown: number[] = [];
      for (let n = f.line; n <= f.endLine && n <= lines.length; n++) shown.push(n);
      if (shown.length > MAX_FRAME_LINES) shown = [...shown.slice(0, MAX_FRAME_LINES - 2), -1, ...shown.slice(-1)];
      for (const n of shown) {
        if (n < 0) {
          out.push(`${c(SGR.blue, '...')}`);
          continue;
        }
        const text = lines[n - 1]!;
        const from = n === f.line ? f.column : 1;
        const to = n === f.endLine ? f.endColumn : text.length + 1;
        out.push(`${gutter(n)} ${text}`);
        out.push(`${gutter()} ${c(SEVERITY_COLOR[f.severity], underline(text, from, to))}`);
      }
    }
    if (f.url) out.push(`${' '.repeat(gutterWidth)} ${c(SGR.blue, '=')} ${c(SGR.dim, f.url)}`);
    blocks.push(out.join('\n'));
  }
  const count = (s: Severity): number => findings.filter((f) => f.severity === s).length;
  const parts = [`${count('error')} error(s)`, `${count('warning')} warning(s)`, `${count('info')} info`];
  const summary =
    findings.length === 0 && errors.length === 0
      ? 'no problems found'
      : `${findings.length} finding(s): ${parts.join(', ')}` +
        (errors.length ? `; ${errors.length} file(s) could not be linted` : '');
  blocks.push(c(SGR.bold, summary));
  return blocks.join('\n\n') + '\n';
}
