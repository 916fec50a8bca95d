/**
 * `.scannable.yaml`: lint configuration for the Dockerfiles in its directory
 * and below.
 *
 * ```yaml
 * ignore: [MaintainerDeprecated]          # rules that never run
 * severity:                               # per-rule severity, or off
 *   UndefinedVar: error
 *   CopyIgnoredFile: warning              # naming an experimental rule here enables it
 * trustedRegistries: [registry.example.com]
 * threshold: warning                      # findings at or above this fail `scannable lint`
 * ```
 *
 * Mistakes are errors naming the file, line and column: unknown keys, unknown
 * rule ids (with a did-you-mean), values of the wrong type.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { UserError, type Severity } from '../common/diagnostics.js';
import { withSuggestion } from '../common/suggest.js';
import { ruleById, ruleIds } from './registry.js';

export type SeveritySetting = Severity | 'off';

export interface LintConfig {
  /** Where the configuration was read from; undefined for the defaults. */
  file?: string;
  ignore: string[];
  severity: Record<string, SeveritySetting>;
  trustedRegistries: string[];
  threshold: Severity;
}

export const CONFIG_FILE = '.scannable.yaml';

export function defaultConfig(): LintConfig {
  return { ignore: [], severity: {}, trustedRegistries: [], threshold: 'warning' };
}

const KEYS = ['ignore', 'severity', 'trustedRegistries', 'threshold'] as const;
const SEVERITIES: readonly string[] = ['error', 'warning', 'info'];
const SETTINGS: readonly string[] = [...SEVERITIES, 'off'];

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, error: 2 };

/** Parses configuration text; throws a UserError (exit 2) naming `file:line:column` on any mistake. */
export function parseConfig(text: string, file: string): LintConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const fail = (offset: number, message: string): never => {
    const { line, col } = lineCounter.linePos(offset);
    throw new UserError(`${file}:${line}:${col}: ${message}`);
  };
  const at = (node: unknown): number => (node as YamlNode | null)?.range?.[0] ?? 0;
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    fail(e.pos[0], e.message.split('\n')[0]!);
  }
  const config: LintConfig = { ...defaultConfig(), file };
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return config;
  if (!isMap(root)) return fail(at(root), `expected a mapping with the keys ${KEYS.join(', ')}`);

  const ruleId = (node: unknown, what: string): string => {
    if (!isScalar(node) || typeof node.value !== 'string') return fail(at(node), `${what} must be a rule id`);
    const id = node.value;
    if (!ruleById(id)) fail(at(node), withSuggestion(`unknown rule ${JSON.stringify(id)}`, id, ruleIds()));
    return id;
  };
  const stringList = (node: unknown, where: unknown, key: string): YamlNode[] => {
    if (!isSeq(node)) return fail(at(where), `${key} must be a list`);
    return node.items as YamlNode[];
  };

  for (const pair of root.items) {
    const keyNode = pair.key;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const value = pair.value;
    // Where to point when the value is missing (`threshold:` with nothing after it).
    const where = value ?? keyNode;
    switch (key) {
      case 'ignore':
        for (const item of stringList(value, where, 'ignore')) config.ignore.push(ruleId(item, 'each ignore entry'));
        break;
      case 'severity': {
        if (!isMap(value)) fail(at(where), 'severity must be a mapping of rule id to error, warning, info or off');
        for (const p of (value as { items: Array<{ key: unknown; value: unknown }> }).items) {
          const id = ruleId(p.key, 'each severity key');
          const v = p.value;
          if (!isScalar(v) || typeof v.value !== 'string' || !SETTINGS.includes(v.value)) {
            fail(at(v ?? p.key), `severity of ${id} must be one of ${SETTINGS.join(', ')}`);
          }
          config.severity[id] = (v as { value: SeveritySetting }).value;
        }
        break;
      }
      case 'trustedRegistries':
        for (const item of stringList(value, where, 'trustedRegistries')) {
          if (!isScalar(item) || typeof item.value !== 'string' || item.value === '' || /\s/.test(item.value)) {
            fail(
              at(item),
              'each trusted registry must be a host name such as registry.example.com (optionally with a path)',
            );
          }
          config.trustedRegistries.push((item as { value: string }).value);
        }
        break;
      case 'threshold':
        if (!isScalar(value) || typeof value.value !== 'string' || !SEVERITIES.includes(value.value)) {
          fail(at(where), `threshold must be one of ${SEVERITIES.join(', ')}`);
        }
        config.threshold = (value as { value: Severity }).value;
        break;
      default:
        fail(
          at(keyNode),
          withSuggestion(`unknown key ${JSON.stringify(key)}`, key, KEYS) + `; the keys are ${KEYS.join(', ')}`,
        );
    }
  }
  return config;
}

export function loadConfig(file: string): LintConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : String(code)}`);
  }
  return parseConfig(text, file);
}

/** The nearest `.scannable.yaml` in the Dockerfile's directory or one of its parents. */
export function findConfig(dockerfile: string): string | undefined {
  let dir = path.dirname(path.resolve(dockerfile));
  for (;;) {
    const candidate = path.join(dir, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
