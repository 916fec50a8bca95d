/**
 * Linting files on disk, for the CLI: read each file, find its configuration
 * (`--config`, else the nearest .scannable.yaml), lint, and work out the exit
 * status. Unreadable and unparsable files are errors, not findings; the other
 * files are still linted.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatDiagnostic, range, type Diagnostic, type Severity } from '../common/diagnostics.js';
import { defaultConfig, findConfig, loadConfig, SEVERITY_RANK, type LintConfig } from './config.js';
import { lint, type LintInput, type LintOptions, type LintResult } from './runner.js';

export interface LintPathsOptions extends LintOptions {
  /** `--config F`: one configuration for every file instead of the nearest .scannable.yaml. */
  configFile?: string;
  /** `--context DIR`: the build context (its .dockerignore feeds CopyIgnoredFile). */
  contextDir?: string;
}

export interface LintPathsResult extends LintResult {
  /** Source text per file, for code frames. */
  sources: Map<string, string>;
  /** The configuration each file was linted with. */
  configs: Map<string, LintConfig>;
}

function readError(file: string, e: unknown): Diagnostic {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'is a directory'
        : code === 'EACCES'
          ? 'permission denied'
          : String(code);
  return { file, range: range(1, 1, 1, 1), severity: 'error', message: `cannot read ${file}: ${why}`, code: 'io/read' };
}

/** A file error as printed: `file:line:column: message` for parse errors, the plain message for unreadable files. */
export function formatFileError(d: Diagnostic): string {
  return d.code === 'io/read' ? d.message : formatDiagnostic(d);
}

/** Throws UserError for a broken configuration file: a usage error that stops everything. */
export function lintPaths(paths: readonly string[], options: LintPathsOptions = {}): LintPathsResult {
  const explicit = options.configFile !== undefined ? loadConfig(options.configFile) : undefined;
  const byConfigFile = new Map<string, LintConfig>();
  const configFor = (file: string): LintConfig => {
    if (explicit) return explicit;
    const found = findConfig(file);
    if (found === undefined) return defaultConfig();
    let c = byConfigFile.get(found);
    if (!c) {
      c = loadConfig(found);
      byConfigFile.set(found, c);
    }
    return c;
  };
  const inputs: LintInput[] = [];
  const errors: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const configs = new Map<string, LintConfig>();
  for (const file of paths) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      errors.push(readError(file, e));
      continue;
    }
    const config = configFor(file);
    sources.set(file, text);
    configs.set(file, config);
    inputs.push({
      file,
      text,
      config,
      ...(options.contextDir !== undefined ? { contextDir: path.resolve(options.contextDir) } : {}),
    });
  }
  const result = lint(inputs, options);
  return { findings: result.findings, errors: [...errors, ...result.errors], sources, configs };
}

/**
 * 2 when a file could not be read or parsed; 1 when a finding is at or above
 * the threshold (`--threshold`, else the file's configuration); 0 otherwise.
 */
export function exitStatus(result: LintPathsResult, threshold?: Severity): 0 | 1 | 2 {
  if (result.errors.length > 0) return 2;
  for (const f of result.findings) {
    const t = threshold ?? result.configs.get(f.file)?.threshold ?? 'warning';
    if (SEVERITY_RANK[f.severity] >= SEVERITY_RANK[t]) return 1;
  }
  return 0;
}
