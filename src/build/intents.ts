/**
 * What the tracker needs from a RUN's shell analysis: which archives it
 * unpacked where, which files it downloaded, which build tools ran.
 */
import type { ExecOp } from '../lower/types.js';
import type { StepIntents } from '../track/tracker.js';

/** Compilers and linkers: their output is built from sources the stage copied in. */
const COMPILERS = new Set(['gcc', 'cc', 'g++', 'c++', 'clang', 'clang++', 'ld', 'rustc', 'javac', 'tsc', 'gfortran']);

interface Word {
  value?: string;
  resolved: boolean;
}
interface AnalysedCommand {
  name?: string;
  cwd?: string;
}
type AnalysedIntent =
  | { kind: 'Extract'; archive?: Word; dest?: Word; pipedFrom?: number; command: number }
  | { kind: 'Download'; url: Word; output?: Word; command: number }
  | { kind: 'Verify'; target?: Word }
  | { kind: 'Build'; tool: string }
  | { kind: string };

function abs(cwd: string | undefined, p: string): string {
  if (p.startsWith('/')) return p;
  const base = cwd ?? '/';
  return (base.endsWith('/') ? base : base + '/') + p;
}

export function intentsForTracking(op: ExecOp): StepIntents {
  const analysis = op.analysis as unknown as { intents: AnalysedIntent[]; commands?: AnalysedCommand[] };
  const commands = analysis.commands ?? [];
  const cwdOf = (i: number): string | undefined => commands[i]?.cwd ?? op.workdir;
  const out: StepIntents = { extracts: [], downloads: [], builds: [] };
  const verified = new Set<string>();
  for (const it of analysis.intents) {
    if (it.kind === 'Verify' && 'target' in it && it.target?.resolved && it.target.value)
      verified.add(it.target.value.split('/').pop()!);
  }
  const downloadByCommand = new Map<number, string>();
  for (const it of analysis.intents) {
    if (it.kind === 'Download' && 'url' in it && it.url.resolved && it.url.value) {
      downloadByCommand.set(it.command, it.url.value);
      if (it.output?.resolved && it.output.value && it.output.value !== '-') {
        const output = abs(cwdOf(it.command), it.output.value);
        out.downloads.push({ url: it.url.value, output, verified: verified.has(output.split('/').pop()!) });
      }
    }
  }
  for (const it of analysis.intents) {
    if (it.kind === 'Extract' && 'command' in it && 'dest' in it) {
      const dest =
        it.dest?.resolved && it.dest.value ? abs(cwdOf(it.command), it.dest.value) : (cwdOf(it.command) ?? '/');
      const url = it.pipedFrom !== undefined ? downloadByCommand.get(it.pipedFrom) : undefined;
      if (url) out.extracts.push({ url, dest });
      else if (it.archive?.resolved && it.archive.value)
        out.extracts.push({ archive: abs(cwdOf(it.command), it.archive.value), dest });
    }
    if (it.kind === 'Build' && 'tool' in it) out.builds.push(it.tool);
  }
  for (const c of commands)
    if (c.name && COMPILERS.has(c.name) && !out.builds.includes(c.name)) out.builds.push(c.name);
  return out;
}
