/**
 * Reading intents from the simple commands of a script: which packages are
 * installed, what is downloaded, verified, extracted, built or cloned, and
 * what cannot be read statically. One recognizer per family of tools; each
 * looks at one command (the command a wrapper runs, not the wrapper) with the
 * others at hand for pipeline context.
 */
import type { ResolvedWord } from '../expand.js';
import type { Intent, ShellCommand } from '../types.js';
import { buildIntents, buildsWith, opaqueIntents, removalIntents } from './builds.js';
import { installsWith, packageIntents } from './packages.js';
import {
  cloneIntents,
  downloadIntents,
  extractIntents,
  verifyIntents,
  verifiesWith,
  type CloneTracker,
} from './transfers.js';

/** How a shell command gets its script. */
export type ScriptRun =
  /** `sh -c 'known text'`, `eval known`: parsed and walked. */
  | { kind: 'inline'; word: ResolvedWord }
  /** A heredoc or here-string with known text: parsed and walked. */
  | { kind: 'input-text'; word: ResolvedWord }
  /** `sh -c "$X"`, `eval "$(...)"`, a heredoc with unknown parts. */
  | { kind: 'unknown-inline'; word?: ResolvedWord }
  /** `sh ./install.sh`, `bash < file`. */
  | { kind: 'file'; word: ResolvedWord }
  /** `... | sh`: the script is the command's input. */
  | { kind: 'input' };

/** What recognizers see besides the command itself. */
export interface IntentContext {
  commands: readonly ShellCommand[];
  runs: ReadonlyMap<number, ScriptRun>;
  /** The command actually run through wrappers (`sudo env X=1 curl` → curl). */
  effective(index: number): ShellCommand;
  clones: CloneTracker;
}

export function readIntents(commands: readonly ShellCommand[], runs: ReadonlyMap<number, ScriptRun>): Intent[] {
  const effective = (index: number): ShellCommand => {
    let cmd = commands[index]!;
    while (cmd.runs !== undefined) cmd = commands[cmd.runs]!;
    return cmd;
  };
  const ctx: IntentContext = { commands, runs, effective, clones: { open: [] } };
  const out: Intent[] = [];
  for (const cmd of commands) {
    // A wrapper's intents are those of the command it runs, which has its own record.
    if (cmd.runs !== undefined || cmd.argv.length === 0) continue;
    for (const i of opaqueIntents(cmd, ctx)) out.push(i);
    if (cmd.name === undefined) continue;
    for (const recognize of recognizersFor(cmd.name)) for (const i of recognize(cmd, ctx)) out.push(i);
  }
  return out;
}

type Recognizer = (cmd: ShellCommand, ctx: IntentContext) => Intent[];

const TRANSFER_NAMES: Record<string, Recognizer[]> = {
  curl: [downloadIntents],
  wget: [downloadIntents],
  git: [downloadIntents, cloneIntents],
  tar: [extractIntents],
  bsdtar: [extractIntents],
  gtar: [extractIntents],
  unzip: [extractIntents],
  '7z': [extractIntents],
  '7za': [extractIntents],
  '7zr': [extractIntents],
  'dpkg-deb': [extractIntents],
  dpkg: [extractIntents],
  rm: [(cmd) => removalIntents(cmd)],
};

const recognizerCache = new Map<string, Recognizer[]>();

/** The recognizers that may read something from a command of this name (most commands have none). */
function recognizersFor(name: string): Recognizer[] {
  let found = recognizerCache.get(name);
  if (found !== undefined) return found;
  found = [...(Object.hasOwn(TRANSFER_NAMES, name) ? TRANSFER_NAMES[name]! : [])];
  if (installsWith(name)) found.push(packageIntents);
  if (verifiesWith(name)) found.push(verifyIntents);
  if (buildsWith(name)) found.push(buildIntents);
  if (recognizerCache.size < 4096) recognizerCache.set(name, found);
  return found;
}
