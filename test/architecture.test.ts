/**
 * The layout is the architecture: the folders of src/ (and grammar/) import
 * each other along the pipeline only, never in a circle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/shared.js';

interface Module {
  file: string;
  folder: string;
  imports: string[];
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** `src/<folder>` or `grammar/<folder>`; a file directly in src/ is its own folder. */
function folderOf(file: string): string {
  const [top, second, third] = path.relative(repoRoot, file).split(path.sep);
  return third === undefined ? `${top}/${second!.replace(/\.ts$/, '')}` : `${top}/${second}`;
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

function modules(): Module[] {
  return [...walk(path.join(repoRoot, 'src')), ...walk(path.join(repoRoot, 'grammar'))].map((file) => ({
    file,
    folder: folderOf(file),
    imports: [...readFileSync(file, 'utf8').matchAll(SPECIFIER)].map((m) =>
      path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts')),
    ),
  }));
}

/** A cycle in the folder graph, as a list of folders, or undefined. */
export function findCycle(edges: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      if (state.get(m) === 'open') return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m)) {
        const found = visit(m);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of edges.keys()) {
    if (state.has(n)) continue;
    const found = visit(n);
    if (found) return found;
  }
  return undefined;
}

describe('architecture', () => {
  const all = modules();
  const edges = new Map<string, Set<string>>();
  const why = new Map<string, string>();
  for (const m of all) {
    for (const target of m.imports) {
      const to = folderOf(target);
      if (to === m.folder || !target.startsWith(repoRoot)) continue;
      (edges.get(m.folder) ?? edges.set(m.folder, new Set()).get(m.folder)!).add(to);
      why.set(`${m.folder} -> ${to}`, path.relative(repoRoot, m.file));
    }
  }

  it('the folders of src/ and grammar/ import each other without a cycle', () => {
    const cycle = findCycle(edges);
    const explained = cycle?.slice(1).map((to, i) => `${cycle[i]} -> ${to} (${why.get(`${cycle[i]} -> ${to}`)})`);
    expect(explained).toBeUndefined();
  });

  it('finds a cycle where there is one (the check itself)', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
    ]);
    expect(findCycle(graph)).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(new Map([['a', new Set(['b'])]]))).toBeUndefined();
  });

  it('the grammars import nothing of src/ but src/common', () => {
    const offenders = all.filter(
      (m) =>
        m.folder.startsWith('grammar/') && m.imports.some((t) => t.includes('/src/') && !t.includes('/src/common/')),
    );
    expect(offenders.map((m) => m.file)).toEqual([]);
  });
});
