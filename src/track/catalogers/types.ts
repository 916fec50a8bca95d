/**
 * A cataloger is data, as in syft: a name, the paths it cares about, and a
 * pure parser from one matching file (read through the snapshot) to packages.
 * Parsers never throw: what they cannot read becomes a Problem.
 */
import type { FileEntry, SnapshotFs } from '../../snapshot/fs.js';
import type { Package } from '../package.js';

export interface Problem {
  /** Snapshot path of the file that could not be read as expected. */
  path: string;
  reason: string;
  /** The cataloger that reported it (filled by the runner). */
  cataloger?: string;
}

export interface ParseResult {
  packages: Package[];
  problems: Problem[];
}

export interface Cataloger {
  name: string;
  /**
   * Absolute path patterns: "*" within one segment, "**" any number of
   * segments (none included), "?" one character, "{a,b}" alternatives.
   */
  globs: string[];
  /** Narrows matches by metadata (e.g. executables only), checked after the globs. */
  accept?(entry: FileEntry): boolean;
  parse(file: FileEntry, fs: SnapshotFs): ParseResult;
}
