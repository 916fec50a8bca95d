/**
 * Ignore comments (BuildKit's `# check=` directive is in check-options.ts):
 *
 * - `# scannable ignore=ID[,ID]` in the comment lines directly above an
 *   instruction: silences those rules for that instruction.
 * - `# hadolint ignore=DLxxxx[,...]` in the same place, and
 *   `# hadolint global ignore=...` anywhere for the whole file: silence the
 *   rules that correspond to those hadolint rules (see hadolint.ts).
 */
import type { SyntaxTree } from '../../grammar/dockerfile/index.js';
import { rulesForHadolint } from './hadolint.js';

const SCANNABLE = /^#\s*scannable\s+ignore\s*=\s*([A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)/;
const HADOLINT = /^#\s*hadolint\s+ignore\s*=\s*([A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*)/;
const HADOLINT_GLOBAL = /^#\s*hadolint\s+global\s+ignore\s*=\s*([A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*)/;

const ids = (s: string): string[] => s.split(',').map((x) => x.trim());

export interface Suppressions {
  /** Rules silenced for the whole file. */
  file: ReadonlySet<string>;
  /** Whether a finding of `rule` that starts on `line` is silenced by a comment above its instruction. */
  suppressed(rule: string, line: number): boolean;
}

/** Ignore comments of a file, resolved to the instruction line ranges they cover. */
const MENTIONS = /scannable|hadolint/;
const NONE: Suppressions = { file: new Set(), suppressed: () => false };

export function collectSuppressions(text: string, tree: SyntaxTree): Suppressions {
  // Most files have no ignore comment: skip the line scan for them.
  if (!MENTIONS.test(text)) return NONE;
  const lines = text.split('\n');
  const file = new Set<string>();
  for (const raw of lines) {
    const line = raw.trim();
    if (!line.startsWith('#')) continue;
    const g = HADOLINT_GLOBAL.exec(line);
    if (g) for (const id of ids(g[1]!)) for (const r of rulesForHadolint(id)) file.add(r);
  }
  // Per instruction: [startLine, endLine, rule ids] from the comment block right above it.
  const spans: Array<{ start: number; end: number; rules: Set<string> }> = [];
  for (const ins of tree.instructions) {
    const rules = new Set<string>();
    for (let i = ins.range.start.line - 2; i >= 0; i--) {
      const line = lines[i]!.trim();
      if (!line.startsWith('#')) break;
      const s = SCANNABLE.exec(line);
      if (s) for (const id of ids(s[1]!)) rules.add(id);
      const h = HADOLINT.exec(line);
      if (h) for (const id of ids(h[1]!)) for (const r of rulesForHadolint(id)) rules.add(r);
    }
    if (rules.size > 0) spans.push({ start: ins.range.start.line, end: ins.range.end.line, rules });
  }
  return {
    file,
    suppressed(rule, line) {
      // Instructions do not overlap and come in order: binary search for the last span starting at or before the line.
      let lo = 0;
      let hi = spans.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (spans[mid]!.start <= line) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      const s = found >= 0 ? spans[found]! : undefined;
      return s !== undefined && line <= s.end && s.rules.has(rule);
    },
  };
}
