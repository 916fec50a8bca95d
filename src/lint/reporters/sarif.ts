/**
 * SARIF 2.1.0 (OASIS), the format code-scanning services ingest: one run,
 * the rules in tool.driver.rules, one result per finding. Artifact URIs are
 * relative to the working directory (uriBaseId %SRCROOT%) when the file is
 * inside it, absolute file: URIs otherwise. Files that could not be parsed
 * appear as error notifications of the invocation.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from '../../common/diagnostics.js';
import { docsUrl } from '../docs-url.js';
import type { Finding, Rule, Severity } from '../types.js';

export interface SarifOptions {
  /** Every rule that may appear (normally the registry). */
  rules: readonly Rule[];
  /** Directory artifact URIs are relative to. */
  cwd: string;
  toolVersion: string;
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** A path relative to `cwd` as a URI reference, or an absolute file: URI when it lies outside. */
function artifactLocation(file: string, cwd: string): { uri: string; uriBaseId?: string } {
  const abs = path.resolve(cwd, file);
  const rel = path.relative(cwd, abs);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return { uri: pathToFileURL(abs).href };
  return { uri: rel.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
}

export function formatSarif(
  findings: readonly Finding[],
  options: SarifOptions,
  errors: readonly Diagnostic[] = [],
): string {
  const ruleIndex = new Map(options.rules.map((r, i) => [r.id, i]));
  const root = pathToFileURL(options.cwd.endsWith(path.sep) ? options.cwd : options.cwd + path.sep).href;
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'scannable',
            version: options.toolVersion,
            rules: options.rules.map((r) => ({
              id: r.id,
              name: r.id,
              shortDescription: { text: r.title },
              fullDescription: { text: r.description },
              helpUri: docsUrl(r),
              defaultConfiguration: { level: LEVEL[r.severity], enabled: !r.experimental },
              properties: { family: r.family, ...(r.experimental ? { experimental: true } : {}) },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: root } },
        invocations: [
          {
            executionSuccessful: errors.length === 0,
            toolExecutionNotifications: errors.map((e) => ({
              level: 'error',
              message: { text: e.message },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: artifactLocation(e.file, options.cwd),
                    region: { startLine: e.range.start.line, startColumn: e.range.start.column },
                  },
                },
              ],
            })),
          },
        ],
        results: findings.map((f) => ({
          ruleId: f.rule,
          ...(ruleIndex.has(f.rule) ? { ruleIndex: ruleIndex.get(f.rule)! } : {}),
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: artifactLocation(f.file, options.cwd),
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
              },
            },
          ],
        })),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
