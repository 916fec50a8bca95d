/** Every RUN script of the real corpus, as the shell receives it (see src/shell/run.ts). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDockerfile } from '../../grammar/dockerfile/index.js';
import { runScript, type RunScript } from '../../src/shell/run.js';
import { corpusDir, corpusFiles } from '../helpers/shared.js';

export interface CorpusBody extends RunScript {
  /** Corpus file, relative to corpus/real. */
  file: string;
  /** Line of the RUN instruction. */
  line: number;
  /** The SHELL in force, when a SHELL instruction set one. */
  shell?: string[];
}

let cached: CorpusBody[] | undefined;

export function corpusBodies(): CorpusBody[] {
  if (cached) return cached;
  const out: CorpusBody[] = [];
  for (const file of corpusFiles()) {
    const parsed = parseDockerfile(readFileSync(path.join(corpusDir, file), 'utf8'), file);
    if (!parsed.ok) continue;
    let shell: string[] | undefined;
    for (const ins of parsed.tree.instructions) {
      const keyword = ins.keyword.toLowerCase();
      if (keyword === 'from') shell = undefined;
      if (keyword === 'shell' && ins.json) shell = ins.args;
      const script = runScript(ins);
      if (script === null) continue;
      const body: CorpusBody = { ...script, file, line: ins.range.start.line };
      if (shell) body.shell = shell;
      out.push(body);
    }
  }
  cached = out;
  return out;
}
